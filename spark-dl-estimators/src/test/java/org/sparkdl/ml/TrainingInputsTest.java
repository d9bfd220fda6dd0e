package org.sparkdl.ml;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.testkit.JobRecorder;
import org.sparkdl.testkit.SharedSpark;

/** What the classifier trains on and how the training params shape a fit, on 300 rows of three blobs. */
@ExtendWith(SharedSpark.class)
class TrainingInputsTest {

  static NeuralNetworkClassifier classifier() {
    return new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(3).setBatchSize(64).setLearningRate(0.03).setSeed(4);
  }

  /** The blobs with features under 0.5 in magnitude set to zero, so that sparse vectors are really sparse. */
  static List<Row> sparseBlobRows(int n) {
    Random r = new Random(6);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = TrainingFixtures.point(r, i % 3);
      for (int j = 0; j < 4; j++) {
        x[j] = Math.abs(x[j]) < 0.5 ? 0 : x[j];
      }
      rows.add(RowFactory.create((double) (i % 3), Vectors.dense(x)));
    }
    return rows;
  }

  @Test
  void denseSparseAndArrayFeaturesTrainTheSameNetwork(SparkSession spark) {
    List<Row> dense = sparseBlobRows(300);
    List<Row> sparse = dense.stream().map(r -> RowFactory.create(r.get(0), ((org.apache.spark.ml.linalg.Vector) r.get(1)).toSparse()))
        .toList();
    Dataset<Row> denseData = TrainingFixtures.frame(spark, dense, TrainingFixtures.SCHEMA, 2);
    Dataset<Row> sparseData = TrainingFixtures.frame(spark, sparse, TrainingFixtures.SCHEMA, 2);
    Dataset<Row> floats = denseData.withColumn("features", vector_to_array(col("features"), "float32"));
    Dataset<Row> doubles = denseData.withColumn("features", vector_to_array(col("features"), "float64"));

    NeuralNetworkClassificationModel fromDense = classifier().fit(denseData);
    assertTrue(TrainingFixtures.accuracy(fromDense.transform(denseData)) > 0.9);
    NeuralNetworkClassificationModel fromSparse = classifier().fit(sparseData);
    assertArrayEquals(fromDense.weights(), fromSparse.weights());
    assertEquals(TrainingFixtures.accuracy(fromDense.transform(denseData)), TrainingFixtures.accuracy(fromSparse.transform(sparseData)));
    NeuralNetworkClassificationModel fromFloats = classifier().fit(floats);
    assertArrayEquals(fromDense.weights(), fromFloats.weights());
    NeuralNetworkClassificationModel fromDoubles = classifier().fit(doubles);
    assertArrayEquals(fromDense.weights(), fromDoubles.weights());
    assertEquals(TrainingFixtures.accuracy(fromDense.transform(denseData)), TrainingFixtures.accuracy(fromFloats.transform(floats)));
  }

  @Test
  void zeroWeightsOnAClassMeanItIsNeverPredicted(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Row r : TrainingFixtures.blobRows(300, 7)) {
      rows.add(RowFactory.create(r.get(0), r.get(1), r.getDouble(0) == 2.0 ? 0.0 : 1.0));
    }
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA.add("w", DataTypes.DoubleType), 2);
    long twos = classifier().fit(data).transform(data).filter("prediction = 2").count();
    assertTrue(twos > 80, "unweighted, class 2 is predicted for about a third of the rows: " + twos);
    NeuralNetworkClassificationModel weighted = classifier().setWeightCol("w").fit(data);
    assertEquals(0, weighted.transform(data).filter("prediction = 2").count());
    assertEquals(300, weighted.summary().trainingRows());
  }

  @Test
  void aValidationSplitGivesLossAndAccuracyPerEpoch(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Row r : TrainingFixtures.blobRows(300, 9)) {
      rows.add(RowFactory.create(r.get(0), r.get(1), rows.size() % 4 == 1));
    }
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA.add("isVal", DataTypes.BooleanType), 2);
    long validation = 75;
    NeuralNetworkClassificationModel model = classifier().setValidationIndicatorCol("isVal").fit(data);
    TrainingSummary s = model.summary();
    assertEquals(3, s.epochs());
    assertEquals(3, s.validationLossHistory().size());
    assertEquals(3, s.validationMetricHistory().size());
    assertEquals("accuracy", s.metricName());
    assertEquals(300 - validation, s.trainingRows());
    assertTrue(s.validationLossHistory().get(2) < s.validationLossHistory().get(0), s.validationLossHistory().toString());
    assertTrue(s.validationMetricHistory().get(2) > 0.9, s.validationMetricHistory().toString());
    assertTrue(s.toString().contains(", validation accuracy "), s.toString());
    assertEquals(List.of("label", "features", "isVal", "rawPrediction", "probability", "prediction"),
        List.of(model.transform(data).columns()));
  }

  @Test
  void tolStopsTrainingOnceTheLossStopsImproving(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 10, 2);
    TrainingSummary stopped = classifier().setMaxEpochs(8).setTol(0.5).fit(data).summary();
    assertTrue(stopped.stoppedEarly());
    assertTrue(stopped.epochs() < 8, "epochs " + stopped.epochs());
    assertEquals(stopped.epochs(), stopped.bestEpoch());
    // with patience, that many epochs in a row below tol: the same fit goes on longer, through the same first epochs
    TrainingSummary patient = classifier().setMaxEpochs(8).setTol(0.5).setPatience(3).fit(data).summary();
    assertEquals(Math.min(8, stopped.epochs() + 2), patient.epochs(), patient.toString());
    assertEquals(stopped.lossHistory(), patient.lossHistory().subList(0, stopped.epochs()));
    TrainingSummary full = classifier().setMaxEpochs(4).fit(data).summary();
    assertFalse(full.stoppedEarly());
    assertEquals(4, full.epochs());
    assertEquals(4 * 5, full.rounds(), "300 rows at batch size 64 make 5 rounds an epoch");
  }

  @Test
  void minDeltaAndMonitorChooseWhatEarlyStoppingWatches(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 10, 2);
    List<Double> loss = classifier().setMaxEpochs(8).fit(data).summary().lossHistory();
    // minDelta 0.5 of the fourth epoch's improvement: the first epoch that improves the best loss by less stops the fit
    double minDelta = (loss.get(2) - loss.get(3)) * 0.5;
    int expected = 8;
    double best = loss.get(0);
    for (int e = 1; e < 8; e++) {
      if (best - loss.get(e) < minDelta) {
        expected = e + 1;
        break;
      }
      best = Math.min(best, loss.get(e));
    }
    TrainingSummary stopped = classifier().setMaxEpochs(8).setMinDelta(minDelta).setMonitor("loss").fit(data).summary();
    assertEquals(expected, stopped.epochs(), "losses " + loss + ", minDelta " + minDelta);
    assertEquals(expected < 8, stopped.stoppedEarly());
    assertEquals(loss.subList(0, expected), stopped.lossHistory());

    // watching the validation accuracy: the model keeps the first epoch of the highest accuracy
    TrainingSummary byAccuracy = classifier().setMaxEpochs(6).setValidationFraction(0.3).setMonitor("validationMetric")
        .fit(data).summary();
    List<Double> accuracy = byAccuracy.validationMetricHistory();
    assertEquals(accuracy.indexOf(java.util.Collections.max(accuracy)) + 1, byAccuracy.bestEpoch(), accuracy.toString());

    assertEquals("Param monitor is 'validationLoss', which needs a validation split; set validationIndicatorCol or"
        + " validationFraction, or monitor 'loss' or 'auto'.", assertThrows(IllegalArgumentException.class,
            () -> classifier().setMonitor("validationLoss").fit(data)).getMessage());
  }

  @Test
  void averageModeTrainsOnASmallDataset(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 11, 2);
    NeuralNetworkClassificationModel model = classifier().setBatchSize(16).setSyncMode("average").setLocalSteps(4).setMaxEpochs(3)
        .fit(data);
    assertTrue(TrainingFixtures.accuracy(model.transform(data)) > 0.9, "accuracy " + TrainingFixtures.accuracy(model.transform(data)));
    assertEquals(3 * 5, model.summary().rounds(), "19 chunks of 16 rows in rounds of 4 local steps: 5 rounds an epoch");
  }

  @Test
  void fitsWithTheSameSeedAndPartitioningAreIdentical(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 12, 2);
    float[] first = classifier().fit(data).weights();
    float[] second = classifier().fit(data).weights();
    assertArrayEquals(first, second);
    float[] otherSeed = classifier().setSeed(5).fit(data).weights();
    assertFalse(Arrays.equals(first, otherSeed));
  }

  @Test
  void numWorkersRepartitionsTheTrainingData(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 13, 2);
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      classifier().setMaxEpochs(1).setNumWorkers(3).fit(data);
      assertEquals(List.of(3), tasksOf(jobs, ": encoding the training data", JobRecorder.Job::finalStageTasks),
          "the data is cached in numWorkers partitions");
      assertEquals(List.of(2), tasksOf(jobs, ": training", JobRecorder.Job::barrierTasks),
          "three partitions train in the two task slots of local[2]");
    }
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      classifier().setMaxEpochs(1).fit(data);
      assertEquals(List.of(2), tasksOf(jobs, ": encoding the training data", JobRecorder.Job::finalStageTasks),
          "numWorkers 0 keeps the input's 2 partitions");
      assertEquals(List.of(1), tasksOf(jobs, ": training", JobRecorder.Job::barrierTasks),
          "a network this small trains as one task");
    }
  }

  /** The task counts {@code count} gives of each recorded job whose description contains {@code text}. */
  private static List<Integer> tasksOf(JobRecorder jobs, String text, java.util.function.ToIntFunction<JobRecorder.Job> count) {
    return jobs.jobs().stream().filter(j -> j.description().contains(text)).map(count::applyAsInt).toList();
  }

  @Test
  void integerLabelsTrainAsTheirDoubleValues(SparkSession spark) {
    List<Row> rows = TrainingFixtures.blobRows(300, 14).stream()
        .map(r -> RowFactory.create((int) r.getDouble(0), r.get(1))).toList();
    StructType ints = new StructType().add("label", DataTypes.IntegerType).add("features", TrainingFixtures.SCHEMA.apply("features").dataType());
    Dataset<Row> intData = TrainingFixtures.frame(spark, rows, ints, 2);
    Dataset<Row> doubleData = TrainingFixtures.blobs(spark, 300, 14, 2);
    assertArrayEquals(classifier().fit(doubleData).weights(), classifier().fit(intData).weights());
  }

  @Test
  void byteShortAndDecimalLabelsTrainAsTheirDoubleValues(SparkSession spark) {
    float[] expected = classifier().fit(TrainingFixtures.blobs(spark, 300, 14, 2)).weights();
    List<Row> blobs = TrainingFixtures.blobRows(300, 14);
    DataType features = TrainingFixtures.SCHEMA.apply("features").dataType();
    Map<DataType, java.util.function.Function<Double, Object>> types = Map.of(
        DataTypes.ByteType, d -> (byte) d.intValue(),
        DataTypes.ShortType, d -> (short) d.intValue(),
        DataTypes.createDecimalType(10, 2), d -> java.math.BigDecimal.valueOf(d).setScale(2));
    types.forEach((type, convert) -> {
      List<Row> rows = blobs.stream().map(r -> RowFactory.create(convert.apply(r.getDouble(0)), r.get(1))).toList();
      Dataset<Row> data = TrainingFixtures.frame(spark, rows, new StructType().add("label", type).add("features", features), 2);
      assertArrayEquals(expected, classifier().fit(data).weights(), type.simpleString());
    });
  }
}
