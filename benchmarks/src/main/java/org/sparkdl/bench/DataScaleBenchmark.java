package org.sparkdl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.TrainingSummary;

/**
 * Training on more rows than fit comfortably in the heap: two epochs of 784-128-10 with the
 * default settings in {@code local[2]} over {@link SyntheticDigits} generated on the fly (not cached, as if
 * read from files), at 300,000 and 1,500,000 rows (0.9 and 4.7 GB of float32 features, 1.9 and 9.4
 * GB as the rows' doubles), and the 1,500,000 rows again with the batches held in memory whatever
 * the default chooses (with -Xmx6g the default keeps them on local disk: the two lines give the cost
 * of reading them back). Reports where the training tasks kept their batches, the time to the end
 * of the first epoch (the encoding pass
 * included), the second epoch's rows/s against {@code
 * LocalTrainer} with the same 2 threads (from {@link TrainingScaleBenchmark}), the process's peak
 * resident memory so far (VmHWM, which only grows: the heap the JVM committed, garbage included,
 * plus the off-heap batches)
 * and the heap still reachable after each fit (after a full collection, so the data the fit
 * cached on the heap); a fit that fails is reported, not hidden. The README's command gives -Xmx6g.
 *
 * <p>Usage: {@code DataScaleBenchmark [--quick] [--large=ROWS]} ({@code --quick}: 30,000 and
 * 150,000 rows; {@code --large}: the larger size, e.g. 3,000,000).
 */
public final class DataScaleBenchmark {
  private static final long SEED = 42;
  private static final String USAGE = "Usage: DataScaleBenchmark [--quick] [--large=ROWS]\n"
      + "  --quick       30,000 and 150,000 rows instead of 300,000 and 1,500,000: a smoke run, not a measurement\n"
      + "  --large=ROWS  the larger size (default 1,500,000), e.g. --large=3000000 for 9.4 GB encoded";

  private DataScaleBenchmark() {}

  /** One fit's figures; {@code error} is null when it succeeded. */
  record Result(long rows, String where, double fitSeconds, double firstEpochEnd, double epochSeconds, long peakRssMb, long heapUsedMb,
      double loss, String error) {
    double rowsPerSecond() {
      return rows / epochSeconds;
    }

    String json() {
      return String.format(Locale.ROOT, "{\"rows\":%d,\"where\":\"%s\",\"fit_s\":%.2f,\"first_epoch_end_s\":%.2f,\"epoch_s\":%.2f,\"rows_per_s\":%.0f,"
          + "\"peak_rss_mb\":%d,\"heap_used_mb\":%d,\"loss\":%.5f,\"error\":%s}", rows, where, fitSeconds, firstEpochEnd, epochSeconds,
          error == null ? rowsPerSecond() : 0, peakRssMb, heapUsedMb, loss, error == null ? "null" : CpuBenchmark.quote(error));
    }
  }

