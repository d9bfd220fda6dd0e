package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.testkit.SharedSpark;
import scala.jdk.javaapi.CollectionConverters;

/** The classifier inside Spark's Pipeline and CrossValidator, including their persistence. */
@ExtendWith(SharedSpark.class)
class PipelineTest {

  /** The blobs as four raw double columns x1..x4 and a label, scaled by 10 so that standardising matters. */
  static Dataset<Row> rawColumns(SparkSession spark, int n) {
    Random r = new Random(4);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = TrainingFixtures.point(r, i % 3);
      rows.add(RowFactory.create((double) (i % 3), 10 * x[0], 10 * x[1], 10 * x[2] + 100, 10 * x[3]));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("x1", DataTypes.DoubleType)
        .add("x2", DataTypes.DoubleType).add("x3", DataTypes.DoubleType).add("x4", DataTypes.DoubleType);
    return TrainingFixtures.frame(spark, rows, schema, 2);
  }

  static List<double[]> outputs(Dataset<Row> scored) {
    List<double[]> out = new ArrayList<>();
    for (Row r : scored.select("rawPrediction", "probability", "prediction").collectAsList()) {
      double[] raw = ((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray();
      double[] p = ((org.apache.spark.ml.linalg.Vector) r.get(1)).toArray();
      out.add(new double[] {raw[0], raw[1], raw[2], p[0], p[1], p[2], r.getDouble(2)});
    }
    return out;
  }

  @Test
  void aPipelineWithAnAssemblerAndAScalerFitsSavesAndLoads(SparkSession spark, @TempDir Path dir) throws IOException {
    Dataset<Row> data = rawColumns(spark, 300);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("raw"),
        new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
        new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(4).setBatchSize(64).setLearningRate(0.03).setSeed(1)});
    PipelineModel model = pipeline.fit(data);
    Dataset<Row> scored = model.transform(data);
    assertTrue(TrainingFixtures.accuracy(scored) > 0.9, "accuracy " + TrainingFixtures.accuracy(scored));

    model.write().save(dir.resolve("model").toUri().toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("model").toUri().toString());
    NeuralNetworkClassificationModel stage = assertInstanceOf(NeuralNetworkClassificationModel.class, loaded.stages()[2]);
    assertEquals(model.stages()[2].uid(), stage.uid());
    assertArrayEquals(((NeuralNetworkClassificationModel) model.stages()[2]).weights(), stage.weights());
    List<double[]> before = outputs(scored);
    List<double[]> after = outputs(loaded.transform(data));
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i), "row " + i);
    }

    pipeline.write().save(dir.resolve("pipeline").toUri().toString());
    Pipeline unfitted = Pipeline.load(dir.resolve("pipeline").toUri().toString());
    NeuralNetworkClassifier clf = assertInstanceOf(NeuralNetworkClassifier.class, unfitted.getStages()[2]);
    assertEquals(pipeline.getStages()[2].uid(), clf.uid());
    assertArrayEquals(new int[] {4, 8, 3}, clf.getLayers());
    assertEquals(0.03, clf.getLearningRate());
  }

  @Test
  void aPipelineOfAShapedBatchNormNetworkKeepsItsParamsAndStatistics(SparkSession spark, @TempDir Path dir) throws IOException {
    Dataset<Row> data = rawColumns(spark, 300);
    NetworkSpec cnn = NetworkSpec.builder().input("image", 1, 2, 2).conv2d(4, 2, c -> c.withPadding(Padding.of(1))).batchNorm()
        .relu().flatten().dense(3).build();
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("features"),
        new NeuralNetworkClassifier().setNetwork(cnn).setInputShape(1, 2, 2).setChannelMean(10).setChannelStd(40)
            .setMaxEpochs(4).setBatchSize(32).setLearningRate(0.03).setSeed(3)});
    PipelineModel model = pipeline.fit(data);
    NeuralNetworkClassificationModel fitted = (NeuralNetworkClassificationModel) model.stages()[1];
    assertArrayEquals(new int[] {1, 2, 2}, fitted.getInputShape());
    assertArrayEquals(new double[] {40}, fitted.getChannelStd());
    assertEquals(8, fitted.buffers().length);
    Dataset<Row> scored = model.transform(data);
    assertTrue(TrainingFixtures.accuracy(scored) > 0.9, "accuracy " + TrainingFixtures.accuracy(scored));

    model.write().save(dir.resolve("model").toUri().toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("model").toUri().toString());
    NeuralNetworkClassificationModel stage = assertInstanceOf(NeuralNetworkClassificationModel.class, loaded.stages()[1]);
    assertArrayEquals(fitted.buffers(), stage.buffers());
    assertArrayEquals(new double[] {10}, stage.getChannelMean());
    assertArrayEquals(new int[] {1, 2, 2}, stage.getInputShape());
    List<double[]> before = outputs(scored);
    List<double[]> after = outputs(loaded.transform(data));
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i), "row " + i);
    }

    pipeline.write().save(dir.resolve("pipeline").toUri().toString());
    NeuralNetworkClassifier clf = assertInstanceOf(NeuralNetworkClassifier.class,
        Pipeline.load(dir.resolve("pipeline").toUri().toString()).getStages()[1]);
    assertArrayEquals(new int[] {1, 2, 2}, clf.getInputShape());
    assertArrayEquals(new double[] {10}, clf.getChannelMean());
    assertArrayEquals(new double[] {40}, clf.getChannelStd());
  }

  @Test
  void crossValidationOverLearningRateAndLayersPicksAModelThatSavesAndLoads(SparkSession spark, @TempDir Path dir)
      throws IOException {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 150, 8, 2);
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setMaxEpochs(3).setBatchSize(32).setSeed(2);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(clf.learningRate(), new double[] {1e-4, 0.05})
        .addGrid(clf.layers(), CollectionConverters.asScala(List.of(new int[] {4, 3}, new int[] {4, 8, 3})))
        .build();
    assertEquals(4, grid.length);
    CrossValidator cv = new CrossValidator().setEstimator(clf).setEstimatorParamMaps(grid)
        .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2).setSeed(5);
    CrossValidatorModel cvModel = cv.fit(data);
    double[] metrics = cvModel.avgMetrics();
    assertEquals(4, metrics.length);
    int best = 0;
    for (int i = 1; i < 4; i++) {
      best = metrics[i] > metrics[best] ? i : best;
    }
    assertEquals(0.05, (Double) grid[best].apply(clf.learningRate()), "a learning rate of 1e-4 barely moves in 3 epochs");
    NeuralNetworkClassificationModel bestModel = assertInstanceOf(NeuralNetworkClassificationModel.class, cvModel.bestModel());
    assertEquals(0.05, bestModel.getLearningRate());
    assertArrayEquals(grid[best].apply(clf.layers()), bestModel.getLayers());

    String path = dir.resolve("cv").toUri().toString();
    cvModel.write().save(path);
    CrossValidatorModel loaded = CrossValidatorModel.load(path);
    assertArrayEquals(metrics, loaded.avgMetrics());
    NeuralNetworkClassificationModel loadedBest = assertInstanceOf(NeuralNetworkClassificationModel.class, loaded.bestModel());
    assertArrayEquals(bestModel.weights(), loadedBest.weights());
    assertEquals(bestModel.transform(data).collectAsList(), loaded.transform(data).collectAsList());
    assertEquals(4, loaded.getEstimatorParamMaps().length);
    assertInstanceOf(NeuralNetworkClassifier.class, loaded.getEstimator());
  }

  @Test
  void aFittedPipelineIsBatchScoredWithItsOriginalLabels(SparkSession spark, @TempDir Path dir) throws IOException {
    String[] names = {"setosa", "versicolor", "virginica"};
    Dataset<Row> raw = rawColumns(spark, 300);
    Dataset<Row> named = raw.withColumn("species", org.apache.spark.sql.functions.element_at(
        org.apache.spark.sql.functions.array(org.apache.spark.sql.functions.lit(names[0]),
            org.apache.spark.sql.functions.lit(names[1]), org.apache.spark.sql.functions.lit(names[2])),
        raw.col("label").cast("int").plus(1))).drop("label");
    StringIndexerModel indexer = new StringIndexer().setInputCol("species").setOutputCol("label").fit(named);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {indexer,
        new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"}).setOutputCol("assembled"),
        new StandardScaler().setInputCol("assembled").setOutputCol("features").setWithMean(true),
        new NeuralNetworkClassifier().setLayers(4, 16, 3).setMaxEpochs(8).setSeed(3),
        new IndexToString().setInputCol("prediction").setOutputCol("predictedSpecies").setLabels(indexer.labelsArray()[0])})
        .fit(named);
    String model = dir.resolve("pipeline").toString();
    String input = dir.resolve("input.parquet").toString();
    String output = dir.resolve("scored").toString();
    fitted.write().save(model);
    named.write().parquet(input);

    org.sparkdl.ml.scoring.BatchScoringJob.main(new String[] {"--model", model, "--input", input, "--output", output,
        "--verbose"});

    List<Row> scored = spark.read().parquet(output).select("species", "predictedSpecies").collectAsList();
    assertEquals(300, scored.size());
    long right = scored.stream().filter(r -> r.getString(0).equals(r.getString(1))).count();
    assertTrue(right >= 285, "the job writes the species names the pipeline predicts: " + right + " of 300 right");
    List<Row> direct = PipelineModel.load(model).transform(spark.read().parquet(input))
        .select("species", "predictedSpecies").collectAsList();
    java.util.function.Function<List<Row>, List<String>> pairs = rows -> rows.stream().map(r -> r.getString(0) + " -> "
        + r.getString(1)).sorted().toList();
    assertEquals(pairs.apply(direct), pairs.apply(scored), "the same as the loaded pipeline's transform");
  }
}
