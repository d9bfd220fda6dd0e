package org.sparkdl.examples;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.NeuralNetworkClassificationModel;
import org.sparkdl.train.InMemoryDataset;

/**
 * The main job: trains a 784-128-10 classifier on the bundled MNIST sample in a local Spark
 * session (two partitions, data-parallel) and prints the test accuracy and time.
 *
 * <p>Arguments (all optional): {@code epochs} (default 20), {@code syncMode} ({@code gradient}
 * or {@code average}), {@code master} (default {@code local[2]}).
 */
public final class MnistSpark {
  private MnistSpark() {}

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String mode = args.length > 1 ? args[1] : "gradient";
    String master = args.length > 2 ? args[2] : "local[2]";
    SparkSession spark = SparkSession.builder().master(master).appName("spark-dl MNIST")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    try {
      InMemoryDataset all = MnistIdx.load();
      Dataset<Row> train = frame(spark, all.slice(0, MnistIdx.TRAIN_ROWS)).cache();
      Dataset<Row> test = frame(spark, all.slice(MnistIdx.TRAIN_ROWS, all.rows())).cache();
      System.out.printf("MNIST sample: %d training rows, %d test rows, %s%n", train.count(), test.count(), master);

      long t0 = System.nanoTime();
      NeuralNetworkClassificationModel model = new NeuralNetworkClassifier()
          .setLayers(784, 128, 10)
          .setOptimizer("adam").setLearningRate(1e-3)
          .setBatchSize(64).setMaxEpochs(epochs)
          .setSyncMode(mode)
          .setSeed(42)
          .fit(train);
      double fitSeconds = (System.nanoTime() - t0) / 1e9;

      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
      System.out.printf("NeuralNetworkClassifier 784-128-10 (%s mode, %d epochs, %d rounds): test accuracy %.2f%%,"
          + " fit %.1f s, final training loss %.4f%n", mode, epochs, model.summary().rounds(), 100 * accuracy, fitSeconds,
          model.summary().lossHistory().get(model.summary().epochs() - 1));
    } finally {
      spark.stop();
    }
  }

  static Dataset<Row> frame(SparkSession spark, InMemoryDataset d) {
    StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    int w = d.sampleShape().size();
    List<Row> rows = new ArrayList<>(d.rows());
    for (int r = 0; r < d.rows(); r++) {
      double[] x = new double[w];
      for (int j = 0; j < w; j++) {
        x[j] = d.features()[r * w + j];
      }
      rows.add(RowFactory.create((double) d.targets()[r], Vectors.dense(x)));
    }
    return spark.createDataFrame(rows, schema).repartition(2);
  }
}
