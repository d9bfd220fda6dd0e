package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.testkit.MnistFrames;
import org.sparkdl.testkit.SharedSpark;

/**
 * A LeNet-style CNN trained by the Spark estimator on the bundled MNIST sample in local[2] (first
 * 8000 rows train, last 2000 test): the features are {@code Vector}s of 784 pixels fed as {@code
 * [1, 28, 28]} images through {@code inputShape}; conv 16@5x5 (padding 2), batch norm, ReLU, max
 * pool 2, conv 32@5x5, batch norm, ReLU, max pool 2, dense 256, ReLU, dropout 0.5, dense 10; Adam
 * lr 1e-3 with cosine decay to 0, batch 64, seed 42, gradient mode. The training rows are the 8000
 * digits and their copies shifted by one pixel each way, made by a {@code flatMap} on the
 * DataFrame (40,000 rows), for 2 epochs: 1250 rounds.
 *
 * <p>Measured on this split: without the shifts the same network reaches 98.05% after 10 epochs
 * (the same 1250 rounds), and a 32/64-filter variant 98.00%; the local trainer levels off at
 * 98.0-98.25% for every variant tried, too close to 98% to hold across CPUs whose BLAS rounds
 * differently. The shifts give 98.40% for the same work. The last 2000 digits of this sample are
 * among MNIST's harder ones; the canonical LeNet (6 and 16 filters) stays near 97.3%.
 */
@ExtendWith(SharedSpark.class)
class MnistCnnSparkTest {
  static final int EPOCHS = 2;
  static final int BATCH = 64;

  static NetworkSpec lenet() {
    return NetworkSpec.builder()
        .input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 5).batchNorm().relu().maxPool2d(2)
        .flatten().dense(256).relu().dropout(0.5).dense(10)
        .build();
  }

  /** Each row, then its copies shifted by one pixel down, up, right and left (zeros enter at the edge). */
  static Dataset<Row> withShifts(Dataset<Row> digits) {
    int[][] shifts = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    FlatMapFunction<Row, Row> shift = r -> {
      double[] x = ((Vector) r.get(1)).toArray();
      List<Row> out = new ArrayList<>(shifts.length);
      for (int[] s : shifts) {
        double[] y = new double[784];
        for (int i = 0; i < 28; i++) {
          for (int j = 0; j < 28; j++) {
            int si = i - s[0];
            int sj = j - s[1];
            y[i * 28 + j] = si >= 0 && si < 28 && sj >= 0 && sj < 28 ? x[si * 28 + sj] : 0;
          }
        }
        out.add(RowFactory.create(r.get(0), Vectors.dense(y)));
      }
      return out.iterator();
    };
    return digits.flatMap(shift, Encoders.row(digits.schema()));
  }

  @Test
  void aLenetWithBatchNormReaches98PercentOnTheHeldOutDigits(SparkSession spark) {
    Dataset<Row> train = withShifts(MnistFrames.train(spark)).cache();
    Dataset<Row> test = MnistFrames.test(spark).cache();
    assertEquals(40_000, train.count());
    int steps = EPOCHS * ((40_000 + BATCH - 1) / BATCH);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier()
        .setNetwork(lenet()).setInputShape(1, 28, 28)
        .setOptimizer("adam").setLearningRate(1e-3).setLearningRateSchedule("cosine:" + steps + ":0")
        .setBatchSize(BATCH).setMaxEpochs(EPOCHS).setSeed(42)
        .fit(train);
    double accuracy = MnistSparkTest.accuracy(model, test);
    System.out.printf("MNIST LeNet with batch norm in local[2]: %.2f%% test accuracy after %d epochs, %d rounds, fit %.1f s%n",
        accuracy, EPOCHS, model.summary().rounds(), model.summary().seconds());
    assertEquals(steps, model.summary().rounds());
    assertEquals(2 * (16 + 32), model.buffers().length, "running means and variances of both batch norms");
    assertTrue(accuracy >= 98.0, "accuracy " + accuracy);
  }
}
