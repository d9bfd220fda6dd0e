package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.ImageFiles;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith(SharedSpark.class)
class BatchScoringJobTest {

  private static NeuralNetworkClassificationModel model() {
    NetworkSpec spec = NetworkSpec.mlp(new int[] {3, 5, 2}, "relu");
    Random r = new Random(1);
    float[] w = new float[3 * 5 + 5 + 5 * 2 + 2];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return new NeuralNetworkClassificationModel("nnClf_job", spec, w);
  }

  private static Dataset<Row> data(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(RowFactory.create((long) i, Vectors.dense(i * 0.1, 1 - i * 0.05, (i % 7) * 0.3), i * 0.1, 1 - i * 0.05,
          (i % 7) * 0.3));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType())
        .add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType).add("c", DataTypes.DoubleType);
    return spark.createDataFrame(rows, schema);
  }

  @Test
  void scoresParquetIntoParquetWithTheSamePredictionsAsTransform(SparkSession spark, @TempDir Path tmp) throws Exception {
    String modelPath = tmp.resolve("model").toString();
    String input = tmp.resolve("in.parquet").toString();
    String output = tmp.resolve("out").toString();
    NeuralNetworkClassificationModel m = model();
    m.write().save(modelPath);
    data(spark).write().parquet(input);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long rows = BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input,
        "--output", output, "--partitions", "3"}), new PrintStream(log, true, "UTF-8"));
    assertEquals(50, rows);
    Dataset<Row> out = spark.read().parquet(output).orderBy("id");
    assertEquals(List.of("id", "a", "b", "c", "rawPrediction", "probability", "prediction"), List.of(out.columns()));
    List<Row> expected = m.transform(data(spark)).orderBy("id").select("prediction").collectAsList();
    assertEquals(expected, out.select("prediction").collectAsList());
    assertTrue(Files.exists(tmp.resolve("out/_SUCCESS")));
    AnalysisException e = assertThrows(AnalysisException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input, "--output", output}), System.out));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
  }

  @Test
  void scoresAnOnnxFileAsAClassifierOrARegressor(SparkSession spark, @TempDir Path tmp) throws Exception {
    String modelPath = tmp.resolve("model.onnx").toString();
    String input = tmp.resolve("in.parquet").toString();
    NeuralNetworkClassificationModel m = model();
    m.write().format("onnx").save(modelPath);
    data(spark).write().parquet(input);
    String output = tmp.resolve("out").toString();
    BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input, "--output",
        output}), new PrintStream(new ByteArrayOutputStream(), true, "UTF-8"));
    assertEquals(m.transform(data(spark)).orderBy("id").select("prediction").collectAsList(),
        spark.read().parquet(output).orderBy("id").select("prediction").collectAsList());
    String regressorPath = tmp.resolve("regressor.onnx").toString();
    ScoringFixtures.regressor("nnReg_job", 3, 4, 1).write().format("onnx").save(regressorPath);
    String regression = tmp.resolve("reg").toString();
    BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", regressorPath, "--input", input, "--output",
        regression, "--onnx-task", "regression"}), new PrintStream(new ByteArrayOutputStream(), true, "UTF-8"));
    assertEquals(List.of("id", "a", "b", "c", "prediction"), List.of(spark.read().parquet(regression).columns()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input, "--output", tmp.resolve("x")
            .toString(), "--onnx-task", "ranking"}), System.out));
    assertEquals("--onnx-task must be classification or regression; found 'ranking'.", e.getMessage());
  }

  @Test
  void assemblesFeaturesFromCsvColumns(SparkSession spark, @TempDir Path tmp) throws Exception {
    String modelPath = tmp.resolve("model").toString();
    String input = tmp.resolve("in.csv").toString();
    model().write().save(modelPath);
    data(spark).select("id", "a", "b", "c").write().option("header", "true").csv(input);
    long rows = BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input,
        "--format", "csv", "--assemble", "a,b,c", "--keep", "id", "--output", tmp.resolve("out").toString()}), System.out);
    assertEquals(50, rows);
    assertEquals(List.of("id", "rawPrediction", "probability", "prediction"),
        List.of(spark.read().parquet(tmp.resolve("out").toString()).columns()));
  }

  @Test
  void scoresImageFilesAsTheModelDecodesThem(SparkSession spark, @TempDir Path tmp) throws Exception {
    Path images = Files.createDirectory(tmp.resolve("images"));
    ImageFiles.write(ImageFiles.colour(2, 2, 10), "png", images.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(2, 2, 90), "png", images.resolve("b.png"));
    NetworkSpec rgb = NetworkSpec.builder().input("image", 3, 2, 2).conv2d(2, 1).relu().flatten().dense(2).build();
    NeuralNetworkClassificationModel m = new NeuralNetworkClassificationModel("nnClf_img", rgb, ScoringFixtures.weights(rgb, 2));
    String modelPath = tmp.resolve("model").toString();
    m.write().save(modelPath);
    String output = tmp.resolve("out").toString();
    long rows = BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input",
        images.toString(), "--format", "image", "--output", output}), System.out);
    assertEquals(2, rows);
    Dataset<Row> out = spark.read().parquet(output).orderBy("origin");
    assertEquals(List.of("origin", "rawPrediction", "probability", "prediction"), List.of(out.columns()));
    Dataset<Row> direct = spark.read().format("image").load(images.toString()).withColumnRenamed("image", "features");
    List<Row> expected = m.transform(direct).orderBy("features.origin").select("rawPrediction").collectAsList();
    assertEquals(expected, out.select("rawPrediction").collectAsList());
  }

  /** Two numeric columns and a string label: "cat" where x1 is large, "dog" where x2 is. */
  private static Dataset<Row> animals(SparkSession spark, int n) {
    List<Row> rows = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < n; i++) {
      boolean cat = i % 3 != 0;
      double big = 1 + r.nextDouble();
      double small = r.nextDouble() * 0.5;
      rows.add(RowFactory.create((long) i, cat ? big : small, cat ? small : big, cat ? "cat" : "dog"));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType).add("x1", DataTypes.DoubleType)
        .add("x2", DataTypes.DoubleType).add("species", DataTypes.StringType);
    return spark.createDataFrame(rows, schema);
  }

  /**
   * StringIndexer(species) -> VectorAssembler(x1, x2) -> classifier -> IndexToString, fitted on
   * {@link #animals}. The network is a single 2x2 dense layer with identity weights (class 0 when
   * x1 > x2): this module has no trainer, and these weights separate the data exactly.
   */
  private static PipelineModel animalPipeline(SparkSession spark) {
    StringIndexerModel indexer = new StringIndexer().setInputCol("species").setOutputCol("label")
        .setStringOrderType("alphabetAsc").fit(animals(spark, 30));
    NeuralNetworkClassificationModel net = new NeuralNetworkClassificationModel("nnClf_animals",
        NetworkSpec.mlp(new int[] {2, 2}, "relu"), new float[] {1, 0, 0, 1, 0, 0});
    return new Pipeline().setStages(new PipelineStage[] {indexer,
        new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features"), net,
        new IndexToString().setInputCol("prediction").setOutputCol("predictedSpecies").setLabels(indexer.labelsArray()[0])})
        .fit(animals(spark, 30));
  }

  @Test
  void scoresASavedPipelineModelAndWritesTheOriginalLabelStrings(SparkSession spark, @TempDir Path tmp) throws Exception {
    String modelPath = tmp.resolve("pipeline").toString();
    String input = tmp.resolve("in.parquet").toString();
    String output = tmp.resolve("out").toString();
    animalPipeline(spark).write().save(modelPath);
    animals(spark, 40).write().parquet(input);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long rows = BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", input,
        "--output", output}), new PrintStream(log, true, "UTF-8"));
    assertEquals(40, rows);
    Dataset<Row> out = spark.read().parquet(output).orderBy("id");
    // the indexed label and the assembled features are the pipeline's intermediate columns
    assertEquals(List.of("id", "x1", "x2", "species", "rawPrediction", "probability", "prediction", "predictedSpecies"),
        List.of(out.columns()));
    List<Row> expected = PipelineModel.load(modelPath).transform(spark.read().parquet(input)).orderBy("id")
        .select("id", "predictedSpecies").collectAsList();
    assertEquals(expected, out.select("id", "predictedSpecies").collectAsList());
    assertEquals(out.select("species").collectAsList(), out.select("predictedSpecies").collectAsList());
    assertEquals(List.of("cat", "dog"), out.select("predictedSpecies").distinct().orderBy("predictedSpecies")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertTrue(log.toString("UTF-8").contains(
        "(PipelineModel: StringIndexerModel, VectorAssembler, NeuralNetworkClassificationModel, IndexToString)"),
        log.toString("UTF-8"));

    // rows without the label: the StringIndexer skips its missing column, the rest scores them
    String unlabelled = tmp.resolve("unlabelled.parquet").toString();
    animals(spark, 40).drop("species").write().parquet(unlabelled);
    BatchScoringJob.run(spark, BatchScoringJob.parse(new String[] {"--model", modelPath, "--input", unlabelled,
        "--output", tmp.resolve("out2").toString(), "--keep", "id"}), System.out);
    Dataset<Row> out2 = spark.read().parquet(tmp.resolve("out2").toString()).orderBy("id");
    assertEquals(List.of("id", "rawPrediction", "probability", "prediction", "predictedSpecies"), List.of(out2.columns()));
    assertEquals(out.select("predictedSpecies").collectAsList(), out2.select("predictedSpecies").collectAsList());
  }

  @Test
  void refusesPipelinesWithoutASparkDlModelAndColumnOptionsThatTheirStagesDecide(SparkSession spark, @TempDir Path tmp)
      throws Exception {
    String input = tmp.resolve("in.parquet").toString();
    animals(spark, 10).write().parquet(input);
    String plain = tmp.resolve("plain").toString();
    new Pipeline().setStages(new PipelineStage[] {new StringIndexer().setInputCol("species").setOutputCol("label"),
        new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features")})
        .fit(animals(spark, 10)).write().save(plain);
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", plain, "--input", input, "--output", tmp.resolve("o").toString()}),
        System.out));
    assertEquals("--model " + plain + " holds a PipelineModel whose stages (StringIndexerModel, VectorAssembler) include "
        + "no spark-dl model; expected a NeuralNetworkClassificationModel or NeuralNetworkRegressionModel among them.",
        none.getMessage());

    String unfitted = tmp.resolve("unfitted").toString();
    new Pipeline().setStages(new PipelineStage[] {new VectorAssembler()}).write().save(unfitted);
    assertEquals("--model " + unfitted + " holds an unfitted Pipeline; fit it and save the PipelineModel that fit "
        + "returns.", assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", unfitted, "--input", input, "--output", "o"}), System.out))
        .getMessage());

    String pipeline = tmp.resolve("pipeline").toString();
    animalPipeline(spark).write().save(pipeline);
    IllegalArgumentException assemble = assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", pipeline, "--input", input, "--assemble", "x1,x2", "--output",
            tmp.resolve("o").toString()}), System.out));
    assertEquals("--assemble does not apply to --model " + pipeline + ": it holds a PipelineModel (StringIndexerModel, "
        + "VectorAssembler, NeuralNetworkClassificationModel, IndexToString), whose stages name their own columns (its "
        + "NeuralNetworkClassificationModel reads 'features'). Leave --assemble out, or put a VectorAssembler in the "
        + "pipeline.", assemble.getMessage());
    assertFalse(Files.exists(tmp.resolve("o")));
  }

  @Test
  void leavesNothingAtTheOutputPathWhenScoringFailsInATask(SparkSession spark, @TempDir Path tmp) throws Exception {
    String pipeline = tmp.resolve("pipeline").toString();
    animalPipeline(spark).write().save(pipeline);
    String input = tmp.resolve("in.parquet").toString();
    // a null x2 in one row: the pipeline's VectorAssembler fails that task half way through the write
    animals(spark, 40).selectExpr("id", "x1", "if(id = 37, null, x2) as x2", "species").repartition(2).write()
        .parquet(input);
    Path output = tmp.resolve("out");
    SparkException e = assertThrows(SparkException.class, () -> BatchScoringJob.run(spark,
        BatchScoringJob.parse(new String[] {"--model", pipeline, "--input", input, "--output", output.toString()}),
        System.out));
    assertTrue(String.valueOf(e.getMessage()).contains("x2"), e.getMessage());
    assertFalse(Files.exists(output), "a failed job leaves no output folder");
  }

  @Test
  void argumentsAreCheckedWithClearMessages() {
    assertEquals("true", BatchScoringJob.parse(new String[] {"--help"}).get("help"));
    assertTrue(BatchScoringJob.USAGE.contains("--model PATH"));
    assertEquals("Missing required option --output.",
        assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.parse(new String[] {"--model", "m", "--input", "i"}))
            .getMessage());
    assertEquals("Unknown option --modle.",
        assertThrows(IllegalArgumentException.class, () -> BatchScoringJob.parse(new String[] {"--modle", "m"})).getMessage());
    assertEquals("--format must be parquet, csv or image; found 'json'.", assertThrows(IllegalArgumentException.class,
        () -> BatchScoringJob.parse(new String[] {"--model", "m", "--input", "i", "--output", "o", "--format", "json"}))
        .getMessage());
    Map<String, String> ok = BatchScoringJob.parse(new String[] {"--model", "m", "--input", "i", "--output", "o"});
    assertFalse(ok.containsKey("format"));
    assertFalse(ok.containsKey("verbose"), "quiet by default");
    assertEquals("true", BatchScoringJob.parse(new String[] {"--verbose", "--model", "m", "--input", "i", "--output", "o"})
        .get("verbose"), "--verbose takes no value");
  }
}