  public static void main(String[] args) {
    long largeRows = 0;
    List<String> rest = new ArrayList<>();
    for (String a : String.join(" ", args).trim().split("\\s+")) {
      if (a.startsWith("--large=")) {
        largeRows = Long.parseLong(a.substring("--large=".length()).replace(",", "").replace("_", ""));
      } else {
        rest.add(a);
      }
    }
    boolean quick = CommandLine.quick(rest.toArray(new String[0]), USAGE);
    long started = System.nanoTime();
    System.out.printf(Locale.ROOT, "%nspark-dl data scale benchmark%s%n", quick ? " (QUICK smoke run)" : "");
    for (String[] kv : CommandLine.environment()) {
      System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
    }
    System.out.printf(Locale.ROOT, "  heap  max %,d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
    TrainingScaleBenchmark.Figure local = TrainingScaleBenchmark.local("local", "one JVM, LocalTrainer, 2 threads", 60_000, 2,
        new int[] {784, 128, 10}, 64);
    List<Result> results = new ArrayList<>();
    SparkSession spark = Sessions.local("spark-dl data scale");
    try {
      long small = quick ? 30_000 : 300_000;
      long large = largeRows > 0 ? largeRows : quick ? 150_000 : 1_500_000;
      results.add(fit(spark, small, null));
      results.add(fit(spark, large, null));
      // the same data held in memory for the whole fit, whatever the default decides: what reading from disk costs. It
      // holds the data twice, Spark's cached blocks on the heap and the decoded batches in direct memory (whose limit is
      // the heap's size unless -XX:MaxDirectMemorySize says otherwise), so only where the heap holds both
      long physical = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getTotalMemorySize();
      long held = large * SyntheticDigits.ENCODED_ROW_BYTES;
      long heap = Runtime.getRuntime().maxMemory();
      if (3 * held < physical && 2 * held < heap) {
        results.add(fit(spark, large, "64g"));
      } else {
        System.out.printf(Locale.ROOT, "  (%,d rows held in memory would need a heap of about %,d MiB (this one: %,d MiB) and"
            + " about %,d MiB of memory (this machine: %,d MiB): not run)%n", large, 2 * held >> 20, heap >> 20, 3 * held >> 20,
            physical >> 20);
      }
    } finally {
      spark.stop();
    }
    System.out.printf(Locale.ROOT, "%nTwo epochs, 784-128-10, defaults (gradient mode, batch 64), local[2], rows generated on the fly%n");
    System.out.printf(Locale.ROOT, "  %12s %-9s %8s %10s %9s %11s %14s %13s  %s%n", "rows", "batches", "fit s", "to epoch 1", "epoch 2 s", "rows/s",
        "peak RSS MiB", "heap MiB", "vs one JVM (2 threads)");
    for (Result r : results) {
      if (r.error() != null) {
        System.out.printf(Locale.ROOT, "  %,12d %-9s FAILED after %.1f s: %s (peak RSS %,d MiB)%n", r.rows(), r.where(),
            r.fitSeconds(), r.error(),
            r.peakRssMb());
      } else {
        System.out.printf(Locale.ROOT, "  %,12d %-9s %8.1f %10.1f %9.1f %,11.0f %,14d %,13d  %.0f%% of %,.0f samples/s%n",
            r.rows(), r.where(), r.fitSeconds(), r.firstEpochEnd(), r.epochSeconds(), r.rowsPerSecond(), r.peakRssMb(), r.heapUsedMb(),
            100 * r.rowsPerSecond() / local.samplesPerSecond(), local.samplesPerSecond());
      }
    }
    System.out.printf(Locale.ROOT, "%nTotal %.1f s, load average at the end %s. JSON:%n", (System.nanoTime() - started) / 1e9,
        CommandLine.loadAverage());
    System.out.println("{\"benchmark\":\"spark-dl-data-scale\",\"quick\":" + quick + ",\"cpu\":" + CpuBenchmark.quote(CpuBenchmark.cpuModel())
        + ",\"heap_max_mb\":" + (Runtime.getRuntime().maxMemory() >> 20) + ",\"local_samples_per_s\":"
        + String.format(Locale.ROOT, "%.0f", local.samplesPerSecond()) + ",\"results\":["
        + results.stream().map(Result::json).collect(Collectors.joining(",")) + "]}");
  }

  /**
   * Two epochs over {@code rows} rows: the first includes the encoding pass (its end from the
   * start of the fit is reported as "to epoch 1"), the second gives the training rows/s. {@code
   * memoryBytes} sets {@code spark.sparkdl.train.memoryBytes} (null: the default decides whether
   * the tasks hold their batches in memory or on disk; Spark's spill metric says which it chose).
   */
  static Result fit(SparkSession spark, long rows, String memoryBytes) {
    Dataset<Row> data = SyntheticDigits.frame(spark, rows, 2, SEED);
    if (memoryBytes != null) {
      spark.conf().set("spark.sparkdl.train.memoryBytes", memoryBytes);
    }
    SpillListener spill = new SpillListener();
    spark.sparkContext().addSparkListener(spill);
    long t0 = System.nanoTime();
    try {
      TrainingSummary s = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(SEED).setMaxEpochs(2).fit(data)
          .summary();
      double fit = (System.nanoTime() - t0) / 1e9;
      double first = s.epochSeconds().get(0);
      double second = s.epochSeconds().get(1) - first;
      return new Result(rows, spill.where(spark), fit, first, second, peakRssMb(), heapUsedMb(), s.lossHistory().get(1), null);
    } catch (RuntimeException | OutOfMemoryError e) {
      return new Result(rows, spill.where(spark), (System.nanoTime() - t0) / 1e9, 0, 0, peakRssMb(), heapUsedMb(), Double.NaN,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      spark.sparkContext().removeSparkListener(spill);
      spark.conf().unset("spark.sparkdl.train.memoryBytes");
    }
  }

  /** Whether a fit's training tasks kept their batches on disk: the bytes they report as spilled. */
  private static final class SpillListener extends org.apache.spark.scheduler.SparkListener {
    private final java.util.concurrent.atomic.AtomicLong spilled = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.CountDownLatch marker = new java.util.concurrent.CountDownLatch(1);

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) {
        spilled.addAndGet(end.taskMetrics().diskBytesSpilled());
      }
    }

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd end) {
      marker.countDown();
    }

    /** "on disk" when the fit's tasks reported bytes spilled (the training tasks' batch files), else "in memory". */
    String where(SparkSession spark) {
      spark.range(1).count();   // a job after the fit: the listener bus delivers events in order
      try {
        marker.await(5, java.util.concurrent.TimeUnit.SECONDS);
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return spilled.get() > 0 ? "on disk" : "in memory";
    }
  }

  /** The heap still reachable: after a full collection, so garbage the collector had not needed to free is not counted. */
  private static long heapUsedMb() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) >> 20;
  }

  /** The process's peak resident set (Linux), or -1. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
