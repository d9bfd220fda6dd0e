package org.sparkdl.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.scoring.BatchScoringJob;

/**
 * Models and batch scoring on HDFS: an in-process MiniDFSCluster (one DataNode, under {@code
 * target/}) and a {@code local[2]} session. A model trained on MNIST is saved to and loaded from
 * {@code hdfs://}, the batch-scoring job reads and writes HDFS Parquet, and a save that fails half
 * way leaves nothing behind.
 */
class HdfsIT {
  private static final int EPOCHS = 4;
  private static final int SCORING_RUNS = 5;

  private static MiniDFSCluster dfs;
  private static DistributedFileSystem fs;
  private static String base;
  private static SparkSession spark;
  private static NeuralNetworkClassificationModel trained;
  private static double trainedAccuracy;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, Sessions.freshDir("minidfs").toString());
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    fs = dfs.getFileSystem();
    base = "hdfs://localhost:" + dfs.getNameNodePort();
    spark = Sessions.local("hdfs-it");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  /** The MNIST model of this class, fitted once. */
  private static synchronized NeuralNetworkClassificationModel trained() {
    if (trained == null) {
      Dataset<Row> train = MnistFits.train(spark).cache();
      trained = MnistFits.classifier(EPOCHS).fit(train);
      trainedAccuracy = MnistFits.accuracy(trained, MnistFits.test(spark));
      train.unpersist();
      System.out.printf(Locale.ROOT, "MNIST %s, %d epochs in local[2]: %.2f%% test accuracy, fit %.1f s%n",
          Arrays.toString(MnistFits.LAYERS), EPOCHS, trainedAccuracy, trained.summary().seconds());
    }
    return trained;
  }

  @Test
  void aModelTrainedOnMnistSavesToHdfsAndLoadsBackScoringTheSame() throws IOException {
    NeuralNetworkClassificationModel model = trained();
    assertTrue(trainedAccuracy >= 90.0, "test accuracy " + trainedAccuracy);
    String path = base + "/models/mnist";
    model.write().save(path);
    assertEquals("hdfs", new Path(path).getFileSystem(spark.sparkContext().hadoopConfiguration()).getScheme());
    Path version = org.sparkdl.hadoop.VersionedDirectory.newest(fs, new Path(path));
    assertTrue(fs.exists(new Path(path, "metadata")) && version != null && fs.exists(new Path(version, "metadata"))
        && fs.exists(new Path(version, "network.json")) && fs.exists(new Path(version, "weights.safetensors")),
        "saved files: " + names(new Path(path)));
    // an overwrite on HDFS commits a new version and removes the old one
    model.write().overwrite().save(path);
    Path next = org.sparkdl.hadoop.VersionedDirectory.newest(fs, new Path(path));
    assertTrue(next.getName().compareTo(version.getName()) > 0 && !fs.exists(version), "saved files: " + names(new Path(path)));

    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertArrayEquals(model.weights(), loaded.weights());
    Dataset<Row> test = MnistFits.test(spark);
    List<Row> before = model.transform(test).select("prediction", "probability").collectAsList();
    List<Row> after = loaded.transform(test).select("prediction", "probability").collectAsList();
    assertEquals(before, after);
  }

  /**
   * A fit with its TensorBoard log and checkpoints on HDFS, interrupted after 2 epochs and resumed
   * to 3, leaves one run that TensorBoard's own reader (the {@code tensorboard} Python package,
   * run on a local copy) reads as the summary says, rounds counting on across the resume.
   */
  @Test
  void aFitLogsForTensorBoardOnHdfsAcrossAResume() throws Exception {
    Dataset<Row> train = MnistFits.train(spark).limit(2_000).repartition(2).cache();
    String logDir = base + "/tensorboard";
    String checkpoints = base + "/checkpoints/tensorboard";
    MnistFits.classifier(2).setLogDir(logDir).setCheckpointDir(checkpoints).fit(train);
    NeuralNetworkClassificationModel resumed = MnistFits.classifier(3).setLogDir(logDir).setCheckpointDir(checkpoints)
        .fit(train);
    train.unpersist();
    FileStatus[] runs = fs.listStatus(new Path(logDir));
    assertEquals(1, runs.length, "runs: " + names(new Path(logDir)));
    assertEquals(2, fs.listStatus(runs[0].getPath(), p -> p.getName().startsWith("events.out.tfevents.")).length);
    java.nio.file.Path local = Sessions.freshDir("tensorboard-copy");
    fs.copyToLocalFile(runs[0].getPath(), new Path(local.toUri()));
    java.nio.file.Path copy = local.resolve(runs[0].getPath().getName());

    java.nio.file.Path script = java.nio.file.Path.of("src/test/resources/read_tensorboard.py").toAbsolutePath();
    Process p = new ProcessBuilder("python3", script.toString(), copy.toString()).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    org.junit.jupiter.api.Assumptions.assumeTrue(p.exitValue() != 3,
        "the tensorboard Python package is missing (python3 -m pip install tensorboard): the log is not read back");
    assertEquals(0, p.exitValue(), err);
    com.fasterxml.jackson.databind.JsonNode log = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
    long rounds = resumed.summary().rounds() / 3;
    com.fasterxml.jackson.databind.JsonNode losses = log.path("scalars").path("epoch/loss");
    assertEquals(3, losses.size(), log.toString());
    for (int e = 0; e < 3; e++) {
      assertEquals((e + 1) * rounds, losses.get(e).get(0).asLong());
      assertEquals(resumed.summary().lossHistory().get(e), losses.get(e).get(1).asDouble(), 1e-6);
    }
    assertEquals(3 * rounds, log.path("scalars").path("round/loss").size());
    assertEquals(3 * rounds, log.path("scalars").path("round/loss").get((int) (3 * rounds - 1)).get(0).asLong());
    double weights = 0;
    double sum = 0;
    List<String> weightTags = new ArrayList<>();
    log.path("histograms").fieldNames().forEachRemaining(t -> {
      if (t.startsWith("weights/")) {
        weightTags.add(t);
      }
    });
    assertEquals(4, weightTags.size(), weightTags.toString());
    for (String tag : weightTags) {
      com.fasterxml.jackson.databind.JsonNode h = log.path("histograms").path(tag);
      assertEquals(3, h.size(), tag + " in " + log.path("histograms").fieldNames());
      weights += h.get(2).get(1).asDouble();
      sum += h.get(2).get(2).asDouble();
    }
    float[] w = resumed.weights();
    assertEquals(w.length, weights, 0);
    double expected = 0;
    for (float v : w) {
      expected += v;
    }
    assertEquals(expected, sum, 1e-3);
    assertTrue(log.path("plugins").path("hparams").toString().contains("_hparams_/session_start_info"), log.toString());
  }

  @Test
  void theBatchScoringJobScoresHdfsParquetIntoHdfsParquet() throws IOException {
    String model = base + "/models/for-scoring";
    trained().write().overwrite().save(model);
    String input = base + "/data/mnist.parquet";
    String output = base + "/scores/mnist";
    MnistFits.all(spark).withColumn("id", functions.monotonically_increasing_id()).write().mode("overwrite").parquet(input);
    Dataset<Row> in = spark.read().parquet(input);
    assertEquals(10_000, in.count());

    // the job's main, as spark-submit would call it; in this JVM it takes the test's session
    BatchScoringJob.main(new String[] {"--model", model, "--input", input, "--output", output});
    Dataset<Row> out = spark.read().parquet(output);
    assertEquals(List.of("label", "id", "rawPrediction", "probability", "prediction"), Arrays.asList(out.columns()));
    assertEquals(10_000, out.count());
    assertEquals(10_000, out.select("id").distinct().count());
    // the same predictions as the model in this JVM, row by row
    Dataset<Row> here = trained().transform(in).select(functions.col("id"), functions.col("prediction").as("expected"));
    assertEquals(0, out.join(here, "id").filter("prediction != expected").count());
    assertEquals(10_000, out.join(here, "id").count());
    long correct = out.filter("prediction = label").count();
    assertTrue(correct >= 9_000, correct + " of 10000 rows predicted correctly");
    // an existing output is refused unless --mode overwrite
    Exception exists = assertThrows(Exception.class,
        () -> BatchScoringJob.main(new String[] {"--model", model, "--input", input, "--output", output}));
    assertTrue(String.valueOf(exists.getMessage()).contains("already exists"), exists.toString());

    // throughput: the whole job (model load, Parquet read from HDFS, scoring, Parquet write to HDFS)
    List<Double> rowsPerSecond = new ArrayList<>();
    for (int i = 0; i < SCORING_RUNS; i++) {
      long t0 = System.nanoTime();
      BatchScoringJob.main(new String[] {"--model", model, "--input", input, "--output", output, "--mode", "overwrite"});
      rowsPerSecond.add(10_000 / ((System.nanoTime() - t0) / 1e9));
    }
    assertEquals(10_000, spark.read().parquet(output).count());
    List<Double> sorted = rowsPerSecond.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "Batch scoring HDFS Parquet -> HDFS Parquet, 10000 MNIST rows, local[2]: median %.0f"
        + " rows/s over %d runs %s%n", sorted.get(sorted.size() / 2), SCORING_RUNS,
        rowsPerSecond.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList());
  }

  @Test
  void aSaveToAnExistingPathWithoutOverwriteFailsAndKeepsTheModelThere() throws IOException {
    NeuralNetworkClassificationModel model = trained();
    String path = base + "/models/kept";
    model.write().save(path);
    NeuralNetworkClassificationModel other = perturbed(model);
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> other.write().save(path));
    assertEquals("Path " + path + " already exists. To overwrite it, please use write.overwrite().save(path) for Scala"
        + " and use write().overwrite().save(path) for Java and Python.", e.getMessage());
    assertArrayEquals(model.weights(), NeuralNetworkClassificationModel.load(path).weights());
  }

  /**
   * A namespace quota on the parent directory makes HDFS refuse the k-th file or directory the
   * save creates; k runs up from 1 until the save fits, so the save fails at each step of the
   * write once. After every failure the parent holds exactly what it held before: nothing for a new
   * path, the previous model (still loadable, same weights) for an overwrite.
   */
  @Test
  void aSaveThatFailsHalfWayLeavesNothingBehind() throws IOException {
    NeuralNetworkClassificationModel model = trained();
    Path parent = new Path("/models/quota");
    fs.mkdirs(parent);
    String path = base + parent + "/m";

    int failures = 0;
    for (int extra = 1; ; extra++) {
      assertTrue(extra < 30, "the save kept failing with a quota of " + extra + " more names");
      setQuota(parent, used(parent) + extra);
      try {
        model.write().save(path);
        break;
      } catch (IOException e) {
        failures++;
        assertTrue(mentionsQuota(e), "not the quota: " + e);
        assertEquals(List.of(), names(parent), "left behind by a save that failed at name " + extra);
      } finally {
        setQuota(parent, HdfsConstants.QUOTA_RESET);
      }
    }
    assertTrue(failures >= 4, "the save failed at only " + failures + " points");
    assertArrayEquals(model.weights(), NeuralNetworkClassificationModel.load(path).weights());

    NeuralNetworkClassificationModel other = perturbed(model);
    int overwriteFailures = 0;
    for (int extra = 1; ; extra++) {
      assertTrue(extra < 30, "the overwrite kept failing with a quota of " + extra + " more names");
      setQuota(parent, used(parent) + extra);
      try {
        other.write().overwrite().save(path);
        break;
      } catch (IOException e) {
        overwriteFailures++;
        assertEquals(List.of("m"), names(parent), "left behind by an overwrite that failed at name " + extra);
        assertArrayEquals(model.weights(), NeuralNetworkClassificationModel.load(path).weights());
      } finally {
        setQuota(parent, HdfsConstants.QUOTA_RESET);
      }
    }
    assertTrue(overwriteFailures >= 4, "the overwrite failed at only " + overwriteFailures + " points");
    assertEquals(List.of("m"), names(parent));
    assertArrayEquals(other.weights(), NeuralNetworkClassificationModel.load(path).weights());
    System.out.printf(Locale.ROOT, "HDFS quota: a new save failed at %d points, an overwrite at %d, nothing left behind%n",
        failures, overwriteFailures);
  }

  private static NeuralNetworkClassificationModel perturbed(NeuralNetworkClassificationModel m) {
    float[] w = m.weights();
    w[0] += 1f;
    return new NeuralNetworkClassificationModel(m.uid(), m.spec(), w);
  }

  private static boolean mentionsQuota(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.toString().toLowerCase(Locale.ROOT).contains("quota")) {
        return true;
      }
    }
    return false;
  }

  private static long used(Path dir) throws IOException {
    ContentSummary c = fs.getContentSummary(dir);
    return c.getDirectoryCount() + c.getFileCount();
  }

  private static void setQuota(Path dir, long names) throws IOException {
    fs.setQuota(dir, names, HdfsConstants.QUOTA_DONT_SET);
  }

  /** Every name directly under {@code dir}, hidden ones included. */
  private static List<String> names(Path dir) throws IOException {
    return Arrays.stream(fs.listStatus(dir)).map(FileStatus::getPath).map(Path::getName).sorted().toList();
  }
}
