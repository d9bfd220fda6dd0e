package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.testkit.SharedSpark;

/** A fit interrupted after some epochs resumes from its checkpoint and ends with the same model. */
@ExtendWith(SharedSpark.class)
class CheckpointResumeTest {

  private static NeuralNetworkClassifier classifier(String dir, int epochs, String mode) {
    return new NeuralNetworkClassifier().setLayers(4, 12, 3).setBatchSize(32).setLearningRate(0.01).setSeed(7)
        .setSyncMode(mode).setLocalSteps(3).setMaxEpochs(epochs).setCheckpointDir(dir);
  }

  @Test
  void aResumedFitEndsWithTheModelOfAnUninterruptedOne(SparkSession spark, @TempDir Path tmp) {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 300, 3, 2).cache();
    for (String mode : new String[] {"gradient", "average"}) {
      String straightDir = tmp.resolve(mode + "-straight").toUri().toString();
      String resumedDir = tmp.resolve(mode + "-resumed").toUri().toString();
      NeuralNetworkClassificationModel straight = classifier(straightDir, 4, mode).fit(data);
      NeuralNetworkClassificationModel firstHalf = classifier(resumedDir, 2, mode).fit(data);
      assertEquals(2, firstHalf.summary().epochs());
      NeuralNetworkClassificationModel resumed = classifier(resumedDir, 4, mode).fit(data);
      assertArrayEquals(straight.weights(), resumed.weights(), mode);
      assertEquals(straight.summary().lossHistory(), resumed.summary().lossHistory(), mode);
      assertEquals(straight.summary().rounds(), resumed.summary().rounds(), mode);
      // only the two newest checkpoints are kept
      String[] kept = new File(tmp.resolve(mode + "-resumed").toString()).list();
      Arrays.sort(kept);
      assertArrayEquals(new String[] {"epoch-00003", "epoch-00004"}, kept, mode);
    }
  }

  @Test
  void aCheckpointWriteThatFailsOnceIsRetried(SparkSession spark, @TempDir Path tmp) {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 120, 4, 2).cache();
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set("fs.flaky.impl", FlakyFileSystem.class.getName());
    conf.setBoolean("fs.flaky.impl.disable.cache", true);
    String dir = "flaky://" + tmp.resolve("ck").toAbsolutePath();
    System.setProperty("sparkdl.checkpoint.retryMillis", "10");
    int failedBefore = FlakyFileSystem.FAILED.get();
    FlakyFileSystem.FAILURES.set(1);
    try {
      NeuralNetworkClassificationModel m = classifier(dir, 2, "gradient").fit(data);
      assertEquals(2, m.summary().epochs());
      assertEquals(failedBefore + 1, FlakyFileSystem.FAILED.get(), "one write failed and was retried");
      String[] kept = new File(tmp.resolve("ck").toString()).list();
      Arrays.sort(kept);
      assertArrayEquals(new String[] {"epoch-00001", "epoch-00002"}, kept);
      // a store that keeps failing fails the fit, saying how often it was tried
      FlakyFileSystem.FAILURES.set(100);
      Exception e = assertThrows(Exception.class, () -> classifier(dir + "-2", 1, "gradient").fit(data));
      assertTrue(String.valueOf(e.getMessage()).contains("failed 3 times; the last error:"), e.getMessage());
    } finally {
      FlakyFileSystem.FAILURES.set(0);
      System.clearProperty("sparkdl.checkpoint.retryMillis");
    }
  }

  @Test
  void aCheckpointOfOtherSettingsIsRefused(SparkSession spark, @TempDir Path tmp) {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 120, 4, 2).cache();
    String dir = tmp.resolve("ck").toUri().toString();
    classifier(dir, 1, "gradient").fit(data);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> classifier(dir, 2, "gradient").setLearningRate(0.02).fit(data));
    assertEquals("checkpointDir " + new org.apache.hadoop.fs.Path(dir) + " holds checkpoints of a fit with other settings,"
        + " data or partitioning (epoch-00001); use another directory or delete it to start over.", e.getMessage());
  }
}
