package org.sparkdl.bench;

import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.train.InMemoryDataset;

/**
 * A learnable MNIST-shaped task of any size: 784 features in [0, 1) and 10 classes; each row is a
 * noisy copy of its class's prototype ({@value #SIGNAL} of the prototype plus {@code 1 -
 * SIGNAL} of uniform noise), the prototypes uniform in [0, 1). Row {@code i} depends only on the
 * seed and {@code i}, so the executors generate a DataFrame's rows themselves (the driver never
 * holds them) and the driver can generate the same rows for a single-JVM baseline.
 */
final class SyntheticDigits {
  static final int FEATURES = 784;
  static final int CLASSES = 10;
  /** Bytes of one row in an encoded Arrow batch: the features, the label and the weight slot as float32, with validity bits. */
  static final long ENCODED_ROW_BYTES = 4L * (FEATURES + 2) + FEATURES / 8 + 1;
  /** The prototype's share of each feature; the rest is noise. */
  static final double SIGNAL = 0.3;
  static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType, false)
      .add("features", SQLDataTypes.VectorType(), false);

  private SyntheticDigits() {}

  /** The 10 class prototypes of {@code seed}. */
  static double[][] prototypes(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] p = new double[CLASSES][FEATURES];
    for (double[] row : p) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = r.nextDouble();
      }
    }
    return p;
  }

  /** Writes row {@code i}'s features into {@code out} and returns its label. */
  static int row(long seed, double[][] prototypes, long i, double[] out) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    int label = r.nextInt(CLASSES);
    double[] p = prototypes[label];
    for (int j = 0; j < FEATURES; j++) {
      out[j] = SIGNAL * p[j] + (1 - SIGNAL) * r.nextDouble();
    }
    return label;
  }

  /**
   * Rows {@code [0, rows)} as a DataFrame ({@code label} double, {@code features} vector) of
   * {@code partitions} partitions, generated on the executors; not cached.
   */
  static Dataset<Row> frame(SparkSession spark, long rows, int partitions, long seed) {
    JavaRDD<Row> generated = spark.range(0, rows, 1, partitions).javaRDD().mapPartitions((Iterator<Long> ids) -> {
      double[][] prototypes = prototypes(seed);
      return new Iterator<Row>() {
        @Override
        public boolean hasNext() {
          return ids.hasNext();
        }

        @Override
        public Row next() {
          double[] x = new double[FEATURES];
          int label = row(seed, prototypes, ids.next(), x);
          return RowFactory.create((double) label, Vectors.dense(x));
        }
      };
    });
    return spark.createDataFrame(generated, SCHEMA);
  }

  /** {@link #frame} cached and counted (so that the cache is filled before anything is timed). */
  static Dataset<Row> cachedFrame(SparkSession spark, long rows, int partitions, long seed) {
    Dataset<Row> f = frame(spark, rows, partitions, seed).cache();
    long n = f.count();
    if (n != rows) {
      throw new IllegalStateException("Generated " + n + " rows, expected " + rows + ".");
    }
    return f;
  }

  /** Rows {@code [0, rows)} in this JVM, as float32 arrays for {@code LocalTrainer}. */
  static InMemoryDataset inMemory(int rows, long seed) {
    double[][] prototypes = prototypes(seed);
    float[] features = new float[rows * FEATURES];
    float[] labels = new float[rows];
    double[] x = new double[FEATURES];
    for (int i = 0; i < rows; i++) {
      labels[i] = row(seed, prototypes, i, x);
      for (int j = 0; j < FEATURES; j++) {
        features[i * FEATURES + j] = (float) x[j];
      }
    }
    return InMemoryDataset.classification(features, FEATURES, labels);
  }
}
