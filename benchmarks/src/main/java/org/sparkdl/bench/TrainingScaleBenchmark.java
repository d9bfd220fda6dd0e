package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.train.InMemoryDataset;
import org.sparkdl.train.LocalTrainer;

/**
 * How {@code NeuralNetworkClassifier} training scales, on {@link SyntheticDigits} generated on the
 * executors and cached before anything is timed, against {@code LocalTrainer} in one JVM with the
 * same total threads (2):
 *
 * <ol>
 *   <li>the cost of one optimizer step (784-128-10, defaults: gradient mode, batch 64 over 2
 *       partitions) at 8,000 and at 300,000 rows, and the samples/s of the large epoch;
 *   <li>784-1024-1024-10 at batch 256, where compute dominates;
 *   <li>the old per-round path ({@code spark.sparkdl.execution=rounds}) on a sample, for the speed-up;
 *   <li>two executor JVMs against one ({@code local-cluster}).
 * </ol>
 *
 * Epoch times come from the fit's summary: the first epoch (stage launch, JIT compilation) is left
 * out, the later ones give the figures. Needs a large heap (the 300,000 rows are cached twice, as
 * rows and encoded): the README's command gives -Xmx6g.
 *
 * <p>Usage: {@code TrainingScaleBenchmark [--quick]}.
 */
public final class TrainingScaleBenchmark {
  private static final long SEED = 42;
  private static final int[] MLP = {784, 128, 10};
  private static final int[] WIDE = {784, 1024, 1024, 10};
  private static final String USAGE = "Usage: TrainingScaleBenchmark [--quick]\n"
      + "  --quick  smaller data (60,000 rows instead of 300,000, and so on): a smoke run, not a measurement";

  private TrainingScaleBenchmark() {}

  /** Rows and epochs of each part. */
  record Plan(boolean quick) {
    int smallRows() {
      return 8_000;
    }

    int largeRows() {
      return quick ? 60_000 : 300_000;
    }

    int localRows() {
      return quick ? 20_000 : 60_000;
    }

    int wideRows() {
      return quick ? 4_000 : 20_000;
    }

    int roundsRows() {
      return quick ? 4_000 : 16_000;
    }

    int clusterRows() {
      return quick ? 10_000 : 30_000;
    }

    int clusterWideRows() {
      return quick ? 2_000 : 10_000;
    }
  }

  /**
   * One measured setting: milliseconds per optimizer step and seconds per epoch over the timed
   * epochs, the rows an epoch trains on, and the last epoch's mean training loss.
   */
  record Figure(String key, String setting, long rows, long stepsPerEpoch, Spread stepMs, Spread epochSeconds, double loss) {
    double samplesPerSecond() {
      return rows / epochSeconds.median();
    }

    String json() {
      return String.format(Locale.ROOT, "{\"setting\":%s,\"rows\":%d,\"steps_per_epoch\":%d,%s,\"epoch_s\":%.4f,"
          + "\"samples_per_s\":%.1f,\"loss\":%.5f}", CpuBenchmark.quote(key), rows, stepsPerEpoch, stepMs.json("ms_per_step"),
          epochSeconds.median(), samplesPerSecond(), loss);
    }
  }

  /** A target and whether it was met. */
  record Target(String name, String measured, boolean met) {
    String json() {
      return "{\"target\":" + CpuBenchmark.quote(name) + ",\"measured\":" + CpuBenchmark.quote(measured) + ",\"met\":" + met + "}";
    }
  }

