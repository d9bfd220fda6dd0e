package org.sparkdl.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.hadoop.IdxReader;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.LocalTrainer;

/**
 * Spark MLlib's {@code MultilayerPerceptronClassifier} (784-128-10, its defaults, maxIter 100)
 * against {@code NeuralNetworkClassifier} on the same cached MNIST DataFrame in one {@code
 * local[2]} session: fit times, test accuracies, and the time this classifier takes to reach
 * MLlib's final accuracy (test accuracy after each epoch, from the validation split, timed from the
 * call to {@code fit}). MLlib is warmed up with one short fit and then timed; then this
 * classifier's first fit in the JVM, with its defaults, is timed as a new user would meet it;
 * then two tuned settings. Last, the cost of one optimizer step, by the barrier stage and by the
 * old per-round path, against a bare {@code treeAggregate} of the same parameter size.
 *
 * <p>Usage: {@code SparkMnistBenchmark [--quick]}.
 */
public final class SparkMnistBenchmark {
  private static final int PARAMS = 784 * 128 + 128 + 128 * 10 + 10;
  private static final int TRAIN_ROWS = 8000;
  private static final String USAGE = "Usage: SparkMnistBenchmark [--quick]\n"
      + "  --quick  MLlib with maxIter 20, fewer timed treeAggregates: a smoke run, not the comparison";

