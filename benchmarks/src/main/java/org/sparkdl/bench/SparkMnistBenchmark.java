package org.sparkdl.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.hadoop.IdxReader;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.NeuralNetworkClassificationModel;
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
 * call to {@code fit}). The first fit in the fresh JVM is reported on its own; then each library gets
 * one short warm-up fit, so that the timed fits compare JIT-compiled code on both sides. Then the
 * cost of one gradient round against a bare {@code treeAggregate} of the same parameter size.
 */
public final class SparkMnistBenchmark {
  private SparkMnistBenchmark() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("spark-dl vs MLlib")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    try {
      run(spark);
    } finally {
      spark.stop();
    }
  }

  private static void run(SparkSession spark) throws Exception {
    Path dir = Paths.get(System.getProperty("sparkdl.data.dir", "data"), "mnist10k");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    float[] pixels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("images-idx3-ubyte.gz").toUri())).toUnitFloats();
    float[] labels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("labels-idx1-ubyte.gz").toUri())).toFloats();
    Dataset<Row> all = frame(spark, pixels, labels).cache();
    Dataset<Row> train = all.filter("not isTest").repartition(2).cache();
    Dataset<Row> test = all.filter("isTest").cache();
    System.out.printf(Locale.ROOT, "%nMNIST sample in local[2]: %d training rows (2 partitions), %d test rows, cached%n",
        train.count(), test.count());
    MulticlassClassificationEvaluator acc = new MulticlassClassificationEvaluator().setMetricName("accuracy");
    // spark-dl: the same DataFrame; test rows ride along as the validation split to time accuracy per epoch
    Dataset<Row> withValidation = train.union(test).repartition(2).cache();
    withValidation.count();

    // The first fit in a fresh JVM pays class loading and JIT compilation; it is reported, then both
    // libraries get one short warm-up fit, so that the timed fits compare compiled code with compiled
    // code, as in a session that has run a job before.
    Fit cold = fit(ours("average"), withValidation, test, acc);
    long t0 = System.nanoTime();
    new MultilayerPerceptronClassifier().setLayers(new int[] {784, 128, 10}).setMaxIter(10).setSeed(7).fit(train);
    double mllibWarmup = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    ours("gradient").setMaxEpochs(1).fit(withValidation);
    double oursWarmup = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "  first fit in this JVM (average mode, cold): %.2f s; warm-up fits: MLlib %.2f s (maxIter 10),"
        + " spark-dl %.2f s (1 epoch)%n", cold.seconds, mllibWarmup, oursWarmup);

    // MLlib, its defaults (l-bfgs, blockSize 128), maxIter 100
    t0 = System.nanoTime();
    MultilayerPerceptronClassificationModel mllib = new MultilayerPerceptronClassifier().setLayers(new int[] {784, 128, 10})
        .setMaxIter(100).setSeed(42).fit(train);
    double mllibSeconds = (System.nanoTime() - t0) / 1e9;
    double mllibAcc = acc.evaluate(mllib.transform(test));
    System.out.printf(Locale.ROOT, "  MLlib MultilayerPerceptronClassifier  fit %6.2f s   test accuracy %.2f%%%n", mllibSeconds,
        100 * mllibAcc);
    System.out.printf(Locale.ROOT, "  (the cold first fit above reached MLlib's %.2f%% after %.2f s)%n", 100 * mllibAcc,
        cold.reach(mllibAcc));
    for (String mode : new String[] {"average", "gradient"}) {
      NeuralNetworkClassifier clf = ours(mode);
      Fit f = fit(clf, withValidation, test, acc);
      double reach = f.reach(mllibAcc);
      System.out.printf(Locale.ROOT, "  NeuralNetworkClassifier %-8s mode   fit %6.2f s   final test accuracy %.2f%% (%+.2f points)"
          + "   reaches MLlib's %.2f%% after %.2f s (%.1f%% of MLlib's time)   [%s]%n", mode, f.seconds, 100 * f.finalAccuracy(),
          100 * (f.finalAccuracy() - mllibAcc), 100 * mllibAcc, reach, 100 * reach / mllibSeconds, settings(clf, f.summary));
      System.out.printf(Locale.ROOT, "      the fitted model scores %.2f%%: it holds the epoch with the best validation loss, and the"
          + " validation rows here are the test rows, so the final epoch's figure above is the one to compare%n",
          100 * f.accuracy);
      StringBuilder trace = new StringBuilder("      after each epoch (s from the start of fit, test accuracy):");
      for (int e = 0; e < f.summary.epochs(); e++) {
        trace.append(String.format(Locale.ROOT, " %.2f/%.2f%%", f.epochEnd(e), 100 * f.summary.validationMetricHistory().get(e)));
      }
      System.out.println(trace);
    }

    roundCost(spark, train);
  }

  /** The benchmarked settings of each mode. */
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
  private record Fit(double seconds, double accuracy, TrainingSummary summary) {
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
  }

  private static Fit fit(NeuralNetworkClassifier clf, Dataset<Row> data, Dataset<Row> test,
      MulticlassClassificationEvaluator acc) {
    long t0 = System.nanoTime();
    NeuralNetworkClassificationModel m = clf.fit(data);
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Fit(seconds, acc.evaluate(m.transform(test)), m.summary());
  }

  private static String settings(NeuralNetworkClassifier c, TrainingSummary s) {
    return String.format(Locale.ROOT, "batch %d, lr %.0e, %s%d epochs, %d rounds", c.getBatchSize(), c.getLearningRate(),
        c.getSyncMode().equals("average") ? c.getLocalSteps() + " local steps, " : "", s.epochs(), s.rounds());
  }

  /** One gradient round against a bare treeAggregate of a float vector of the same size. */
  private static void roundCost(SparkSession spark, Dataset<Row> train) {
    int params = 784 * 128 + 128 + 128 * 10 + 10;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Integer> parts = jsc.parallelize(Arrays.asList(0, 1), 2).cache();
    parts.count();
    double[] bare = new double[40];
    for (int i = 0; i < bare.length; i++) {
      long t = System.nanoTime();
      float[] out = parts.treeAggregate(new float[params], (acc, p) -> {
        float[] v = new float[params];
        v[p] = 1;
        return v;
      }, (a, b) -> {
        for (int j = 0; j < a.length; j++) {
          a[j] += b[j];
        }
        return a;
      }, 2);
      bare[i] = (System.nanoTime() - t) / 1e6;
      if (out.length != params) {
        throw new IllegalStateException();
      }
    }
    // compute of one round: a chunk of 32 rows (batch 64 over 2 partitions) through forward and backward
    double[] compute = new double[200];
    try (CpuBackend be = new CpuBackend(1);
        Network net = Network.create(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu"), be, DType.FLOAT32, 1);
        LocalTrainer t = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 1);
        Scope sc = be.openScope("chunk")) {
      Tensor x = sc.allocate(DType.FLOAT32, Shape.of(32, 784));
      be.random(x, org.sparkdl.backend.Distribution.UNIFORM, 0, 1, 1);
      Tensor y = sc.zeros(DType.FLOAT32, Shape.of(32));
      for (int i = 0; i < compute.length; i++) {
        long c = System.nanoTime();
        t.zeroGradients();
        t.accumulateGradients(x, y, null);
        net.parameters().grads().toFloatArray();
        compute[i] = (System.nanoTime() - c) / 1e6;
      }
    }
    NeuralNetworkClassificationModel m = new NeuralNetworkClassifier().setLayers(784, 128, 10).setBatchSize(64).setMaxEpochs(3)
        .setSeed(42).fit(train);
    List<Double> perRound = new ArrayList<>();
    List<Double> ends = m.summary().epochSeconds();
    for (int e = 1; e < ends.size(); e++) {
      perRound.add((ends.get(e) - ends.get(e - 1)) * 1e3 / (m.summary().rounds() / m.summary().epochs()));
    }
    double round = median(perRound.stream().mapToDouble(Double::doubleValue).toArray());
    double bareMs = median(Arrays.copyOfRange(bare, 10, bare.length));
    double computeMs = median(Arrays.copyOfRange(compute, 50, compute.length));
    System.out.printf(Locale.ROOT, "%nRound cost, 784-128-10 (%,d parameters), batch 64 over 2 partitions, gradient mode:%n"
        + "  one training round %.2f ms = compute %.2f ms + %.2f bare treeAggregates of %.2f ms"
        + " (a round costs %.2f x (compute + bare aggregate))%n", params, round, computeMs, (round - computeMs) / bareMs, bareMs,
        round / (computeMs + bareMs));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static Dataset<Row> frame(SparkSession spark, float[] pixels, float[] labels) {
    StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false).add("isTest", DataTypes.BooleanType, false);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < labels.length; r++) {
      double[] x = new double[784];
      for (int j = 0; j < 784; j++) {
        x[j] = pixels[r * 784 + j];
      }
      rows.add(RowFactory.create((double) labels[r], Vectors.dense(x), r >= 8000));
    }
    return spark.createDataFrame(rows, schema);
  }
}