  public static void main(String[] args) {
    Plan plan = new Plan(CommandLine.quick(args, USAGE));
    long started = System.nanoTime();
    System.out.printf(Locale.ROOT, "%nspark-dl training scale benchmark%s%n", plan.quick() ? " (QUICK smoke run: smaller data,"
        + " numbers are rough)" : "");
    for (String[] kv : CommandLine.environment()) {
      System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
    }
    List<Figure> figures = new ArrayList<>();
    SparkSession spark = Sessions.local("spark-dl training scale");
    try {
      figures.add(spark("small", "Spark local[2], " + rows(plan.smallRows()), spark, plan.smallRows(), 3, 11, MLP, 64));
      figures.add(spark("large", "Spark local[2], " + rows(plan.largeRows()), spark, plan.largeRows(), 0, 3, MLP, 64));
      figures.add(local("local", "one JVM, LocalTrainer, 2 threads, " + rows(plan.localRows()), plan.localRows(), 2, MLP, 64));
      figures.add(local("local-1", "one JVM, LocalTrainer, 1 thread, " + rows(plan.localRows()), plan.localRows(), 1, MLP, 64));
      figures.add(spark("sample-barrier", "Spark local[2], barrier stage, " + rows(plan.roundsRows()), spark, plan.roundsRows(),
          0, 3, MLP, 64));
      spark.conf().set("spark.sparkdl.execution", "rounds");
      try {
        figures.add(spark("sample-rounds", "Spark local[2], one job per step, " + rows(plan.roundsRows()), spark,
            plan.roundsRows(), 0, 2, MLP, 64));
      } finally {
        spark.conf().unset("spark.sparkdl.execution");
      }
      figures.add(spark("wide", "Spark local[2], " + rows(plan.wideRows()), spark, plan.wideRows(), 0, 3, WIDE, 256));
      figures.add(local("wide-local", "one JVM, LocalTrainer, 2 threads, " + rows(plan.wideRows()), plan.wideRows(), 2, WIDE,
          256));
    } finally {
      spark.stop();
    }
    List<String> notes = new ArrayList<>();
    for (int executors : new int[] {2, 1}) {
      SparkSession cluster;
      try {
        cluster = Sessions.localCluster("spark-dl training scale", executors, 1024);
      } catch (IllegalStateException e) {
        notes.add("local-cluster[" + executors + ",1,1024] skipped: " + e.getMessage());
        continue;
      }
      try {
        // the executor JVMs are fresh: a warm-up fit compiles the training code in them first
        String master = "local-cluster[" + executors + ",1,1024], ";
        figures.add(spark("cluster-" + executors, master + rows(plan.clusterRows()), cluster, plan.clusterRows(), 2, 4, MLP, 64));
        figures.add(spark("cluster-wide-" + executors, master + rows(plan.clusterWideRows()), cluster, plan.clusterWideRows(), 1, 3,
            WIDE, 256));
      } finally {
        cluster.stop();
      }
    }
    List<Target> targets = report(figures, plan, notes);
    System.out.printf(Locale.ROOT, "%nTotal %.1f s, load average at the end %s. JSON:%n", (System.nanoTime() - started) / 1e9,
        CommandLine.loadAverage());
    System.out.println("{\"benchmark\":\"spark-dl-training-scale\",\"quick\":" + plan.quick() + ",\"cpu\":"
        + CpuBenchmark.quote(CpuBenchmark.cpuModel()) + ",\"cores\":" + Runtime.getRuntime().availableProcessors()
        + ",\"results\":[" + figures.stream().map(Figure::json).collect(Collectors.joining(",")) + "],\"targets\":["
        + targets.stream().map(Target::json).collect(Collectors.joining(",")) + "]}");
  }

  private static String rows(int n) {
    return String.format(Locale.ROOT, "%,d rows", n);
  }

  /**
   * A fit of {@code layers} (defaults but the batch size) for {@code epochs} epochs over {@code
   * rows} synthetic rows in 2 cached partitions; the epochs after the first are timed. With {@code
   * warmupEpochs > 0}, a fit of that many epochs on the same data runs first, untimed.
   */
  static Figure spark(String key, String setting, SparkSession spark, int rows, int warmupEpochs, int epochs, int[] layers,
      int batch) {
    Dataset<Row> data = SyntheticDigits.cachedFrame(spark, rows, 2, SEED);
    try {
      NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(layers).setSeed(SEED);
      if (batch != clf.getBatchSize()) {
        clf.setBatchSize(batch);
      }
      if (warmupEpochs > 0) {
        clf.copy(ParamMap.empty()).setMaxEpochs(warmupEpochs).fit(data);
      }
      TrainingSummary s = clf.setMaxEpochs(epochs).fit(data).summary();
      long steps = s.rounds() / s.epochs();
      double[] epochSeconds = new double[s.epochs() - 1];
      double[] stepMs = new double[s.epochs() - 1];
      for (int e = 1; e < s.epochs(); e++) {
        epochSeconds[e - 1] = s.epochSeconds().get(e) - s.epochSeconds().get(e - 1);
        stepMs[e - 1] = epochSeconds[e - 1] * 1e3 / steps;
      }
      return new Figure(key, setting, s.trainingRows(), steps, Spread.of(stepMs), Spread.of(epochSeconds),
          s.lossHistory().get(s.epochs() - 1));
    } finally {
      data.unpersist(true);
    }
  }

