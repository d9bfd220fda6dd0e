package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.MnistFrames;
import org.sparkdl.testkit.SharedSpark;

/**
 * An LSTM reading each digit row by row in local[2] (first 8000 rows train, last 2000 test): the
 * 784 pixels reshaped to 28 steps of 28 values, an LSTM of {@value #HIDDEN} units whose last state
 * feeds a dense layer of 10; Adam, batch 64, {@value #EPOCHS} epochs, fixed seed, gradient mode. The
 * saved model, loaded back, scores the test rows the same.
 */
@ExtendWith(SharedSpark.class)
class MnistLstmTest {
  static final int HIDDEN = 64;
  static final int EPOCHS = 8;

  /** The row-by-row network, as the example trains it. */
  static NetworkSpec rowLstm(int hidden) {
    return NetworkSpec.builder().input("features", 784).reshape(28, 28).lstm(hidden).dense(10).build();
  }

  @Test
  void rowByRowLstmReaches92PercentTestAccuracyAndScoresTheSameAfterALoad(SparkSession spark, @TempDir Path dir)
      throws IOException {
    Dataset<Row> train = MnistFrames.train(spark).cache();
    Dataset<Row> test = MnistFrames.test(spark).cache();
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setNetwork(rowLstm(HIDDEN))
        .setMaxEpochs(EPOCHS).setBatchSize(64).setLearningRate(2e-3).setSeed(42).fit(train);
    long t0 = System.nanoTime();
    List<Row> rows = model.transform(test).select("label", "prediction").collectAsList();
    double scoringSeconds = (System.nanoTime() - t0) / 1e9;
    double accuracy = 100.0 * rows.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count() / rows.size();
    System.out.printf("MNIST row LSTM (hidden %d, %d epochs, local[2]): %.2f%% test accuracy, fit %.1f s"
        + " (%.0f training samples/s), scoring 2000 rows %.1f s, losses %s%n", HIDDEN, EPOCHS, accuracy,
        model.summary().seconds(), EPOCHS * 8000 / model.summary().seconds(), scoringSeconds,
        model.summary().lossHistory());
    assertEquals(EPOCHS, model.summary().epochs());
    assertTrue(accuracy >= 92.0, "accuracy " + accuracy);
    String path = dir.resolve("row-lstm").toUri().toString();
    model.write().save(path);
    List<Row> again = NeuralNetworkClassificationModel.load(path).transform(test).select("label", "prediction")
        .collectAsList();
    assertEquals(rows, again);
  }
}
