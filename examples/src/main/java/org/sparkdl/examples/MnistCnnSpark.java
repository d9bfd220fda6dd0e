package org.sparkdl.examples;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.train.InMemoryDataset;

/**
 * A convolutional network on Spark: a LeNet with batch normalisation trained on the bundled MNIST
 * sample in a local Spark session (two partitions, data-parallel), features given as {@code
 * Vector}s of 784 pixels and fed as {@code [1, 28, 28]} images through {@code inputShape}. By
 * default the 8000 training digits are joined by their copies shifted one pixel each way (a
 * {@code flatMap} on the DataFrame). Prints the test accuracy and time.
 *
 * <pre>
 *   mvn -q -B -pl examples exec:exec -Dexample.main=org.sparkdl.examples.MnistCnnSpark
 *   mvn -q -B -pl examples exec:exec -Dexample.main=org.sparkdl.examples.MnistCnnSpark -Dexample.args="10 none"
 * </pre>
 *
 * <p>Arguments (all optional): {@code epochs} (default 2), {@code augment} ({@code shifts}, the
 * default, or {@code none}; without shifts, train about 10 epochs for the same work), {@code
 * syncMode} ({@code gradient} or {@code average}), {@code master} (default {@code local[2]}).
 */
public final class MnistCnnSpark {
  private MnistCnnSpark() {}

  /** conv 16@5x5 (padding 2), BN, ReLU, pool 2; conv 32@5x5, BN, ReLU, pool 2; dense 256, ReLU, dropout 0.5; dense 10. */
  static NetworkSpec lenet() {
    return lenet(10);
  }

  /** {@link #lenet()} with a last dense layer of {@code classes} units. */
  static NetworkSpec lenet(int classes) {
    return NetworkSpec.builder()
        .input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 5).batchNorm().relu().maxPool2d(2)
        .flatten().dense(256).relu().dropout(0.5).dense(classes)
        .build();
  }

  /** Each row, then its copies shifted by one pixel down, up, right and left (zeros enter at the edge). */
  static Dataset<Row> withShifts(Dataset<Row> digits) {
    int[][] shifts = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    FlatMapFunction<Row, Row> shift = r -> {
      double[] x = ((Vector) r.get(1)).toArray();
      List<Row> out = new ArrayList<>(shifts.length);
      for (int[] s : shifts) {
        double[] y = new double[MnistIdx.WIDTH];
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

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    boolean shifts = !(args.length > 1 && args[1].equals("none"));
    String mode = args.length > 2 ? args[2] : "gradient";
    String master = args.length > 3 ? args[3] : "local[2]";
    int batch = 64;
    SparkSession spark = MnistSpark.session(master, "spark-dl MNIST CNN");
    try {
      InMemoryDataset all = MnistIdx.load();
      Dataset<Row> digits = MnistSpark.frame(spark, all.slice(0, MnistIdx.TRAIN_ROWS));
      Dataset<Row> train = (shifts ? withShifts(digits) : digits).cache();
      Dataset<Row> test = MnistSpark.frame(spark, all.slice(MnistIdx.TRAIN_ROWS, all.rows())).cache();
      long rows = train.count();
      System.out.printf("MNIST sample: %d training rows (%s), %d test rows, %s%n", rows,
          shifts ? "with shifted copies" : "no augmentation", test.count(), master);

      long roundsPerEpoch = (rows + batch - 1) / batch;
      long t0 = System.nanoTime();
      NeuralNetworkClassificationModel model = new NeuralNetworkClassifier()
          .setNetwork(lenet())
          .setInputShape(1, 28, 28)
          .setOptimizer("adam").setLearningRate(1e-3)
          .setLearningRateSchedule("cosine:" + epochs * roundsPerEpoch + ":0")
          .setBatchSize(batch).setMaxEpochs(epochs)
          .setSyncMode(mode)
          .setSeed(42)
          .fit(train);
      double fitSeconds = (System.nanoTime() - t0) / 1e9;

      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
      System.out.printf("NeuralNetworkClassifier LeNet with batch norm (%s mode, %d epochs, %d rounds): test accuracy"
          + " %.2f%%, fit %.1f s, final training loss %.4f%n", mode, epochs, model.summary().rounds(), 100 * accuracy,
          fitSeconds, model.summary().lossHistory().get(model.summary().epochs() - 1));
    } finally {
      spark.stop();
    }
  }
}