  /**
   * {@code LocalTrainer.trainEpoch} (Adam 1e-3, batches copied from the heap as a user's loop
   * would) on a CPU backend of {@code threads} threads over the same synthetic rows generated
   * here: 3 epochs, the last 2 timed.
   */
  static Figure local(String key, String setting, int rows, int threads, int[] layers, int batch) {
    InMemoryDataset data = SyntheticDigits.inMemory(rows, SEED);
    try (CpuBackend be = new CpuBackend(threads);
        Network net = Network.create(NetworkSpec.mlp(layers, "relu"), be, DType.FLOAT32, SEED);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED)) {
      double[] epochSeconds = new double[2];
      double loss = Double.NaN;
      for (int e = 0; e < 3; e++) {
        long t0 = System.nanoTime();
        loss = trainer.trainEpoch(data, batch, SEED * 7919 + e).meanLoss();
        if (e > 0) {
          epochSeconds[e - 1] = (System.nanoTime() - t0) / 1e9;
        }
      }
      long steps = (rows + batch - 1) / batch;
      double[] stepMs = {epochSeconds[0] * 1e3 / steps, epochSeconds[1] * 1e3 / steps};
      return new Figure(key, setting, rows, steps, Spread.of(stepMs), Spread.of(epochSeconds), loss);
    } finally {
      // OpenBLAS's thread count is one per process: give the Spark tasks of this JVM back their 1 thread each
      openblas_nolapack.blas_set_num_threads(1);
    }
  }

  // ---------------------------------------------------------------- report

  private static Figure get(List<Figure> figures, String key) {
    return figures.stream().filter(f -> f.key().equals(key)).findFirst().orElse(null);
  }

  private static void header() {
    System.out.printf(Locale.ROOT, "  %-52s %11s %24s %11s %9s %8s%n", "setting", "steps/epoch", "ms/step (min .. max)", "samples/s",
        "epoch s", "loss");
  }

  private static void row(Figure f) {
    if (f != null) {
      System.out.printf(Locale.ROOT, "  %-52s %,11d %24s %,11.0f %9.2f %8.4f%n", f.setting(), f.stepsPerEpoch(),
          f.stepMs().text("%.3f"), f.samplesPerSecond(), f.epochSeconds().median(), f.loss());
    }
  }

  private static List<Target> report(List<Figure> figures, Plan plan, List<String> notes) {
    System.out.printf(Locale.ROOT, "%nStep cost against data size: 784-128-10, defaults (gradient mode, batch 64 over 2 partitions,"
        + " Adam 3e-3; the single-JVM lines Adam 1e-3); figures from the epochs after the first%n");
    header();
    row(get(figures, "small"));
    row(get(figures, "large"));
    row(get(figures, "local"));
    row(get(figures, "local-1"));
    System.out.printf(Locale.ROOT, "%nThe old per-round path (spark.sparkdl.execution=rounds) against the barrier stage,"
        + " on a %,d-row sample (a %,d-row epoch that way would take too long)%n", plan.roundsRows(), plan.largeRows());
    header();
    row(get(figures, "sample-barrier"));
    row(get(figures, "sample-rounds"));
    System.out.printf(Locale.ROOT, "%nCompute-bound: 784-1024-1024-10, gradient mode, batch 256 over 2 partitions%n");
    header();
    row(get(figures, "wide"));
    row(get(figures, "wide-local"));
    System.out.printf(Locale.ROOT, "%nExecutors: two executor JVMs of 1 core against one, 2 partitions; 784-128-10 with defaults,"
        + " then 784-1024-1024-10 at batch 256%n");
    header();
    row(get(figures, "cluster-2"));
    row(get(figures, "cluster-1"));
    row(get(figures, "cluster-wide-2"));
    row(get(figures, "cluster-wide-1"));

    List<Target> targets = new ArrayList<>();
    Figure small = get(figures, "small");
    Figure large = get(figures, "large");
    Figure local = get(figures, "local");
    double growth = large.stepMs().median() / small.stepMs().median();
    targets.add(new Target("step time at " + rows(plan.largeRows()) + " within 20% of the step time at " + rows(plan.smallRows()),
        String.format(Locale.ROOT, "%.3f ms vs %.3f ms (%+.0f%%)", large.stepMs().median(), small.stepMs().median(),
            100 * (growth - 1)), growth <= 1.2));
    double share = large.samplesPerSecond() / local.samplesPerSecond();
    targets.add(new Target("the " + rows(plan.largeRows()) + " epoch at >= 50% of one JVM's samples/s (2 threads each)",
        String.format(Locale.ROOT, "%,.0f vs %,.0f samples/s (%.0f%%)", large.samplesPerSecond(), local.samplesPerSecond(),
            100 * share), share >= 0.5));
    Figure wide = get(figures, "wide");
    Figure wideLocal = get(figures, "wide-local");
    double wideShare = wide.samplesPerSecond() / wideLocal.samplesPerSecond();
    targets.add(new Target("784-1024-1024-10 at batch 256: >= 70% of one JVM's samples/s", String.format(Locale.ROOT,
        "%,.0f vs %,.0f samples/s (%.0f%%)", wide.samplesPerSecond(), wideLocal.samplesPerSecond(), 100 * wideShare),
        wideShare >= 0.7));
    Figure two = get(figures, "cluster-2");
    Figure one = get(figures, "cluster-1");
    if (two != null && one != null) {
      double speedup = two.samplesPerSecond() / one.samplesPerSecond();
      targets.add(new Target("784-128-10: two executors train faster than one", String.format(Locale.ROOT,
          "%,.0f vs %,.0f samples/s (x%.2f)", two.samplesPerSecond(), one.samplesPerSecond(), speedup), speedup > 1));
    }
    Figure wideTwo = get(figures, "cluster-wide-2");
    Figure wideOne = get(figures, "cluster-wide-1");
    if (wideTwo != null && wideOne != null) {
      double speedup = wideTwo.samplesPerSecond() / wideOne.samplesPerSecond();
      targets.add(new Target("784-1024-1024-10: two executors train faster than one", String.format(Locale.ROOT,
          "%,.0f vs %,.0f samples/s (x%.2f)", wideTwo.samplesPerSecond(), wideOne.samplesPerSecond(), speedup), speedup > 1));
    }
    System.out.printf(Locale.ROOT, "%nTargets%n");
    for (Target t : targets) {
      System.out.printf(Locale.ROOT, "  %-70s %-40s %s%n", t.name(), t.measured(), t.met() ? "met" : "MISSED");
    }
    Figure barrier = get(figures, "sample-barrier");
    Figure rounds = get(figures, "sample-rounds");
    System.out.printf(Locale.ROOT, "%nNotes%n  per-round path: %.1f ms per step against %.2f ms in the barrier stage (x%.0f); a"
        + " %s epoch (%,d steps) would take about %.0f s that way, against %.1f s measured%n", rounds.stepMs().median(),
        barrier.stepMs().median(), rounds.stepMs().median() / barrier.stepMs().median(), rows(plan.largeRows()),
        large.stepsPerEpoch(), rounds.stepMs().median() * large.stepsPerEpoch() / 1e3, large.epochSeconds().median());
    // epoch = fixed + steps x step, from the two data sizes: what each epoch costs besides its steps
    double step = (large.epochSeconds().median() - small.epochSeconds().median()) / (large.stepsPerEpoch() - small.stepsPerEpoch());
    double fixed = small.epochSeconds().median() - small.stepsPerEpoch() * step;
    System.out.printf(Locale.ROOT, "  epoch time = fixed + steps x step, solved from the two data sizes: %.3f ms per step and %.0f ms"
        + " per epoch besides its steps (the hand-over to the driver; meaningful only when the load stayed steady)%n", step * 1e3, fixed * 1e3);
    notes.forEach(n -> System.out.println("  " + n));
    return targets;
  }
}
