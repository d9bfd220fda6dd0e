package org.sparkdl.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.testing.MnistData;
import org.sparkdl.testkit.MnistFrames;
import org.sparkdl.train.InMemoryDataset;

/**
 * The one MNIST fit the integration tests share (the bundled sample: 8000 training rows in two
 * partitions, 2000 test rows): 784-128-10, Adam 1e-3, batch 64, seed 42, average mode with 8 local
 * steps, so an epoch is 16 synchronisation rounds and a few epochs pass 90%.
 *
 * <p>The frames hold {@link MnistFrames}' rows and schema, cut into two contiguous slices without a
 * shuffle: after a shuffle, the order of rows inside a partition depends on which executor ran
 * which map task (local blocks are read first), and the trainer's seeded shuffle works on that
 * order. Sliced this way, every master sees the same partitions, row for row, so fits compare bit
 * for bit.
 */
final class MnistFits {
  static final int[] LAYERS = {784, 128, 10};
  static final long SEED = 42;

  private MnistFits() {}

  /** The first 8000 rows, in two partitions. */
  static Dataset<Row> train(SparkSession spark) {
    return frame(spark, 0, MnistData.TRAIN);
  }

  /** The last 2000 rows, in two partitions. */
  static Dataset<Row> test(SparkSession spark) {
    return frame(spark, MnistData.TRAIN, 10_000);
  }

  /** All 10,000 rows, in two partitions. */
  static Dataset<Row> all(SparkSession spark) {
    return frame(spark, 0, 10_000);
  }

  /**
   * Rows {@code [from, to)} in two contiguous halves. Each task reads the IDX files itself, so a
   * task carries two numbers rather than its rows, and a partition lost with its executor is read
   * again the same way.
   */
  private static Dataset<Row> frame(SparkSession spark, int from, int to) {
    int half = (to - from + 1) / 2;
    String dataDir = MnistData.dir().getParent().toString();   // as found here, on the driver
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(List.of(0, 1), 2).flatMap(part -> {
      int lo = from + part * half;
      return rows(dataDir, lo, part == 0 ? lo + half : to).iterator();
    }), MnistFrames.SCHEMA);
  }

  private static List<Row> rows(String dataDir, int from, int to) {
    InMemoryDataset d;
    try {
      System.setProperty("sparkdl.data.dir", dataDir);   // where MnistData looks first, in an executor too
      d = MnistData.all().slice(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  static NeuralNetworkClassifier classifier(int epochs) {
    return new NeuralNetworkClassifier()
        .setLayers(LAYERS)
        .setBatchSize(64)
        .setLearningRate(1e-3)
        .setSeed(SEED)
        .setMaxEpochs(epochs);
  }

  /** Percent of rows whose prediction equals the label. */
  static double accuracy(NeuralNetworkClassificationModel model, Dataset<Row> data) {
    List<Row> rows = model.transform(data).select("label", "prediction").collectAsList();
    return 100.0 * rows.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count() / rows.size();
  }

  /** SHA-256 of the weights' float32 bits: equal digests, equal models. */
  static String digest(float[] weights) {
    ByteBuffer b = ByteBuffer.allocate(4 * weights.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(weights);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM.", e);
    }
  }
}
