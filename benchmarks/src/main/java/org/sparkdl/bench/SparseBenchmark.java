package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.BatchStats;
import org.sparkdl.train.EvalStats;
import org.sparkdl.train.LocalTrainer;

/**
 * Wide sparse inputs in one JVM ({@code LocalTrainer}, 2 threads): a recommender-like network
 * 10^6-128-softmax(1,000) over rows of 50 item ids out of 10^6, one epoch of 1,000,000 rows in
 * batches of 64 with Adam, fed as sparse rows (only the weight rows a batch names are read and
 * updated), then the same network fed the densified rows for a few steps (each batch a [64,
 * 10^6] tensor; every step reads and updates all 128 million weights). Rows are generated on the
 * fly: each belongs to one of 1,000 classes, and 30 of its 50 items come from that class's items
 * (ids congruent to the class mod 1,000), 20 from anywhere; accuracy on 10,000 fresh rows after
 * the epoch says the network learned which items go with which class.
 *
 * <p>Then, unless {@code --no-spark}, the same rows as a DataFrame of {@code SparseVector}s
 * generated on the fly in {@code local[2]}, fitted by {@code NeuralNetworkClassifier} with only
 * {@code setLayers(1000000, 128, 1000)} and a seed for two epochs (a Vector column that wide is
 * read as sparse rows by default): the second epoch's rows/s, and accuracy on 10,000 fresh rows.
 *
 * <p>Usage: {@code SparseBenchmark [--quick] [--rows=N] [--no-spark | --spark-only]} ({@code --quick}: 100,000
 * rows). The Spark part holds three copies of the network and its Adam state (two tasks and the
 * driver, 2 GB each) besides the heap: give it {@code -Xmx10g} on a machine of 24 GB.
 */
public final class SparseBenchmark {
  static final int ITEMS = 1_000_000;
  static final int CLASSES = 1_000;
  static final int PER_ROW = 50;
  static final int FROM_CLASS = 30;
  static final int HIDDEN = 128;
  static final int BATCH = 64;
  private static final long SEED = 42;
  private static final String USAGE = "Usage: SparseBenchmark [--quick] [--rows=N] [--no-spark | --spark-only] [--average]\n"
      + "  --quick     100,000 rows instead of 1,000,000: a smoke run, not a measurement\n"
      + "  --rows=N    rows in the training epoch\n"
      + "  --no-spark  the single-JVM part only\n"
      + "  --spark-only  the Spark part only\n"
      + "  --average   the Spark part in average mode (default localSteps) instead of the default gradient mode";

  private SparseBenchmark() {}

