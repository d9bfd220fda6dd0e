package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.ml.tensorboard.HistogramProto;
import org.sparkdl.testkit.SharedSpark;

/** The TensorBoard log of a fit holds what the fit's summary says, in every execution mode and across a resume. */
@ExtendWith(SharedSpark.class)
class TrainingLogTest {

  private static NeuralNetworkClassifier classifier(String logDir, int epochs) {
    return new NeuralNetworkClassifier().setLayers(4, 12, 3).setBatchSize(32).setLearningRate(0.01).setSeed(7)
        .setMaxEpochs(epochs).setLogDir(logDir);
  }

  private static Path onlyRun(Path logDir) throws Exception {
    try (var runs = Files.list(logDir)) {
      List<Path> all = runs.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  @Test
  void theLogHoldsTheSummaryRoundsAndHistogramsInEveryMode(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 300, 3, 2).cache();
    String[][] modes = {{"gradient", "barrier"}, {"average", "barrier"}, {"gradient", "rounds"}};
    for (String[] mode : modes) {
      String what = mode[0] + " " + mode[1];
      Path logDir = tmp.resolve(mode[0] + "-" + mode[1]);
      spark.conf().set(ExecutionPlan.MODE_CONF, mode[1]);
      NeuralNetworkClassifier estimator = classifier(logDir.toString(), 3).setSyncMode(mode[0]).setLocalSteps(2);
      NeuralNetworkClassificationModel m;
      try {
        m = estimator.fit(data);
      } finally {
        spark.conf().unset(ExecutionPlan.MODE_CONF);
      }
      Path run = onlyRun(logDir);
      assertTrue(run.getFileName().toString().matches(Pattern.quote(estimator.uid()) + "-\\d{8}-\\d{6}"),
          run.toString());
      EventFiles log = new EventFiles(run);
      TrainingSummary summary = m.summary();
      long rounds = summary.rounds() / summary.epochs();
      TreeMap<Long, Float> losses = log.scalars("epoch/loss");
      assertEquals(List.of(rounds, 2 * rounds, 3 * rounds), List.copyOf(losses.keySet()), what);
      for (int e = 0; e < 3; e++) {
        assertEquals(summary.lossHistory().get(e), losses.get((e + 1) * rounds), 1e-6, what);
        assertEquals(summary.trainAccuracies()[e], log.scalars("epoch/train_accuracy").get((e + 1) * rounds), 1e-6, what);
      }
      TreeMap<Long, Float> roundLoss = log.scalars("round/loss");
      assertEquals(3 * rounds, roundLoss.size(), what);
      assertEquals(1L, roundLoss.firstKey(), what);
      assertEquals(3 * rounds, (long) roundLoss.lastKey(), what);
      assertEquals(0.01, log.scalars("round/learning_rate").get(5L), 1e-9, what);
      assertEquals(3 * rounds, log.scalars("round/rows_per_second").size(), what);
      assertEquals(mode[1].equals("barrier") ? 3 * rounds : 0, log.scalars("round/sync_share").size(), what);
      // the last epoch's weight histograms summarise the model's weights (no validation: the model is the last epoch's)
      double[] total = new double[4];
      total[2] = Double.POSITIVE_INFINITY;
      total[3] = Double.NEGATIVE_INFINITY;
      List<String> weightTags = log.tags().stream().filter(t -> t.startsWith("weights/")).toList();
      assertEquals(4, weightTags.size(), what + ": " + log);
      for (String tag : weightTags) {
        HistogramProto h = log.histograms(tag).lastEntry().getValue();
        assertEquals(3, log.histograms(tag).size(), tag);
        assertEquals(h.getNum(), h.getBucketList().stream().mapToDouble(Double::doubleValue).sum(), tag);
        total[0] += h.getNum();
        total[1] += h.getSum();
        total[2] = Math.min(total[2], h.getMin());
        total[3] = Math.max(total[3], h.getMax());
      }
      assertArrayEquals(EventFiles.figures(m.weights()), total, 1e-4, what);
      boolean gradients = !(mode[0].equals("average") && mode[1].equals("rounds"));
      long gradientTags = log.tags().stream().filter(t -> t.startsWith("gradients/")).count();
      assertEquals(gradients ? 4 : 0, gradientTags, what + ": " + log);
      assertTrue(log.tags().contains("params") && log.tags().contains("_hparams_/session_start_info")
          && log.tags().contains("_hparams_/session_end_info"), what + ": " + log);
    }
  }

  @Test
  void theGradientHistogramIsTheMeanGradientOfTheLastStep(SparkSession spark, @TempDir Path tmp) throws Exception {
    // one round an epoch: the last step's gradient is the whole epoch's, the same in both execution modes
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 64, 5, 2).cache();
    Map<String, HistogramProto> barrier = null;
    for (String mode : new String[] {"barrier", "rounds"}) {
      Path logDir = tmp.resolve(mode);
      spark.conf().set(ExecutionPlan.MODE_CONF, mode);
      try {
        classifier(logDir.toString(), 2).setBatchSize(64).fit(data);
      } finally {
        spark.conf().unset(ExecutionPlan.MODE_CONF);
      }
      EventFiles log = new EventFiles(onlyRun(logDir));
      Map<String, HistogramProto> last = new TreeMap<>();
      for (String tag : log.tags()) {
        if (tag.startsWith("gradients/")) {
          last.put(tag, log.histograms(tag).lastEntry().getValue());
        }
      }
      assertEquals(4, last.size());
      if (barrier == null) {
        barrier = last;
      } else {
        for (String tag : last.keySet()) {
          assertArrayEquals(EventFiles.figures(barrier.get(tag)), EventFiles.figures(last.get(tag)), 1e-5, tag);
        }
      }
    }
  }

