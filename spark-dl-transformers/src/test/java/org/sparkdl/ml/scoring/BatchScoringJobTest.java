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
