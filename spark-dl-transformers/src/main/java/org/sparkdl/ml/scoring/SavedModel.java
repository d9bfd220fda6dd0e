package org.sparkdl.ml.scoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.ml.param.ParamsMetadata;

/**
 * What {@code --model} of {@link BatchScoringJob} (or an estimator's {@code initialModel}) holds: a
 * spark-dl model alone, or a {@code PipelineModel} with one among its stages (nested pipelines
 * included). {@link #transformer()} scores; {@link #model()} is the spark-dl stage, whose features
 * column the job reads and whose network a fine-tuning fit starts from.
 *
 * @param path where it was loaded from
 * @param transformer the whole saved thing, the model or the pipeline
 * @param model the spark-dl model in it
 * @param stages every stage, nested pipelines flattened
 */
public record SavedModel(String path, Transformer transformer, Model<?> model, List<Transformer> stages) {
  private static final String PIPELINE_MODEL = PipelineModel.class.getName();
  private static final List<String> SPARK_DL_MODELS =
      List.of(NeuralNetworkClassificationModel.class.getName(), NeuralNetworkRegressionModel.class.getName());

  /**
   * Loads whichever model the directory holds, by the class in its metadata; an {@code .onnx} file
   * is imported as a classifier, or with {@code regression} as a regressor.
   */
  static SavedModel load(SparkSession spark, String path, boolean regression) {
    return load(spark, path, "--model", regression);
  }

  /**
   * As {@link #load(SparkSession, String, boolean)}, with errors that name the path as {@code
   * what} (an option or a param) names it.
   */
  public static SavedModel load(SparkSession spark, String path, String what, boolean regression) {
    String cls;
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (root.getName().endsWith(".onnx") && fs.isFile(root)) {
        Model<?> m = regression ? NeuralNetworkRegressionModel.loadOnnx(path) : NeuralNetworkClassificationModel.loadOnnx(path);
        return new SavedModel(path, m, m, List.of(m));
      }
      cls = new ObjectMapper().readTree(ParamsMetadata.read(fs, new Path(root, ModelFiles.METADATA))).path("class")
          .asText();
      cls = ParamsMetadata.FORMER_NAMES.getOrDefault(cls, cls);
    } catch (IOException e) {
      throw ParamsMetadata.<RuntimeException>sneaky(e);
    }
    if (cls.equals(NeuralNetworkClassificationModel.class.getName())) {
      NeuralNetworkClassificationModel m = NeuralNetworkClassificationModel.load(path);
      return new SavedModel(path, m, m, List.of(m));
    }
    if (cls.equals(NeuralNetworkRegressionModel.class.getName())) {
      NeuralNetworkRegressionModel m = NeuralNetworkRegressionModel.load(path);
      return new SavedModel(path, m, m, List.of(m));
    }
    if (cls.equals(PIPELINE_MODEL)) {
      PipelineModel pipeline = PipelineModel.load(path);
      List<Transformer> stages = new ArrayList<>();
      flatten(pipeline, stages);
      Model<?> ours = (Model<?>) stages.stream().filter(s -> SPARK_DL_MODELS.contains(s.getClass().getName()))
          .findFirst().orElseThrow(() -> new IllegalArgumentException(what + " " + path
              + " holds a PipelineModel whose stages (" + names(stages) + ") include no spark-dl model; expected a "
              + "NeuralNetworkClassificationModel or NeuralNetworkRegressionModel among them."));
      return new SavedModel(path, pipeline, ours, stages);
    }
    if (cls.equals("org.apache.spark.ml.Pipeline")) {
      throw new IllegalArgumentException(what + " " + path + " holds an unfitted Pipeline; fit it and save the "
          + "PipelineModel that fit returns.");
    }
    throw new IllegalArgumentException(what + " " + path + " holds a " + cls + "; expected a "
        + "NeuralNetworkClassificationModel, a NeuralNetworkRegressionModel, or a PipelineModel holding one.");
  }

  private static void flatten(PipelineModel pipeline, List<Transformer> into) {
    for (Transformer t : pipeline.stages()) {
      if (t instanceof PipelineModel inner) {
        flatten(inner, into);
      } else {
        into.add(t);
      }
    }
  }

  private static String names(List<Transformer> stages) {
    return stages.stream().map(s -> s.getClass().getSimpleName()).collect(Collectors.joining(", "));
  }

  boolean isPipeline() {
    return transformer != model;
  }

  /** The spark-dl model's features column. */
  String featuresCol() {
    return (String) model.getOrDefault(model.getParam("featuresCol"));
  }

  /** Refuses the options that set a bare model's columns when a pipeline's stages name them. */
  void check(Map<String, String> opts) {
    if (!isPipeline()) {
      return;
    }
    for (String option : List.of("features-col", "assemble")) {
      if (opts.containsKey(option)) {
        throw new IllegalArgumentException("--" + option + " does not apply to --model " + path + ": it holds a "
            + "PipelineModel (" + names(stages) + "), whose stages name their own columns (its "
            + model.getClass().getSimpleName() + " reads '" + featuresCol() + "'). Leave --" + option
            + " out, or put a VectorAssembler in the pipeline.");
      }
    }
  }

  /**
   * The columns that the stages before the spark-dl model add to {@code input} (assembled or
   * scaled features, indexed labels): intermediate steps, not part of the scored output.
   */
  List<String> columnsAddedBeforeModel(StructType input) {
    StructType schema = input;
    for (Transformer t : stages) {
      if (t == model) {
        break;
      }
      schema = t.transformSchema(schema);
    }
    List<String> added = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    added.removeAll(Arrays.asList(input.fieldNames()));
    return added;
  }

  /** One line for the log: the model's class, or the pipeline's stages. */
  String describe() {
    return isPipeline() ? "PipelineModel: " + names(stages) : model.getClass().getSimpleName();
  }
}