  @Test
  void aResumedFitContinuesTheRunWithRoundsThatKeepCounting(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 300, 3, 2).cache();
    String checkpoints = tmp.resolve("ck").toString();
    Path logDir = tmp.resolve("logs");
    NeuralNetworkClassificationModel straight = classifier(tmp.resolve("straight").toString(), 4).fit(data);
    classifier(logDir.toString(), 2).setCheckpointDir(checkpoints).fit(data);
    Path run = onlyRun(logDir);
    NeuralNetworkClassificationModel resumed = classifier(logDir.toString(), 4).setCheckpointDir(checkpoints).fit(data);
    assertEquals(run, onlyRun(logDir), "the resumed fit writes in the same run");
    assertEquals(2, new File(run.toString()).list((d, n) -> n.startsWith("events.out.tfevents.")).length);
    EventFiles log = new EventFiles(run);
    long rounds = resumed.summary().rounds() / 4;
    TreeMap<Long, Float> losses = log.scalars("epoch/loss");
    assertEquals(List.of(rounds, 2 * rounds, 3 * rounds, 4 * rounds), List.copyOf(losses.keySet()));
    for (int e = 0; e < 4; e++) {
      assertEquals(straight.summary().lossHistory().get(e), losses.get((e + 1) * rounds), 1e-6);
    }
    assertEquals(4 * rounds, log.scalars("round/loss").size());
    // the straight fit's log says the same
    EventFiles straightLog = new EventFiles(onlyRun(tmp.resolve("straight")));
    assertEquals(straightLog.scalars("round/loss"), log.scalars("round/loss"));
  }

  @Test
  void aLogThatCannotBeWrittenIsAWarningNotAFailure(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 100, 3, 2).cache();
    Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
    NeuralNetworkClassificationModel m = classifier(file.toString(), 1).fit(data);
    assertEquals(1, m.summary().epochs());
  }

  @Test
  void histogramsHaveEqualBinsThatCountEveryFiniteValue() {
    float[] v = {0, 1, 2, 3, Float.NaN, 10};
    HistogramProto h = TrainingLog.histogram(v, 0, v.length);
    assertEquals(5, h.getNum());
    assertEquals(16, h.getSum(), 0);
    assertEquals(0, h.getMin(), 0);
    assertEquals(10, h.getMax(), 0);
    assertEquals(TrainingLog.BINS, h.getBucketCount());
    assertEquals(10, h.getBucketLimit(TrainingLog.BINS - 1), 0);
    assertEquals(1, h.getBucket(0), 0);
    assertEquals(1, h.getBucket(TrainingLog.BINS - 1), 0);
    assertEquals(5, h.getBucketList().stream().mapToDouble(Double::doubleValue).sum(), 0);
    HistogramProto same = TrainingLog.histogram(new float[] {2, 2}, 0, 2);
    assertEquals(1, same.getBucketCount());
    assertEquals(2, same.getBucket(0), 0);
  }
}
