package org.sparkdl.ml.scoring;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.JobRecorder;
import org.sparkdl.testkit.NetworkParamSamples;
import org.sparkdl.testkit.ParamsContract;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith(SharedSpark.class)
class NeuralNetworkClassificationModelTest {

  static IllegalArgumentException argumentError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException iae) {
        return iae;
      }
    }
    throw new AssertionError("No IllegalArgumentException in the cause chain of " + e, e);
  }

  @Test
  void honoursTheParamsContract() {
    ParamsContract contract = ParamsContract.of(ScoringFixtures.classifier("clfModel_1", 4, 8, 3))
        .sample("featuresCol", "f").sample("labelCol", "y").sample("predictionCol", "pred")
        .sample("rawPredictionCol", "raw").sample("probabilityCol", "prob").sample("thresholds", new double[] {0.2, 0.3, 0.5})
        .sample("transformOutput", "modelInfo");
    org.sparkdl.ml.param.ParamTable.samples().forEach(contract::sample);
    NetworkParamSamples.addTo(contract).check();
  }

  @Test
  void appendsLogitsTheirSoftmaxAndTheirArgmax(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> scored = model.transform(ScoringFixtures.frame(spark, 120, 4, 2));
    assertEquals(List.of("id", "features", "rawPrediction", "probability", "prediction"), List.of(scored.columns()));
    assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("rawPrediction").dataType());
    assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("probability").dataType());
    assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
    List<Row> rows = scored.orderBy("id").collectAsList();
    assertEquals(120, rows.size());
    int[] counts = new int[3];
    for (Row r : rows) {
      double[] raw = ((Vector) r.getAs("rawPrediction")).toArray();
      assertArrayEquals(model.predictRaw(r.getAs("features")).toArray(), raw, 1e-5);
      double[] p = ((Vector) r.getAs("probability")).toArray();
      double z = Math.exp(raw[0]) + Math.exp(raw[1]) + Math.exp(raw[2]);
      for (int j = 0; j < 3; j++) {
        assertEquals(Math.exp(raw[j]) / z, p[j], 1e-12);
      }
      int best = raw[1] > raw[0] ? 1 : 0;
      best = raw[2] > raw[best] ? 2 : best;
      assertEquals(best, r.<Double>getAs("prediction"));
      counts[best]++;
    }
    assertTrue(counts[0] > 0 && counts[1] + counts[2] > 0, "the seeded network predicts more than one class");
  }

  @Test
  void scoresArrayFeaturesExactlyAsVectors(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> vectors = ScoringFixtures.frame(spark, 50, 4, 2);
    List<double[]> expected = ScoringFixtures.vectors(model.transform(vectors), "rawPrediction");
    Dataset<Row> floats = vectors.withColumn("features", vector_to_array(col("features"), "float32"));
    Dataset<Row> doubles = vectors.withColumn("features", vector_to_array(col("features"), "float64"));
    assertEquals("array<float>", floats.schema().apply("features").dataType().simpleString());
    assertEquals("array<double>", doubles.schema().apply("features").dataType().simpleString());
    List<double[]> fromFloats = ScoringFixtures.vectors(model.transform(floats), "rawPrediction");
    List<double[]> fromDoubles = ScoringFixtures.vectors(model.transform(doubles), "rawPrediction");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), fromFloats.get(i));
      assertArrayEquals(expected.get(i), fromDoubles.get(i));
    }
  }

  /**
   * Also over a shuffle, whose plan adaptive execution would run as soon as the plan became an RDD:
   * the scored rows make their input's RDD only when an action asks for their partitions.
   */
  @Test
  void transformRunsNoJobUntilAnAction(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> data = ScoringFixtures.frame(spark, 40, 4, 2);
    for (Dataset<Row> input : List.of(data, data.repartition(3))) {
      try (JobRecorder jobs = JobRecorder.start(spark)) {
        Dataset<Row> scored = model.transform(input);
        assertEquals(List.of(), jobs.jobs());
        assertEquals(40, scored.count());
        assertFalse(jobs.jobs().isEmpty());
      }
    }
  }

  /** 20 rows in 2 partitions (ids 0-9 and 10-19), all valid except id {@code badId}, which holds {@code bad}. */
  static Dataset<Row> withBadRow(SparkSession spark, int badId, Vector bad) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(RowFactory.create((long) i, i == badId ? bad : Vectors.dense(i, 0, 1, 2)));
    }
    return ScoringFixtures.frame(spark, rows, ScoringFixtures.SCHEMA, 2);
  }

  @Test
  void aBadRowScoredFromAFileIsNamedByTheFileAndItsRowThere(SparkSession spark, @TempDir Path dir) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    String path = dir.resolve("in.parquet").toUri().toString();
    withBadRow(spark, 13, Vectors.dense(1, 2, 3)).write().parquet(path);   // rows 10-19 are the second file
    Dataset<Row> scored = model.transform(spark.read().parquet(path));
    String message = argumentError(assertThrows(SparkException.class, scored::collectAsList)).getMessage();
    assertTrue(message.matches("Column 'features', row \\d+ of partition \\d+: 3 values; the input layer expects 4\\."
        + " \\(input file file:.*/in\\.parquet/part-00001-[^ ]*\\.parquet, row 3 of the file, counting from 0\\)"), message);
  }

  @Test
  void badRowsFailOnlyWhenAnActionRunsNamingPartitionAndRow(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> scored = model.transform(withBadRow(spark, 13, Vectors.dense(1, 2, 3)));
    assertEquals("Column 'features', row 3 of partition 1: 3 values; the input layer expects 4.",
        argumentError(assertThrows(SparkException.class, scored::collectAsList)).getMessage());
    Dataset<Row> nulls = model.transform(withBadRow(spark, 17, null));
    assertEquals("Column 'features', row 7 of partition 1: null; expected a vector of 4 values.",
        argumentError(assertThrows(SparkException.class, nulls::count)).getMessage());
    Dataset<Row> nans = withBadRow(spark, 4, Vectors.dense(1, Double.NaN, 0, 0));
    assertEquals("Column 'features', row 4 of partition 0: NaN at index 1.",
        argumentError(assertThrows(SparkException.class, () -> model.transform(nans).collectAsList())).getMessage());
    NeuralNetworkClassificationModel unchecked = model.copy(new ParamMap().put(model.validateInput(), false));
    Row nan = unchecked.transform(nans).filter("id = 4").first();
    assertTrue(Double.isNaN(((Vector) nan.getAs("rawPrediction")).apply(0)));
  }

  @Test
  void scoresAStreamingDataFrame(SparkSession spark, @TempDir Path dir) throws Exception {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Path in = Files.createDirectories(dir.resolve("in"));
    StringBuilder json = new StringBuilder();
    List<Row> batchRows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      double[] x = {i / 10.0, -i / 7.0, 1, (i % 3) - 1};
      json.append("{\"id\":").append(i).append(",\"features\":[").append(x[0]).append(',').append(x[1]).append(',')
          .append(x[2]).append(',').append(x[3]).append("]}\n");
      batchRows.add(RowFactory.create((long) i, Vectors.dense(x)));
    }
    Files.writeString(in.resolve("part-0.json"), json);
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> stream = spark.readStream().schema(schema).json(in.toString());
    StreamingQuery query = model.transform(stream).writeStream().format("memory").queryName("clf_scored")
        .trigger(Trigger.AvailableNow()).option("checkpointLocation", dir.resolve("checkpoint").toString()).start();
    assertTrue(query.awaitTermination(120_000));
    double[] streamed = ScoringFixtures.doubles(spark.table("clf_scored"), "prediction");
    double[] batch = ScoringFixtures.doubles(model.transform(ScoringFixtures.frame(spark, batchRows, ScoringFixtures.SCHEMA, 1)),
        "prediction");
    assertEquals(30, streamed.length);
    assertArrayEquals(batch, streamed);
  }

  @Test
  void emptyOutputColumnNamesSkipThoseColumns(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> data = ScoringFixtures.frame(spark, 30, 4, 2);
    double[] all = ScoringFixtures.doubles(model.transform(data), "prediction");
    model.setRawPredictionCol("");
    assertEquals(List.of("id", "features", "probability", "prediction"), List.of(model.transform(data).columns()));
    model.setProbabilityCol("");
    Dataset<Row> onlyPrediction = model.transform(data);
    assertEquals(List.of("id", "features", "prediction"), List.of(onlyPrediction.columns()));
    assertArrayEquals(all, ScoringFixtures.doubles(onlyPrediction, "prediction"));
    model.setRawPredictionCol("raw").setPredictionCol("");
    assertEquals(List.of("id", "features", "raw"), List.of(model.transform(data).columns()));
    model.setRawPredictionCol("");
    assertEquals("rawPredictionCol, probabilityCol and predictionCol are all empty; nothing to output.",
        assertThrows(IllegalArgumentException.class, () -> model.transform(data)).getMessage());
  }

  @Test
  void thresholdsChangePredictionsAsSparkDefinesThem(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> data = ScoringFixtures.frame(spark, 200, 4, 2);
    double[] plain = ScoringFixtures.doubles(model.transform(data), "prediction");
    model.setThresholds(new double[] {0.9, 0.05, 0.9});
    List<Row> rows = model.transform(data).orderBy("id").select("probability", "prediction").collectAsList();
    int changed = 0;
    for (int i = 0; i < rows.size(); i++) {
      Vector p = rows.get(i).getAs(0);
      double expected = model.probability2prediction(p);
      assertEquals(expected, rows.get(i).getDouble(1), "row " + i);
      changed += expected != plain[i] ? 1 : 0;
    }
    assertTrue(changed > 0, "thresholds that favour class 1 change some predictions");
    long ones = rows.stream().filter(r -> r.getDouble(1) == 1.0).count();
    assertTrue(ones > 0.8 * rows.size(), ones + " of " + rows.size() + " rows predicted as class 1");
  }

  @Test
  void aZeroThresholdWinsAsInSparkWhoseRuleStopsAtAnUnderflowedProbability(SparkSession spark) {
    // one dense layer 2 -> 3 with zero weights; biases [b, 0, 0] give logits [b, 0, 0]
    NetworkSpec spec = NetworkSpec.mlp(new int[] {2, 3}, "relu");
    StructType schema = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType());
    Dataset<Row> data = ScoringFixtures.frame(spark, List.of(RowFactory.create(0L, Vectors.dense(1, 2))), schema, 1);
    for (float bias : new float[] {5, 1000}) {
      float[] w = new float[9];
      w[6] = bias;
      NeuralNetworkClassificationModel model = new NeuralNetworkClassificationModel("clf", spec, w);
      Row plain = model.transform(data).first();
      assertEquals(0.0, plain.<Double>getAs("prediction"));
      model.setThresholds(new double[] {1, 0, 1});
      Vector p = plain.getAs("probability");
      double spark0 = model.probability2prediction(p);
      assertEquals(spark0, model.transform(data).first().<Double>getAs("prediction"), "bias " + bias);
      // Spark predicts the zero-threshold class while its probability is positive, not once it is exactly 0
      assertEquals(p.apply(1) > 0 ? 1.0 : 0.0, spark0, "bias " + bias);
    }
  }

  @Test
  void anEmptyModelFromTheUidConstructorRefusesToScoreOrSave(SparkSession spark) {
    NeuralNetworkClassificationModel empty = new NeuralNetworkClassificationModel("nnClfModel_e");
    assertEquals("nnClfModel_e", empty.uid());
    assertEquals(0, empty.numClasses());
    String message = "Model nnClfModel_e holds no network: it was made by its uid constructor. Fit an estimator or load a"
        + " saved model instead.";
    Dataset<Row> data = ScoringFixtures.frame(spark, 4, 4, 1);
    assertEquals(message, assertThrows(IllegalStateException.class, () -> empty.transform(data)).getMessage());
    assertEquals(message, assertThrows(IllegalStateException.class, () -> empty.predictRaw(Vectors.dense(1, 2, 3, 4))).getMessage());
    assertEquals(message, assertThrows(IllegalStateException.class, empty::write).getMessage());
    assertTrue(new NeuralNetworkClassificationModel().uid().startsWith("nnClfModel_"));
    NeuralNetworkRegressionModel emptyRegressor = new NeuralNetworkRegressionModel("nnRegModel_e");
    assertEquals("Model nnRegModel_e holds no network: it was made by its uid constructor. Fit an estimator or load a saved"
        + " model instead.", assertThrows(IllegalStateException.class, () -> emptyRegressor.transform(data)).getMessage());
  }

  @Test
  void rejectsThresholdsOfTheWrongLengthAtTransform(SparkSession spark) {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    Dataset<Row> data = ScoringFixtures.frame(spark, 10, 4, 1);
    ParamMap two = new ParamMap().put(model.thresholds(), new double[] {0.5, 0.5});
    assertEquals("Param thresholds has 2 values; the model has 3 classes.",
        assertThrows(IllegalArgumentException.class, () -> model.transform(data, two)).getMessage());
  }

  @Test
  void transformSchemaNamesTheColumnAndWhatIsWrong() {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf", 4, 8, 3);
    StructType noFeatures = new StructType().add("id", DataTypes.LongType).add("x", SQLDataTypes.VectorType());
    assertEquals("Column 'features' does not exist; columns: id, x.",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(noFeatures)).getMessage());
    StructType strings = new StructType().add("features", DataTypes.StringType);
    assertEquals("Column 'features' has type string; expected a Vector, array<float>, array<double>, a number, an image struct"
        + " (Spark's image source), binary (encoded images), array<array<float>> or array<array<double>> (sequences),"
        + " array<int> or array<long> (token ids).",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(strings)).getMessage());
    StructType taken = ScoringFixtures.SCHEMA.add("probability", DataTypes.DoubleType);
    assertEquals("Column 'probability' already exists; columns: id, features, probability. Choose another output column name.",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(taken)).getMessage());
    NeuralNetworkClassificationModel twice = model.copy(new ParamMap().put(model.probabilityCol(), "out")
        .put(model.predictionCol(), "out"));
    assertEquals("Column 'out' is named by two of rawPredictionCol, probabilityCol and predictionCol; choose distinct names.",
        assertThrows(IllegalArgumentException.class, () -> twice.transformSchema(ScoringFixtures.SCHEMA)).getMessage());
    StructType fiveWide = new StructType().add(new AttributeGroup("features", 5).toStructField());
    assertEquals("Column 'features' declares 5 values in its metadata; the input layer expects 4.",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(fiveWide)).getMessage());
    StructType out = model.transformSchema(ScoringFixtures.SCHEMA);
    assertEquals(List.of("id", "features", "rawPrediction", "probability", "prediction"), List.of(out.fieldNames()));
  }

  @Test
  void aModelNotFittedInThisSessionHasNoSummary() {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf_7", 4, 8, 3);
    assertFalse(model.hasSummary());
    assertEquals("No training summary for model clf_7: it was not fitted in this session, and its save (if any) recorded"
        + " none.",
        assertThrows(IllegalStateException.class, model::summary).getMessage());
    TrainingSummary s = new TrainingSummary(List.of(0.5, 0.25), List.of(), List.of(), "accuracy", 8, 100, List.of(0.7, 1.4), 1.5, 2,
        false);
    NeuralNetworkClassificationModel copy = model.setSummary(s).copy(ParamMap.empty());
    assertSame(s, copy.summary());
    assertEquals(2, copy.summary().epochs());
    assertArrayEquals(new double[] {0.5, 0.25}, copy.summary().objectiveHistory());
    assertEquals("TrainingSummary(2 epochs, 8 rounds, final loss 0.25000, 1.5 s)", s.toString());
    assertEquals(List.of(), s.trainAccuracyHistory());
    assertEquals(0, s.confusionMatrix().numRows());
    assertEquals("", s.confusionMatrixSource());
  }

  @Test
  void aClassifiersSummaryStatesItsAccuracyAndWhereItsConfusionMatrixComesFrom() {
    org.apache.spark.ml.linalg.Matrix m = org.apache.spark.ml.linalg.Matrices.dense(2, 2, new double[] {40, 5, 10, 45});
    TrainingSummary s = new TrainingSummary(List.of(0.5, 0.25), List.of(), List.of(), "accuracy", 8, 100, List.of(0.7, 1.4),
        1.5, 2, false, List.of(), List.of(0.6, 0.85), m, "training");
    assertEquals("TrainingSummary(2 epochs, 8 rounds, final loss 0.25000, train accuracy 0.8500, 1.5 s)", s.toString());
    assertArrayEquals(new double[] {0.6, 0.85}, s.trainAccuracies());
    assertEquals(10, s.confusionMatrix().apply(0, 1), 0, "row: true class 0, column: predicted class 1");
    assertEquals("A confusion matrix comes from the validation or the training rows; found 'test'.", assertThrows(
        IllegalArgumentException.class, () -> new TrainingSummary(List.of(), List.of(), List.of(), "accuracy", 0, 0, List.of(),
            0, 0, false, List.of(), List.of(), m, "test")).getMessage());
  }

  @Test
  void describesItselfInOneLine() {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf_7", 4, 8, 3);
    assertEquals("NeuralNetworkClassificationModel: uid=clf_7, numClasses=3, numFeatures=4, parameters=67", model.toString());
    assertEquals(3, model.numClasses());
    assertEquals(4, model.numFeatures());
    float[] w = model.weights();
    w[0] = 99;
    assertNotEquals(99f, model.weights()[0], "weights() is a copy");
    String table = model.describe();
    assertEquals(org.sparkdl.nn.Network.describe(model.spec()), table);
    assertTrue(table.strip().endsWith("67"), table);
  }
}
