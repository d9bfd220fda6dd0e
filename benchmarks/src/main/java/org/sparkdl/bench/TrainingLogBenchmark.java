package org.sparkdl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.hadoop.IdxReader;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;

/**
 * What the TensorBoard log costs a fit: 784-128-10 with its defaults on the MNIST sample in
 * {@code local[2]}, fitted alternately without and with {@code logDir} (a local folder; every round's
 * scalars, every epoch's figures and histograms of every parameter and gradient), after one
 * warm-up fit. Reports the median fit times, the median of the pairs' ratios and the bytes of the
 * log; each logged fit's INFO line says how long the driver spent writing it (the direct measure,
 * free of the machine's noise).
 *
 * <p>Usage: {@code TrainingLogBenchmark [--quick]} (--quick: 2 pairs instead of 7).
 */
public final class TrainingLogBenchmark {
  private static final String USAGE = "Usage: TrainingLogBenchmark [--quick]\n  --quick  2 pairs of fits instead of 7";

  private TrainingLogBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean quick = CommandLine.quick(args, USAGE);
    SparkSession spark = Sessions.local("spark-dl TensorBoard log cost");
    Path logs = Files.createTempDirectory("sparkdl-tensorboard-bench");
    try {
      Path dir = Paths.get(System.getProperty("sparkdl.data.dir", "data"), "mnist10k");
      FileSystem fs = FileSystem.getLocal(new Configuration());
      float[] pixels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("images-idx3-ubyte.gz").toUri()))
          .toUnitFloats();
      float[] labels = IdxReader.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("labels-idx1-ubyte.gz").toUri()))
          .toFloats();
      Dataset<Row> train = SparkMnistBenchmark.frame(spark, pixels, labels).filter("not isTest").repartition(2).cache();
      long rows = train.count();
      System.out.printf(Locale.ROOT, "%nThe TensorBoard log's cost: 784-128-10, defaults, %d MNIST rows in local[2]%n", rows);
      for (String[] kv : CommandLine.environment()) {
        System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
      }
      new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(1).setMaxEpochs(2).fit(train);
      int pairs = quick ? 2 : 7;
      double[] plain = new double[pairs];
      double[] logged = new double[pairs];
      int epochs = 0;
      long rounds = 0;
      for (int i = 0; i < pairs; i++) {
        // alternate which fit of the pair goes first, so that a drift in the machine's load favours neither
        for (int k = 0; k < 2; k++) {
          boolean withLog = (i + k) % 2 == 1;
          NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(42);
          if (withLog) {
            clf.setLogDir(logs.resolve("pair-" + i).toString());
          }
          NeuralNetworkClassificationModel m = clf.fit(train);
          (withLog ? logged : plain)[i] = m.summary().seconds();
          epochs = m.summary().epochs();
          rounds = m.summary().rounds();
        }
      }
      long bytes;
      try (var walk = Files.walk(logs.resolve("pair-0"))) {
        bytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      Spread without = Spread.of(plain);
      Spread with = Spread.of(logged);
      System.out.printf(Locale.ROOT, "  without logDir  fit %s s%n", without.text("%.2f"));
      System.out.printf(Locale.ROOT, "  with logDir     fit %s s   (%d epochs, %d rounds; log %,d bytes)%n", with.text("%.2f"),
          epochs, rounds, bytes);
      double[] ratios = new double[pairs];
      for (int i = 0; i < pairs; i++) {
        ratios[i] = logged[i] / plain[i];
      }
      double cost = Spread.of(ratios).median() - 1;
      System.out.printf(Locale.ROOT, "  cost of the log: %+.1f%% of the fit time (median of %d paired ratios)   target <= 2%%: %s%n",
          100 * cost, pairs, cost <= 0.02 ? "met" : "MISSED");
      System.out.printf(Locale.ROOT, "  fastest fits: %.2f s without, %.2f s with (%+.1f%%)%n", without.min(), with.min(),
          100 * (with.min() / without.min() - 1));
      System.out.println("  (the driver's own writing time is in each fit's 'TensorBoard log ... closed' INFO line above)");
    } finally {
      spark.stop();
      FileUtil.fullyDelete(logs.toFile());
    }
  }
}