  /** One row's items and class, the same for the same index whenever it is drawn. */
  record Basket(int[] items, int label) {
    static Basket of(long row, long seed) {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + row);
      int label = r.nextInt(CLASSES);
      int[] items = new int[PER_ROW];
      for (int k = 0; k < PER_ROW; k++) {
        items[k] = k < FROM_CLASS ? label + CLASSES * r.nextInt(ITEMS / CLASSES) : r.nextInt(ITEMS);
      }
      return new Basket(items, label);
    }
  }

  /** Rows {@code [from, from + n)} as sparse rows (value 1 per item) and their labels. */
  static CsrMatrix sparseRows(Scope s, long from, int n, long seed, double[] labels) {
    int[] starts = new int[n + 1];
    int[] cols = new int[n * PER_ROW];
    double[] vals = new double[n * PER_ROW];
    for (int i = 0; i < n; i++) {
      Basket b = Basket.of(from + i, seed);
      starts[i] = i * PER_ROW;
      System.arraycopy(b.items(), 0, cols, i * PER_ROW, PER_ROW);
      labels[i] = b.label();
    }
    starts[n] = n * PER_ROW;
    java.util.Arrays.fill(vals, 1.0);
    return CsrMatrix.of(s, DType.FLOAT32, ITEMS, starts, cols, vals);
  }

  static NetworkSpec network(boolean sparse) {
    NetworkSpec.Builder b = NetworkSpec.builder();
    if (sparse) {
      b.sparseInput("items", ITEMS);
    } else {
      b.input("items", ITEMS);
    }
    return b.dense(HIDDEN).activation("relu").dense(CLASSES).build();
  }

  public static void main(String[] args) {
    long rows = 0;
    boolean spark = true;
    boolean sparkOnly = false;
    String syncMode = "gradient";
    List<String> rest = new ArrayList<>();
    for (String a : String.join(" ", args).trim().split("\\s+")) {
      if (a.equals("--no-spark")) {
        spark = false;
      } else if (a.equals("--spark-only")) {
        sparkOnly = true;
      } else if (a.equals("--average")) {
        syncMode = "average";
      } else if (a.startsWith("--rows=")) {
        rows = Long.parseLong(a.substring("--rows=".length()).replace(",", "").replace("_", ""));
      } else if (!a.isEmpty()) {
        rest.add(a);
      }
    }
    boolean quick = CommandLine.quick(rest.toArray(new String[0]), USAGE);
    rows = rows > 0 ? rows : quick ? 100_000 : 1_000_000;
    System.out.printf(Locale.ROOT, "%nspark-dl sparse input benchmark%s%n", quick ? " (QUICK smoke run)" : "");
    for (String[] kv : CommandLine.environment()) {
      System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
    }
    System.out.printf(Locale.ROOT, "%n%,d-%d-softmax(%,d), %d of %,d items a row, batch %d, Adam 1e-3, one JVM, 2 threads%n",
        ITEMS, HIDDEN, CLASSES, PER_ROW, ITEMS, BATCH);
    long t0 = System.nanoTime();
    String sparse = sparkOnly ? "{}" : sparse(rows);
    double sparseSeconds = (System.nanoTime() - t0) / 1e9;
    String dense = sparkOnly ? "{}" : densified(quick ? 2 : 4);
    String onSpark = spark ? "," + spark(rows, syncMode) : "";
    System.out.printf(Locale.ROOT, "%nTotal %.1f s (sparse part %.1f s), load average at the end %s. JSON:%n{\"benchmark\":"
        + "\"spark-dl-sparse\",\"quick\":%b,\"results\":[%s,%s%s]}%n", (System.nanoTime() - t0) / 1e9, sparseSeconds,
        CommandLine.loadAverage(), quick, sparse, dense, onSpark);
  }

  private static String sparse(long rows) {
    try (CpuBackend be = new CpuBackend(2);
        Network net = Network.create(network(true), be, DType.FLOAT32, SEED);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED)) {
      long steps = (rows + BATCH - 1) / BATCH;
      double lossSum = 0;
      double lastLoss = 0;
      long lastRows = 0;
      long started = System.nanoTime();
      double[] labels = new double[BATCH];
      for (long step = 0; step < steps; step++) {
        int n = (int) Math.min(BATCH, rows - step * BATCH);
        try (Scope s = be.openScope("batch")) {
          CsrMatrix x = sparseRows(s, step * BATCH, n, SEED, labels);
          Tensor y = s.of(DType.FLOAT32, Shape.of(n), java.util.Arrays.copyOf(labels, n));
          trainer.zeroGradients();
          BatchStats b = trainer.accumulateGradients(x, y, null, step);
          trainer.applyGradients(b.weightSum());
          lossSum += b.lossSum();
          if (step >= steps - steps / 10) {
            lastLoss += b.lossSum();
            lastRows += n;
          }
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double accuracy = accuracy(be, trainer);
      System.out.printf(Locale.ROOT, "  sparse rows     %,10d rows in %7.1f s: %,9.0f rows/s; loss %.3f over the epoch, %.3f in its last"
          + " tenth; accuracy on 10,000 new rows %.2f%%; peak RSS %,d MiB%n", rows, seconds, rows / seconds, lossSum / rows,
          lastLoss / Math.max(1, lastRows), 100 * accuracy, DataScaleBenchmark.peakRssMb());
      return String.format(Locale.ROOT, "{\"input\":\"sparse\",\"rows\":%d,\"seconds\":%.2f,\"rows_per_s\":%.0f,\"loss\":%.4f,"
          + "\"accuracy\":%.4f,\"peak_rss_mb\":%d}", rows, seconds, rows / seconds, lossSum / rows, accuracy,
          DataScaleBenchmark.peakRssMb());
    } finally {
      openblas_nolapack.blas_set_num_threads(1);
    }
  }

  private static double accuracy(CpuBackend be, LocalTrainer trainer) {
    double correct = 0;
    double total = 0;
    double[] labels = new double[1000];
    for (int part = 0; part < 10; part++) {
      try (Scope s = be.openScope("eval")) {
        CsrMatrix x = sparseRows(s, part * 1000L, 1000, SEED + 1, labels);
        EvalStats e = trainer.evaluate(x, s.of(DType.FLOAT32, Shape.of(1000), labels), null, true);
        correct += e.metricSum();
        total += e.weightSum();
      }
    }
    return correct / total;
  }

  private static String densified(int steps) {
    try (CpuBackend be = new CpuBackend(2);
        Network net = Network.create(network(false), be, DType.FLOAT32, SEED);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED)) {
      double[] labels = new double[BATCH];
      float[] values = new float[BATCH * ITEMS];
      long started = 0;
      for (int step = 0; step <= steps; step++) {
        if (step == 1) {
          started = System.nanoTime();   // the first step warms up
        }
        try (Scope s = be.openScope("batch")) {
          java.util.Arrays.fill(values, 0f);
          for (int i = 0; i < BATCH; i++) {
            Basket b = Basket.of((long) step * BATCH + i, SEED);
            for (int item : b.items()) {
              values[i * ITEMS + item] += 1;
            }
            labels[i] = b.label();
          }
          Tensor dense = s.of(DType.FLOAT32, Shape.of(BATCH, ITEMS), values);
          trainer.zeroGradients();
          BatchStats b = trainer.accumulateGradients(dense, s.of(DType.FLOAT32, Shape.of(BATCH), labels), null, step);
          trainer.applyGradients(b.weightSum());
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double rowsPerS = steps * BATCH / seconds;
      System.out.printf(Locale.ROOT, "  densified rows %,10d rows in %7.1f s: %,9.0f rows/s (%d steps after one to warm up); peak RSS"
          + " %,d MiB%n", steps * BATCH, seconds, rowsPerS, steps, DataScaleBenchmark.peakRssMb());
      return String.format(Locale.ROOT, "{\"input\":\"densified\",\"rows\":%d,\"seconds\":%.2f,\"rows_per_s\":%.1f,\"peak_rss_mb\":%d}",
          steps * BATCH, seconds, rowsPerS, DataScaleBenchmark.peakRssMb());
    } finally {
      openblas_nolapack.blas_set_num_threads(1);
    }
  }

  private static final org.apache.spark.sql.types.StructType BASKETS = new org.apache.spark.sql.types.StructType()
      .add("label", org.apache.spark.sql.types.DataTypes.DoubleType)
      .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType());

  /** Rows {@code [from, from + rows)} as a DataFrame of two partitions, generated on the executors, not cached. */
  static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame(org.apache.spark.sql.SparkSession spark, long from,
      long rows, long seed) {
    org.apache.spark.api.java.JavaRDD<org.apache.spark.sql.Row> generated = spark.range(from, from + rows, 1, 2).javaRDD()
        .map(id -> {
          Basket b = Basket.of(id, seed);
          int[] items = java.util.Arrays.stream(b.items()).sorted().distinct().toArray();
          double[] counts = new double[items.length];
          for (int item : b.items()) {
            counts[java.util.Arrays.binarySearch(items, item)] += 1;
          }
          return org.apache.spark.sql.RowFactory.create((double) b.label(),
              org.apache.spark.ml.linalg.Vectors.sparse(ITEMS, items, counts));
        });
    return spark.createDataFrame(generated, BASKETS);
  }

  private static String spark(long rows, String syncMode) {
    org.apache.spark.sql.SparkSession spark = Sessions.local("spark-dl sparse benchmark");
    try {
      long t0 = System.nanoTime();
      org.sparkdl.ml.NeuralNetworkClassificationModel m = new org.sparkdl.ml.NeuralNetworkClassifier()
          .setLayers(ITEMS, HIDDEN, CLASSES).setSeed(SEED).setMaxEpochs(2).setSyncMode(syncMode)
          .fit(frame(spark, 0, rows, SEED));
      double fit = (System.nanoTime() - t0) / 1e9;
      List<Double> ends = m.summary().epochSeconds();
      double second = ends.get(1) - ends.get(0);
      long t1 = System.nanoTime();
      double accuracy = m.transform(frame(spark, 0, 10_000, SEED + 1)).where("prediction = label").count() / 10_000.0;
      double scoring = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "  Spark local[2] " + syncMode + " mode %,10d rows, 2 epochs: fit %.1f s, first epoch ends at %.1f s (encoding"
          + " included), second epoch %.1f s: %,9.0f rows/s; sparse input %b; accuracy on 10,000 new rows %.2f%% (scored in"
          + " %.1f s); peak RSS %,d MiB%n", rows, fit, ends.get(0), second, rows / second, m.spec().inputs().get(0).sparse(),
          100 * accuracy, scoring, DataScaleBenchmark.peakRssMb());
      return String.format(Locale.ROOT, "{\"input\":\"spark local[2] " + syncMode + "\",\"rows\":%d,\"fit_s\":%.2f,\"first_epoch_end_s\":%.2f,"
          + "\"epoch_s\":%.2f,\"rows_per_s\":%.0f,\"accuracy\":%.4f,\"peak_rss_mb\":%d}", rows, fit, ends.get(0), second,
          rows / second, accuracy, DataScaleBenchmark.peakRssMb());
    } catch (RuntimeException | OutOfMemoryError e) {
      System.out.printf(Locale.ROOT, "  Spark local[2] FAILED: %s: %s (peak RSS %,d MiB)%n", e.getClass().getSimpleName(),
          e.getMessage(), DataScaleBenchmark.peakRssMb());
      return "{\"input\":\"spark local[2]\",\"error\":" + CpuBenchmark.quote(String.valueOf(e.getMessage())) + "}";
    } finally {
      spark.stop();
    }
  }
}
