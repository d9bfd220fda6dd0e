package org.sparkdl.examples;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.train.InMemoryDataset;

/**
 * Reads the bundled MNIST sample ({@code data/mnist10k}, gzipped IDX files) into memory, pixels
 * scaled to {@code [0, 1]}. The first 8000 rows are the training set, the last 2000 the test set.
 */
final class MnistIdx {
  static final int TRAIN_ROWS = 8000;
  static final int WIDTH = 784;

  private MnistIdx() {}

  /** {@code -Dsparkdl.data.dir}, else the nearest {@code data/} above the working directory. */
  static Path dataDir() {
    String p = System.getProperty("sparkdl.data.dir");
    if (p != null && Files.isDirectory(Paths.get(p, "mnist10k"))) {
      return Paths.get(p, "mnist10k");
    }
    for (Path here = Paths.get("").toAbsolutePath(); here != null; here = here.getParent()) {
      if (Files.isDirectory(here.resolve("data/mnist10k"))) {
        return here.resolve("data/mnist10k");
      }
    }
    throw new IllegalStateException("The MNIST sample was not found: run from the repository or set -Dsparkdl.data.dir=<repo>/data.");
  }

  static InMemoryDataset load() throws IOException {
    return load(dataDir());
  }

  /**
   * Rows {@code [from, to)} of the sample as {@code label double, features vector}, read from the
   * IDX files by one task (so that no task carries the data in its closure, as a DataFrame made
   * from a driver-side list would) and spread over {@code partitions} partitions.
   */
  static Dataset<Row> frame(SparkSession spark, int from, int to, int partitions) {
    String dir = dataDir().toString();
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(dir), 1)
        .flatMap(d -> MnistSpark.rows(load(Paths.get(d)).slice(from, to)).iterator());
    return spark.createDataFrame(rows, MnistSpark.SCHEMA).repartition(partitions);
  }

  private static InMemoryDataset load(Path dir) throws IOException {
    float[] pixels;
    float[] labels;
    try (DataInputStream in = open(dir.resolve("images-idx3-ubyte.gz"))) {
      expect(in.readInt(), 2051, "images");
      int n = in.readInt();
      int size = in.readInt() * in.readInt();
      byte[] raw = in.readNBytes(n * size);
      pixels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xFF) / 255f;
      }
    }
    try (DataInputStream in = open(dir.resolve("labels-idx1-ubyte.gz"))) {
      expect(in.readInt(), 2049, "labels");
      byte[] raw = in.readNBytes(in.readInt());
      labels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        labels[i] = raw[i] & 0xFF;
      }
    }
    return InMemoryDataset.classification(pixels, WIDTH, labels);
  }

  private static DataInputStream open(Path p) throws IOException {
    return new DataInputStream(new GZIPInputStream(Files.newInputStream(p), 1 << 16));
  }

  private static void expect(int magic, int expected, String what) throws IOException {
    if (magic != expected) {
      throw new IOException("MNIST " + what + " file: magic number " + magic + ", expected " + expected + ".");
    }
  }
}
