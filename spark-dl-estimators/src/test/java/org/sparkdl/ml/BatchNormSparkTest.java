package org.sparkdl.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.testkit.SharedSpark;
import org.sparkdl.train.Inference;

/**
 * Batch normalisation trained on Spark: the running statistics travel with the parameters each
 * round (averaged over the workers by rows), so the fitted model scores with learned statistics,
 * exactly as a local network holding the same weights and buffers does, and keeps them through
 * save, load and checkpoints.
 */
@ExtendWith(SharedSpark.class)
class BatchNormSparkTest {
  /** dense 16, batch norm, relu, dense 3. */
  static NetworkSpec network() {
    return NetworkSpec.builder().input("features", 4).dense(16).batchNorm().relu().dense(3).build();
  }

  static NeuralNetworkClassifier classifier(String mode) {
    return new NeuralNetworkClassifier().setNetwork(network()).setMaxEpochs(3).setBatchSize(32).setLearningRate(0.02)
        .setSeed(6).setSyncMode(mode).setLocalSteps(2);
  }

  /** The blobs shifted and scaled far from zero mean and unit variance, so that the statistics must move. */
  static Dataset<Row> shifted(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Row r : TrainingFixtures.blobRows(300, 21)) {
      double[] x = ((Vector) r.get(1)).toArray().clone();
      for (int j = 0; j < x.length; j++) {
        x[j] = 5 + 3 * x[j];
      }
      rows.add(RowFactory.create(r.get(0), Vectors.dense(x)));
    }
    return TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA, 2);
  }

  /** The model's logits for {@code data} as a local network with its weights and buffers computes them. */
  static float[] local(NeuralNetworkClassificationModel m, List<double[]> features) {
    float[] x = new float[features.size() * 4];
    for (int r = 0; r < features.size(); r++) {
      for (int j = 0; j < 4; j++) {
        x[r * 4 + j] = (float) features.get(r)[j];
      }
    }
    try (Network n = Network.uninitialised(m.spec(), ExecutorBackends.host(), DType.FLOAT32)) {
      n.parameters().values().copyFrom(m.weights());
      n.buffers().values().copyFrom(m.buffers());
      return Inference.predict(n, x, Shape.of(4), 64);
    }
  }

  static void assertScoresAsTheLocalNetwork(NeuralNetworkClassificationModel model, Dataset<Row> data) {
    List<double[]> features = new ArrayList<>();
    List<double[]> raw = new ArrayList<>();
    for (Row r : model.transform(data).select("features", "rawPrediction").collectAsList()) {
      features.add(((Vector) r.get(0)).toArray());
      raw.add(((Vector) r.get(1)).toArray());
    }
    float[] expected = local(model, features);
    for (int r = 0; r < raw.size(); r++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(expected[r * 3 + j], raw.get(r)[j], 1e-5, "row " + r);
      }
    }
  }

  /** The running means are no longer 0 and the running variances no longer 1. */
  static void assertLearnedStatistics(float[] buffers) {
    assertEquals(32, buffers.length, "16 running means, then 16 running variances");
    for (int c = 0; c < 16; c++) {
      assertTrue(Math.abs(buffers[c]) > 1e-3, "running mean " + c + " is " + buffers[c]);
      assertTrue(Math.abs(buffers[16 + c] - 1) > 1e-3, "running variance " + c + " is " + buffers[16 + c]);
    }
  }

  @Test
  void aBatchNormNetworkFitOnSparkScoresAsTheLocalNetworkWithTheSameWeightsAndBuffers(SparkSession spark) {
    Dataset<Row> data = shifted(spark).cache();
    for (String mode : new String[] {"gradient", "average"}) {
      NeuralNetworkClassificationModel model = classifier(mode).fit(data);
      assertLearnedStatistics(model.buffers());
      assertScoresAsTheLocalNetwork(model, data);
      assertTrue(TrainingFixtures.accuracy(model.transform(data)) > 0.9, mode);
      NeuralNetworkClassificationModel again = classifier(mode).fit(data);
      assertArrayEquals(model.weights(), again.weights(), mode + ": deterministic weights");
      assertArrayEquals(model.buffers(), again.buffers(), mode + ": deterministic buffers");
    }
  }

  @Test
  void theBuffersAreSavedLoadedAndCheckpointed(SparkSession spark, @TempDir Path tmp) throws IOException {
    Dataset<Row> data = shifted(spark).cache();
    String straightDir = tmp.resolve("straight").toUri().toString();
    String resumedDir = tmp.resolve("resumed").toUri().toString();
    NeuralNetworkClassificationModel straight = classifier("gradient").setMaxEpochs(4).setCheckpointDir(straightDir).fit(data);
    classifier("gradient").setMaxEpochs(2).setCheckpointDir(resumedDir).fit(data);
    NeuralNetworkClassificationModel resumed = classifier("gradient").setMaxEpochs(4).setCheckpointDir(resumedDir).fit(data);
    assertArrayEquals(straight.weights(), resumed.weights());
    assertArrayEquals(straight.buffers(), resumed.buffers(), "the checkpoint restored the running statistics");
    String path = tmp.resolve("model").toUri().toString();
    straight.write().save(path);
    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(path);
    assertArrayEquals(straight.buffers(), loaded.buffers());
    assertEquals(straight.transform(data).select("rawPrediction").collectAsList(),
        loaded.transform(data).select("rawPrediction").collectAsList());
  }

  @Test
  void validationUsesTheRunningStatisticsAndTheBestEpochKeepsItsOwn(SparkSession spark) {
    Dataset<Row> data = shifted(spark).withColumn("isVal", rand(3).lt(0.3)).cache();
    NeuralNetworkClassificationModel model = classifier("gradient").setMaxEpochs(4).setValidationIndicatorCol("isVal")
        .fit(data);
    Dataset<Row> validation = data.filter(col("isVal"));
    double best = model.summary().validationMetricHistory().get(model.summary().bestEpoch() - 1);
    assertEquals(best, TrainingFixtures.accuracy(model.transform(validation)), 1e-9);
    assertLearnedStatistics(model.buffers());
  }
}
