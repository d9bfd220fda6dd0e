package org.sparkdl.bench;

import java.io.File;
import java.util.Locale;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions of the Spark benchmarks, bound to 127.0.0.1 with the UI off. One JVM holds
 * one active SparkContext, but may stop it and start another with a different master, as Spark's
 * own suites do: a program that compares {@code local[2]} with {@code local-cluster} runs them one
 * after the other, so that they never compete for the two cores.
 */
final class Sessions {
  private Sessions() {}

  /** A {@code local[2]} session (both tasks in this JVM). */
  static SparkSession local(String app) {
    return builder("local[2]", app).getOrCreate();
  }

  /**
   * A {@code local-cluster[executors,1,memoryMb]} session: a master and {@code executors} workers
   * in this JVM, each starting one executor JVM of 1 core with this JVM's class path. Spark's
   * launcher wants {@code SPARK_HOME} (a directory with a {@code jars/} subdirectory, created here
   * if missing) and {@code SPARK_SCALA_VERSION} in the environment; the bench profile's exec
   * configuration sets both. Returns once every executor has registered.
   *
   * @throws IllegalStateException when the environment lacks them, or the executors do not start
   */
  static SparkSession localCluster(String app, int executors, int memoryMb) {
    String home = System.getenv("SPARK_HOME");
    if (home == null || System.getenv("SPARK_SCALA_VERSION") == null) {
      throw new IllegalStateException("local-cluster needs SPARK_HOME (any directory; a jars/ subdirectory is created in it)"
          + " and SPARK_SCALA_VERSION=2.13 in the environment. Run the benchmark through `mvn -Pbench ... verify`, whose exec"
          + " configuration sets both, or set them yourself.");
    }
    new File(home, "jars").mkdirs();
    String master = String.format(Locale.ROOT, "local-cluster[%d,1,%d]", executors, memoryMb);
    SparkSession spark = builder(master, app)
        .config("spark.executor.memory", memoryMb + "m")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .getOrCreate();
    awaitExecutors(spark.sparkContext(), executors, 120_000);
    return spark;
  }

  private static SparkSession.Builder builder(String master, String app) {
    return SparkSession.builder().master(master).appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2");
  }

  /** Waits until {@code n} executors (the driver not counted) have registered. */
  private static void awaitExecutors(SparkContext sc, int n, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (sc.statusTracker().getExecutorInfos().length - 1 < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(n + " executors did not register within " + timeoutMs / 1000 + " s; their logs are"
            + " under " + System.getenv("SPARK_HOME") + "/work.");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the executors.", e);
      }
    }
  }

  /** The master, executors and cores of {@code spark}, for the report. */
  static String describe(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    int executors = Math.max(1, sc.statusTracker().getExecutorInfos().length - 1);
    return sc.master() + " (" + (sc.master().startsWith("local[") ? "tasks in the driver JVM"
        : executors + " executor JVMs") + ", default parallelism " + sc.defaultParallelism() + ")";
  }
}
