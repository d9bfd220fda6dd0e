package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.testkit.JobRecorder;
import org.sparkdl.testkit.SharedSpark;
import scala.jdk.javaapi.CollectionConverters;

/** Small synthetic training sets and the checks every failed fit shares. */
final class TrainingFixtures {
  /** {@code label double, features vector}. */
  static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
  static final double[][] CENTERS = {{2, 0, 0, 1}, {0, 2, 1, 0}, {-2, -2, 0, 0}};

  private TrainingFixtures() {}

  /** Features of a row of class {@code c}: its blob's centre plus noise. */
  static double[] point(Random r, int c) {
    double[] x = new double[4];
    for (int j = 0; j < 4; j++) {
      x[j] = CENTERS[c][j] + 0.5 * r.nextGaussian();
    }
    return x;
  }

  /** What {@code fit} returns with the execution forced to {@code mode} ({@link ExecutionPlan#MODE_CONF}). */
  static <T> T withExecution(SparkSession spark, String mode, java.util.function.Supplier<T> fit) {
    return withConf(spark, ExecutionPlan.MODE_CONF, mode, fit);
  }

  /**
   * What {@code fit} returns with a task in every slot the data can fill, however small the network
   * ({@link ExecutionPlan#TASK_WORK_CONF} 0): for tests of how several tasks train together.
   */
  static <T> T withAllSlots(SparkSession spark, java.util.function.Supplier<T> fit) {
    return withConf(spark, ExecutionPlan.TASK_WORK_CONF, "0", fit);
  }

  private static <T> T withConf(SparkSession spark, String key, String value, java.util.function.Supplier<T> fit) {
    spark.conf().set(key, value);
    try {
      return fit.get();
    } finally {
      spark.conf().unset(key);
    }
  }

  /** Rows of three Gaussian blobs in 4 dimensions, row i of class {@code i % 3}. */
  static List<Row> blobRows(int n, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create((double) (i % 3), Vectors.dense(point(r, i % 3))));
    }
    return rows;
  }

  /** {@link #blobRows} as a DataFrame of {@code partitions} contiguous slices (no shuffle). */
  static Dataset<Row> blobs(SparkSession spark, int n, long seed, int partitions) {
    return frame(spark, blobRows(n, seed), SCHEMA, partitions);
  }

  /** {@code rows} in {@code partitions} contiguous slices: row k of n lands in partition k * partitions / n. */
  static Dataset<Row> frame(SparkSession spark, List<Row> rows, StructType schema, int partitions) {
    return spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, partitions), schema);
  }

  static double accuracy(Dataset<Row> scored) {
    List<Row> rows = scored.select("label", "prediction").collectAsList();
    return (double) rows.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count() / rows.size();
  }

  static Set<Object> persistedRdds(SparkSession spark) {
    return new HashSet<>(CollectionConverters.asJava(spark.sparkContext().getPersistentRDDs()).keySet());
  }

  /**
   * Fits and expects bad input: an IllegalArgumentException before any training round (no epoch
   * job), with no data left cached. Returns its message.
   */
  static String fitError(SparkSession spark, Estimator<?> estimator, Dataset<Row> data) {
    Set<Object> cachedBefore = persistedRdds(spark);
    List<String> failedTasks = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    org.apache.spark.scheduler.SparkListener failures = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (!(end.reason() instanceof org.apache.spark.Success$)) {
          failedTasks.add(end.reason().toString());
        }
      }
    };
    spark.sparkContext().addSparkListener(failures);
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> estimator.fit(data));
      List<String> started = jobs.descriptions();
      assertTrue(started.stream().noneMatch(d -> d.contains(": epoch ") || d.contains(": training")), "training started: " + started);
      assertEquals(cachedBefore, persistedRdds(spark), "the fit left data cached");
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (java.util.concurrent.TimeoutException timeout) {
        throw new AssertionError("Spark's listener bus did not drain", timeout);
      }
      assertEquals(List.of(), failedTasks, "bad input is reported once by the driver, not by failed (and logged) tasks");
      return e.getMessage();
    } finally {
      spark.sparkContext().removeSparkListener(failures);
    }
  }

  /** As {@link #fitError}, for errors the schema shows: no Spark job runs at all. */
  static String schemaError(SparkSession spark, Estimator<?> estimator, Dataset<Row> data) {
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      String message = assertThrows(IllegalArgumentException.class, () -> estimator.fit(data)).getMessage();
      assertEquals(List.of(), jobs.descriptions(), "jobs ran before a schema error");
      return message;
    }
  }
}
