package org.sparkdl.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions of the integration tests, bound to 127.0.0.1, with every directory Spark
 * writes under {@code target/}: the warehouse here, scratch space through {@code java.io.tmpdir}
 * (which the pom's test configuration points there), local-cluster workers in {@code SPARK_HOME}.
 */
final class Sessions {
  private Sessions() {}

  /** {@code target/it-work/<name>} (system property {@code it.work.dir}), created if missing. */
  static Path workDir(String name) {
    Path p = Paths.get(System.getProperty("it.work.dir", "target/it-work"), name).toAbsolutePath();
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #workDir}, emptied first. */
  static Path freshDir(String name) {
    Path p = workDir(name);
    try (Stream<Path> all = Files.walk(p)) {
      all.sorted(Comparator.reverseOrder()).filter(f -> !f.equals(p)).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  static SparkSession.Builder builder(String master, String app) {
    return SparkSession.builder()
        .master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        // these fits test how several tasks train together, so every slot trains, however small the network
        .config("spark.sparkdl.train.taskMultiplyAdds", "0")
        .config("spark.sql.warehouse.dir", workDir("spark-warehouse").toString());
  }

  /** A {@code local[2]} session. */
  static SparkSession local(String app) {
    return builder("local[2]", app).getOrCreate();
  }

  /**
   * A {@code local-cluster[2,1,1024]} session: a master and two workers in this JVM, each worker
   * starting one executor JVM (1 core, 1 GiB) with this JVM's class path. The launcher wants a Spark
   * home with a {@code jars/} directory: the failsafe configuration points {@code SPARK_HOME} at an
   * empty one under {@code target/}. Returns once both executors have registered.
   */
  static SparkSession localCluster(String app) {
    String home = System.getenv("SPARK_HOME");
    if (home == null || System.getenv("SPARK_SCALA_VERSION") == null) {
      throw new IllegalStateException("local-cluster tests need SPARK_HOME and SPARK_SCALA_VERSION set (the failsafe"
          + " configuration of it-tests/pom.xml sets both); run them with `mvn verify`.");
    }
    new File(home, "jars").mkdirs();
    SparkSession spark = builder("local-cluster[2,1,1024]", app)
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .getOrCreate();
    awaitExecutors(spark.sparkContext(), 2, 60_000);
    return spark;
  }

  /** Waits until {@code n} executors (the driver not counted) have registered. */
  static void awaitExecutors(SparkContext sc, int n, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (sc.statusTracker().getExecutorInfos().length - 1 < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(n + " executors did not register within " + timeoutMs + " ms; executor logs are under "
            + System.getenv("SPARK_HOME") + "/work.");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
