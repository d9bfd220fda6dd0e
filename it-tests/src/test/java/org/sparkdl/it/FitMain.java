package org.sparkdl.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.TrainingSummary;

/**
 * Fits {@link MnistFits#classifier} in a {@code local[2]} session of its own JVM and prints one
 * line that the tests parse:
 *
 * <pre>RESULT epochs=6 rounds=96 accuracy=93.1500 weights=&lt;sha-256&gt; losses=0.61,0.29,...</pre>
 *
 * <p>Arguments, {@code name=value}: {@code epochs} (required), {@code checkpointDir} and {@code
 * checkpointInterval} (default 1).
 */
public final class FitMain {
  private FitMain() {}

  public static void main(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("Argument '" + a + "' is not name=value.");
      }
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    NeuralNetworkClassifier clf = MnistFits.classifier(Integer.parseInt(opts.get("epochs")));
    if (opts.containsKey("checkpointDir")) {
      clf.setCheckpointDir(opts.get("checkpointDir"))
          .setCheckpointInterval(Integer.parseInt(opts.getOrDefault("checkpointInterval", "1")));
    }
    SparkSession spark = Sessions.local("fit-main");
    try {
      Dataset<Row> train = MnistFits.train(spark).cache();
      Dataset<Row> test = MnistFits.test(spark).cache();
      NeuralNetworkClassificationModel model = clf.fit(train);
      TrainingSummary s = model.summary();
      String losses = s.lossHistory().stream().map(String::valueOf).collect(Collectors.joining(","));
      System.out.printf(Locale.ROOT, "RESULT epochs=%d rounds=%d accuracy=%.4f weights=%s losses=%s%n", s.epochs(),
          s.rounds(), MnistFits.accuracy(model, test), MnistFits.digest(model.weights()), losses);
    } finally {
      spark.stop();
    }
  }

  /** The RESULT line of a run, parsed. */
  record Result(int epochs, long rounds, double accuracy, String weights, List<Double> losses) {
    static Result of(ChildJvm jvm) {
      String line = jvm.lines().stream().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("No RESULT line in " + jvm.log() + "; it ends with:\n" + jvm.tail(40)));
      Map<String, String> f = new LinkedHashMap<>();
      for (String kv : line.substring("RESULT ".length()).split(" ")) {
        f.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
      List<Double> losses = java.util.Arrays.stream(f.get("losses").split(",")).map(Double::valueOf).toList();
      return new Result(Integer.parseInt(f.get("epochs")), Long.parseLong(f.get("rounds")),
          Double.parseDouble(f.get("accuracy")), f.get("weights"), losses);
    }
  }
}