  private SparkMnistBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean quick = CommandLine.quick(args, USAGE);
    long started = System.nanoTime();
    SparkSession spark = Sessions.local("spark-dl vs MLlib");
    try {
      run(spark, quick, started);
    } finally {
      spark.stop();
    }
  }

  private static void run(SparkSession spark, boolean quick, long started) throws Exception {
    System.out.printf(Locale.ROOT, "%nspark-dl against Spark MLlib on MNIST%s%n", quick ? " (QUICK smoke run: MLlib maxIter 20,"
        + " not the comparison)" : "");
    for (String[] kv : CommandLine.environment()) {
      System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
    }
    Path dir = Paths.get(System.getProperty("sparkdl.data.dir", "data"), "mnist10k");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    float[] pixels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("images-idx3-ubyte.gz").toUri())).toUnitFloats();
    float[] labels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("labels-idx1-ubyte.gz").toUri())).toFloats();
    Dataset<Row> all = frame(spark, pixels, labels).cache();
    all.count();
    Dataset<Row> train = all.filter("not isTest").repartition(2).cache();
    Dataset<Row> test = all.filter("isTest").cache();
    System.out.printf(Locale.ROOT, "%nMNIST sample in local[2]: %d training rows (2 partitions), %d test rows, cached%n",
        train.count(), test.count());
    MulticlassClassificationEvaluator acc = new MulticlassClassificationEvaluator().setMetricName("accuracy");
    // spark-dl: the same DataFrame; test rows ride along as the validation split to time accuracy per epoch
    Dataset<Row> withValidation = train.union(test).repartition(2).cache();
    withValidation.count();

    // MLlib first gets one short warm-up fit, so that its timed fit runs compiled code; this
    // classifier gets none: its first fit in the JVM, with defaults, is what a new user meets.
    long t0 = System.nanoTime();
    new MultilayerPerceptronClassifier().setLayers(new int[] {784, 128, 10}).setMaxIter(10).setSeed(7).fit(train);
    double mllibWarmup = (System.nanoTime() - t0) / 1e9;
    int maxIter = quick ? 20 : 100;
    t0 = System.nanoTime();
    MultilayerPerceptronClassificationModel mllib = new MultilayerPerceptronClassifier().setLayers(new int[] {784, 128, 10})
        .setMaxIter(maxIter).setSeed(42).fit(train);
    double mllibSeconds = (System.nanoTime() - t0) / 1e9;
    double mllibAcc = acc.evaluate(mllib.transform(test));
    System.out.printf(Locale.ROOT, "  MLlib MultilayerPerceptronClassifier  fit %6.2f s   test accuracy %.2f%%   [l-bfgs, maxIter %d,"
        + " blockSize 128; after a warm-up fit of maxIter 10: %.2f s]%n", mllibSeconds, 100 * mllibAcc, maxIter, mllibWarmup);

    List<Fit> fits = new ArrayList<>();
    NeuralNetworkClassifier defaults = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(42)
        .setValidationIndicatorCol("isTest");
    fits.add(fit("defaults", defaults, withValidation, test, acc));
    fits.add(fit("average", ours("average"), withValidation, test, acc));
    fits.add(fit("gradient", ours("gradient"), withValidation, test, acc));
    for (Fit f : fits) {
      print(f, mllibSeconds, mllibAcc);
    }

    RoundCost rc = roundCost(spark, train, quick);
    Fit first = fits.get(0);
    List<String[]> targets = List.of(
        target("defaults, first fit in the JVM: fit time <= 1/10 of MLlib's", String.format(Locale.ROOT, "%.2f s vs %.2f s = 1/%.1f",
            first.seconds, mllibSeconds, mllibSeconds / first.seconds), first.seconds <= mllibSeconds / 10),
        target("defaults, first fit in the JVM: final test accuracy >= MLlib's + 1 point", String.format(Locale.ROOT,
            "%.2f%% vs %.2f%% (%+.2f points)", 100 * first.finalAccuracy(), 100 * mllibAcc, 100 * (first.finalAccuracy() - mllibAcc)),
            first.finalAccuracy() >= mllibAcc + 0.01));
    System.out.printf(Locale.ROOT, "%nTargets%n");
    for (String[] t : targets) {
      System.out.printf(Locale.ROOT, "  %-72s %-28s %s%n", t[0], t[1], t[2].equals("true") ? "met" : "MISSED");
    }
    System.out.printf(Locale.ROOT, "%nTotal %.1f s, load average at the end %s. JSON:%n", (System.nanoTime() - started) / 1e9,
        CommandLine.loadAverage());
    System.out.println(String.format(Locale.ROOT, "{\"benchmark\":\"spark-dl-vs-mllib\",\"quick\":%s,\"cpu\":%s,\"cores\":%d,"
        + "\"mllib\":{\"max_iter\":%d,\"seconds\":%.3f,\"accuracy\":%.4f,\"warmup_seconds\":%.3f},\"fits\":[%s],"
        + "\"round_cost\":%s,\"targets\":[%s]}", quick, CpuBenchmark.quote(CpuBenchmark.cpuModel()),
        Runtime.getRuntime().availableProcessors(), maxIter, mllibSeconds, mllibAcc, mllibWarmup,
        fits.stream().map(f -> f.json(mllibAcc)).collect(Collectors.joining(",")), rc.json(),
        targets.stream().map(t -> "{\"target\":" + CpuBenchmark.quote(t[0]) + ",\"measured\":" + CpuBenchmark.quote(t[1])
            + ",\"met\":" + t[2] + "}").collect(Collectors.joining(","))));
  }

  private static String[] target(String name, String measured, boolean met) {
    return new String[] {name, measured, Boolean.toString(met)};
  }

  /** The tuned settings of each mode. */
  private static NeuralNetworkClassifier ours(String mode) {
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(42)
        .setValidationIndicatorCol("isTest").setSyncMode(mode);
    if (mode.equals("average")) {
      return clf.setBatchSize(64).setLearningRate(6e-3).setLocalSteps(128).setMaxEpochs(10);
    }
    return clf.setBatchSize(256).setLearningRate(3e-3).setMaxEpochs(10);
  }

  /**
   * A timed fit. Epoch ends are measured from the call to {@code fit}: the summary's times start
   * when training starts, so the work before it (schema checks, the class count) is added to each.
   */
  private record Fit(String name, NeuralNetworkClassifier clf, double seconds, double accuracy, TrainingSummary summary) {
    double epochEnd(int e) {
      return seconds - summary.seconds() + summary.epochSeconds().get(e);
    }

    /** Test accuracy after the last epoch (no choice of epoch by the test rows). */
    double finalAccuracy() {
      return summary.validationMetricHistory().get(summary.epochs() - 1);
    }

    /** Seconds from the call to {@code fit} until the test accuracy first reached {@code target}; NaN if never. */
    double reach(double target) {
      for (int e = 0; e < summary.epochs(); e++) {
        if (summary.validationMetricHistory().get(e) >= target) {
          return epochEnd(e);
        }
      }
      return Double.NaN;
    }

    String json(double mllibAcc) {
      return String.format(Locale.ROOT, "{\"name\":%s,\"seconds\":%.3f,\"final_accuracy\":%.4f,\"model_accuracy\":%.4f,"
          + "\"reach_mllib_seconds\":%s,\"epochs\":%d,\"rounds\":%d}", CpuBenchmark.quote(name), seconds, finalAccuracy(),
          accuracy, Double.isNaN(reach(mllibAcc)) ? "null" : String.format(Locale.ROOT, "%.3f", reach(mllibAcc)),
          summary.epochs(), summary.rounds());
    }
  }

  private static Fit fit(String name, NeuralNetworkClassifier clf, Dataset<Row> data, Dataset<Row> test,
      MulticlassClassificationEvaluator acc) {
    long t0 = System.nanoTime();
    NeuralNetworkClassificationModel m = clf.fit(data);
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Fit(name, clf, seconds, acc.evaluate(m.transform(test)), m.summary());
  }

  private static void print(Fit f, double mllibSeconds, double mllibAcc) {
    double reach = f.reach(mllibAcc);
    String what = f.name().equals("defaults") ? "defaults, FIRST fit in this JVM" : f.name() + " mode, tuned";
    System.out.printf(Locale.ROOT, "  NeuralNetworkClassifier, %-31s fit %6.2f s (%.1f%% of MLlib's time, 1/%.1f)   final test"
        + " accuracy %.2f%% (%+.2f points)   reaches MLlib's %.2f%% after %.2f s   [%s]%n", what, f.seconds(),
        100 * f.seconds() / mllibSeconds, mllibSeconds / f.seconds(), 100 * f.finalAccuracy(),
        100 * (f.finalAccuracy() - mllibAcc), 100 * mllibAcc, reach, settings(f.clf(), f.summary()));
    System.out.printf(Locale.ROOT, "      the fitted model scores %.2f%%: it holds the epoch with the best validation loss, and the"
        + " validation rows here are the test rows, so the final epoch's figure above is the one to compare%n",
        100 * f.accuracy());
    StringBuilder trace = new StringBuilder("      after each epoch (s from the start of fit, test accuracy):");
    for (int e = 0; e < f.summary().epochs(); e++) {
      trace.append(String.format(Locale.ROOT, " %.2f/%.2f%%", f.epochEnd(e), 100 * f.summary().validationMetricHistory().get(e)));
    }
    System.out.println(trace);
  }

  private static String settings(NeuralNetworkClassifier c, TrainingSummary s) {
    return String.format(Locale.ROOT, "%s mode, batch %d, lr %.0e, %s%d epochs, %d rounds", c.getSyncMode(), c.getBatchSize(),
        c.getLearningRate(), c.getSyncMode().equals("average") ? c.getLocalSteps() + " local steps, " : "", s.epochs(),
        s.rounds());
  }

  /** Milliseconds: a bare treeAggregate, one step's compute alone, a step of each execution path. */
  private record RoundCost(Spread bare, double compute, Spread barrierStep, Spread roundsStep) {
    String json() {
      return String.format(Locale.ROOT, "{\"parameters\":%d,%s,\"compute_ms\":%.4f,%s,%s}", PARAMS, bare.json("tree_aggregate_ms"),
          compute, barrierStep.json("barrier_step_ms"), roundsStep.json("rounds_step_ms"));
    }
  }

  /**
   * One gradient-mode step (batch 64 over 2 partitions) by each execution path, from the epoch
   * times of a fit (the epochs after the first), against a bare treeAggregate of a float vector of
   * the same size and the compute of a step measured alone.
   */
  private static RoundCost roundCost(SparkSession spark, Dataset<Row> train, boolean quick) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Spread bare = TreeAggregateCost.measure(jsc, PARAMS, quick ? 5 : 10, quick ? 15 : 40);
    // compute of one step: a chunk of 32 rows (batch 64 over 2 partitions) through forward and backward
    double[] compute = new double[200];
    try (CpuBackend be = new CpuBackend(1);
        Network net = Network.create(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu"), be, DType.FLOAT32, 1);
        LocalTrainer t = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 1);
        Scope sc = be.openScope("chunk")) {
      Tensor x = sc.allocate(DType.FLOAT32, Shape.of(32, 784));
      be.random(x, Distribution.UNIFORM, 0, 1, 1);
      Tensor y = sc.zeros(DType.FLOAT32, Shape.of(32));
      for (int i = 0; i < compute.length; i++) {
        long c = System.nanoTime();
        t.zeroGradients();
        t.accumulateGradients(x, y, null);
        net.parameters().grads().toFloatArray();
        compute[i] = (System.nanoTime() - c) / 1e6;
      }
    }
    double computeMs = Spread.after(50, compute).median();
    Spread barrier = stepMs(new NeuralNetworkClassifier().setLayers(784, 128, 10).setBatchSize(64).setMaxEpochs(3).setSeed(42)
        .fit(train).summary());
    spark.conf().set("spark.sparkdl.execution", "rounds");
    Spread rounds;
    try {
      rounds = stepMs(new NeuralNetworkClassifier().setLayers(784, 128, 10).setBatchSize(64).setMaxEpochs(2).setSeed(42)
          .fit(train).summary());
    } finally {
      spark.conf().unset("spark.sparkdl.execution");
    }
    System.out.printf(Locale.ROOT, "%nStep cost, 784-128-10 (%,d parameters), batch 64 over 2 partitions, gradient mode (ms;"
        + " steps from the epochs after the first):%n", PARAMS);
    System.out.printf(Locale.ROOT, "  bare treeAggregate of float[%d], median of %d after %d (min .. max)  %s%n", PARAMS,
        bare.count(), quick ? 5 : 10, bare.text("%.2f"));
    System.out.printf(Locale.ROOT, "  compute of one step alone (32 rows forward and backward, 1 thread)    %.2f%n", computeMs);
    System.out.printf(Locale.ROOT, "  per-round path (spark.sparkdl.execution=rounds), one round           %.2f = compute + %.2f bare"
        + " treeAggregates (%.2f x (compute + bare aggregate))%n", rounds.median(), (rounds.median() - computeMs) / bare.median(),
        rounds.median() / (computeMs + bare.median()));
    System.out.printf(Locale.ROOT, "  barrier stage (the default), one step                                %.2f = compute + %.2f"
        + " (allreduce, optimizer, epoch hand-over) = %.3f bare treeAggregates; %.0fx faster than a round%n", barrier.median(),
        barrier.median() - computeMs, barrier.median() / bare.median(), rounds.median() / barrier.median());
    return new RoundCost(bare, computeMs, barrier, rounds);
  }

  /** Milliseconds per step in each epoch after the first. */
  private static Spread stepMs(TrainingSummary s) {
    double steps = (double) s.rounds() / s.epochs();
    double[] ms = new double[s.epochs() - 1];
    for (int e = 1; e < s.epochs(); e++) {
      ms[e - 1] = (s.epochSeconds().get(e) - s.epochSeconds().get(e - 1)) * 1e3 / steps;
    }
    return Spread.of(ms);
  }

  /**
   * The digits as a DataFrame built on the executors from a broadcast of the pixel and label
   * arrays, so that no task carries the data itself (a DataFrame made from a driver-side list
   * would put it in every task of every job over it).
   */
  static Dataset<Row> frame(SparkSession spark, float[] pixels, float[] labels) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<float[]> px = jsc.broadcast(pixels);
    Broadcast<float[]> lb = jsc.broadcast(labels);
    StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false).add("isTest", DataTypes.BooleanType, false);
    JavaRDD<Row> rows = spark.range(0, labels.length, 1, 2).javaRDD().map(i -> {
      int r = (int) (long) i;
      float[] p = px.value();
      double[] x = new double[784];
      for (int j = 0; j < 784; j++) {
        x[j] = p[r * 784 + j];
      }
      return RowFactory.create((double) lb.value()[r], Vectors.dense(x), r >= TRAIN_ROWS);
    });
    return spark.createDataFrame(rows, schema);
  }
}
