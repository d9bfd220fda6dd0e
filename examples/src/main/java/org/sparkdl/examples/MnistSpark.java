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
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.train.InMemoryDataset;

/**
 * The main job: trains a 784-128-10 classifier with the default settings on the bundled MNIST
 * sample in a local Spark session (two partitions, data-parallel in one barrier stage) and prints
 * the test accuracy and time, then saves the model under {@code examples/target/mnist-model} and
 * loads it back.
 *
 * <p>Arguments (all optional): {@code epochs} (default: the estimator's, 10), {@code syncMode}
 * ({@code gradient}, the default, or {@code average}), {@code master} (default {@code local[2]}).
 */
public final class MnistSpark {
  /** {@code label double, features vector}. */
  static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType, false)
      .add("features", SQLDataTypes.VectorType(), false);

  private MnistSpark() {}

  /** The examples' Spark session: {@code master}, bound to 127.0.0.1, the UI off. */
  static SparkSession session(String master, String app) {
    return SparkSession.builder().master(master).appName(app).config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  public static void main(String[] args) throws Exception {
    String master = args.length > 2 ? args[2] : "local[2]";
    SparkSession spark = session(master, "spark-dl MNIST");
    try {
      Dataset<Row> train = MnistIdx.frame(spark, 0, MnistIdx.TRAIN_ROWS, 2).cache();
      Dataset<Row> test = MnistIdx.frame(spark, MnistIdx.TRAIN_ROWS, 10_000, 2).cache();
      System.out.printf("MNIST sample: %d training rows, %d test rows, %s%n", train.count(), test.count(), master);

      NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(42);
      if (args.length > 0) {
        clf.setMaxEpochs(Integer.parseInt(args[0]));
      }
      if (args.length > 1) {
        clf.setSyncMode(args[1]);
      }
      long t0 = System.nanoTime();
      NeuralNetworkClassificationModel model = clf.fit(train);
      double fitSeconds = (System.nanoTime() - t0) / 1e9;

      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
      System.out.printf("NeuralNetworkClassifier 784-128-10 (%s mode, batch %d, learning rate %s, %d epochs, %d steps): test"
          + " accuracy %.2f%%, fit %.1f s, final training loss %.4f%n", clf.getSyncMode(), clf.getBatchSize(),
          clf.getLearningRate(), model.summary().epochs(), model.summary().rounds(), 100 * accuracy, fitSeconds,
          model.summary().lossHistory().get(model.summary().epochs() - 1));
      model.summary().warnings().forEach(w -> System.out.println("Warning: " + w));

      // keep the model: saved as a directory any spark-dl stage, Pipeline or the batch-scoring job loads
      String saved = java.nio.file.Path.of("target", "mnist-model").toAbsolutePath().toUri().toString();
      model.write().overwrite().save(saved);
      double reloaded = new MulticlassClassificationEvaluator().setMetricName("accuracy")
          .evaluate(NeuralNetworkClassificationModel.load(saved).transform(test));
      System.out.printf("Model saved to %s (reloaded: test accuracy %.2f%%). Score a file with it:%n  spark-submit --class"
          + " org.sparkdl.ml.scoring.BatchScoringJob python-wrapper/target/spark-dl-assembly-*.jar --help%n", saved,
          100 * reloaded);
    } finally {
      spark.stop();
    }
  }

  /** {@code d}'s rows as {@link #SCHEMA} rows. */
  static List<Row> rows(InMemoryDataset d) {
    int w = d.sampleShape().size();
    List<Row> rows = new ArrayList<>(d.rows());
    for (int r = 0; r < d.rows(); r++) {
      double[] x = new double[w];
      for (int j = 0; j < w; j++) {
        x[j] = d.features()[r * w + j];
      }
      rows.add(RowFactory.create((double) d.targets()[r], Vectors.dense(x)));
    }
    return rows;
  }

  /** {@code d} as a DataFrame of two partitions, built on the driver (for data made there, e.g. augmented). */
  static Dataset<Row> frame(SparkSession spark, InMemoryDataset d) {
    return spark.createDataFrame(rows(d), SCHEMA).repartition(2);
  }
}
