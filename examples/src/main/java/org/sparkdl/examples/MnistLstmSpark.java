package org.sparkdl.examples;

import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.spec.NetworkSpec;

/**
 * A recurrent network on Spark: an LSTM reads each MNIST digit row by row (28 steps of 28 pixels)
 * and a dense layer classifies its last state. The network is a spec like any other, so the
 * estimator, its model and their persistence need nothing recurrent-specific:
 *
 * <pre>{@code
 * NetworkSpec.builder().input("features", 784).reshape(28, 28).lstm(64).dense(10).build()
 * }</pre>
 *
 * <p>Trains on the bundled sample's first 8000 digits in a local Spark session (two partitions,
 * data-parallel) and prints the accuracy on the last 2000 and the time.
 *
 * <p>Arguments (all optional): {@code epochs} (default 8), {@code hidden} units (default 64),
 * {@code master} (default {@code local[2]}). Run with {@code mvn -pl examples exec:exec
 * -Dexample.main=org.sparkdl.examples.MnistLstmSpark} after an install.
 */
public final class MnistLstmSpark {
  private MnistLstmSpark() {}

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    String master = args.length > 2 ? args[2] : "local[2]";
    SparkSession spark = MnistSpark.session(master, "spark-dl MNIST LSTM");
    try {
      Dataset<Row> train = MnistIdx.frame(spark, 0, MnistIdx.TRAIN_ROWS, 2).cache();
      Dataset<Row> test = MnistIdx.frame(spark, MnistIdx.TRAIN_ROWS, 10_000, 2).cache();
      System.out.printf("MNIST sample: %d training rows, %d test rows, %s%n", train.count(), test.count(), master);

      NetworkSpec rows = NetworkSpec.builder().input("features", MnistIdx.WIDTH).reshape(28, 28).lstm(hidden)
          .dense(10).build();
      long t0 = System.nanoTime();
      NeuralNetworkClassificationModel model = new NeuralNetworkClassifier()
          .setNetwork(rows)
          .setOptimizer("adam").setLearningRate(2e-3)
          .setBatchSize(64).setMaxEpochs(epochs)
          .setSeed(42)
          .fit(train);
      double fitSeconds = (System.nanoTime() - t0) / 1e9;

      long t1 = System.nanoTime();
      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
      double scoreSeconds = (System.nanoTime() - t1) / 1e9;
      System.out.printf("Row-by-row LSTM (28 steps of 28, hidden %d, dense 10; %d epochs, %d rounds): test accuracy"
          + " %.2f%%, fit %.1f s (%.0f training samples/s), scoring %.1f s, final training loss %.4f%n", hidden,
          epochs, model.summary().rounds(), 100 * accuracy, fitSeconds, epochs * (double) MnistIdx.TRAIN_ROWS
              / fitSeconds, scoreSeconds, model.summary().lossHistory().get(model.summary().epochs() - 1));
    } finally {
      spark.stop();
    }
  }
}
