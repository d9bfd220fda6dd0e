package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.JobRecorder;
import org.sparkdl.testkit.SharedSpark;

/**
 * A fit runs as one barrier stage whose tasks synchronise every step, or, where that cannot run,
 * as one job per round; both compute the same steps. Compared here on the same data, seed and
 * partitioning in {@code local[2]}, with the per-round path forced by {@link
 * ExecutionPlan#MODE_CONF}.
 */
@ExtendWith(SharedSpark.class)
class ExecutionModesTest {

  private static NeuralNetworkClassifier classifier() {
    return new NeuralNetworkClassifier().setLayers(4, 16, 3).setMaxEpochs(3).setBatchSize(32).setLearningRate(0.01).setSeed(9);
  }

  @Test
  void gradientModeGivesTheSameBitsAsOneJobPerRound(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 21, 2).cache();
    NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", () -> classifier().fit(data));
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", () -> classifier().fit(data));
    assertArrayEquals(rounds.weights(), barrier.weights(), "two partitions: the same sums in another order are the same bits");
    assertEquals(rounds.summary().lossHistory(), barrier.summary().lossHistory());
    assertEquals(rounds.summary().rounds(), barrier.summary().rounds());
    assertEquals(rounds.summary().trainAccuracyHistory(), barrier.summary().trainAccuracyHistory());
    assertEquals(rounds.summary().confusionMatrix(), barrier.summary().confusionMatrix());
    assertEquals("training", barrier.summary().confusionMatrixSource());
  }

  @Test
  void partitionsOfSeveralBatchesGiveTheSameBitsEitherWay(SparkSession spark) {
    // 24 bytes a row (4 features, a label, a weight slot): batches of 80 rows, four per partition, so an epoch goes
    // through four windows, training and validation rows alike
    spark.conf().set(DistributedTrainer.BATCH_BYTES_CONF, "1920b");
    try {
      Dataset<Row> data = TrainingFixtures.blobs(spark, 700, 26, 2).withColumn("held", org.apache.spark.sql.functions.expr(
          "rand(5) < 0.15")).cache();
      Supplier<NeuralNetworkClassificationModel> fit = () -> classifier().setValidationIndicatorCol("held").fit(data);
      NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
      NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", fit);
      assertArrayEquals(rounds.weights(), barrier.weights());
      assertEquals(rounds.summary().validationLossHistory(), barrier.summary().validationLossHistory());
      List<Double> loss = barrier.summary().lossHistory();
      assertTrue(loss.get(loss.size() - 1) < loss.get(0) / 2, "it learns: " + loss);
    } finally {
      spark.conf().unset(DistributedTrainer.BATCH_BYTES_CONF);
    }
  }

  @Test
  void batchesKeptOnDiskTrainToTheSameBitsAsBatchesInMemory(SparkSession spark) {
    // batches of 80 rows, 25 to a partition: the tasks may hold 40 KB, so they keep their batches on disk and decode
    // the batch they train on and the next one (~2.5 KB each), and a validation batch and its next
    spark.conf().set(DistributedTrainer.BATCH_BYTES_CONF, "1920b");
    try {
      Dataset<Row> data = TrainingFixtures.blobs(spark, 4000, 27, 2).withColumn("held", org.apache.spark.sql.functions.expr(
          "rand(7) < 0.1")).cache();
      Supplier<NeuralNetworkClassificationModel> fit = () -> classifier().setValidationIndicatorCol("held").fit(data);
      NeuralNetworkClassificationModel inMemory;
      try (JobRecorder jobs = JobRecorder.start(spark)) {
        inMemory = fit.get();
        assertEquals(0, jobs.diskBytesSpilled());
      }
      spark.conf().set(DataMemory.CONF, "40k");
      NeuralNetworkClassificationModel onDisk;
      try (JobRecorder jobs = JobRecorder.start(spark)) {
        onDisk = fit.get();
        assertTrue(jobs.diskBytesSpilled() > 100_000, "every batch goes to disk: " + jobs.diskBytesSpilled());
      }
      assertArrayEquals(inMemory.weights(), onDisk.weights());
      assertEquals(inMemory.summary().validationLossHistory(), onDisk.summary().validationLossHistory());
      assertEquals(inMemory.summary().lossHistory(), onDisk.summary().lossHistory());

      spark.conf().set(DataMemory.CONF, "8k");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fit::get);
      assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains(DataMemory.CONF), e.getMessage());
    } finally {
      spark.conf().unset(DistributedTrainer.BATCH_BYTES_CONF);
      spark.conf().unset(DataMemory.CONF);
      spark.conf().unset(ExecutionPlan.TASK_WORK_CONF);
    }
  }

  @Test
  void batchesOfSeveralPartsTrainToTheSameBitsInMemoryOnDiskAndOneJobPerRound(SparkSession spark) {
    // 300 features: 1,208 bytes a row, batches of 1,271 rows (1.5 MB), so each full batch travels and is cached as two
    // parts of its Arrow stream; 6,000 rows in two partitions make three batches per partition (the last short), and
    // 3,200 KB a task keeps the 3.6 MB of a partition on disk with two batches at a time decoded
    spark.conf().set(DistributedTrainer.BATCH_BYTES_CONF, "1500k");
    spark.conf().set(ExecutionPlan.TASK_WORK_CONF, "0");   // two tasks, however small the network
    try {
      java.util.Random r = new java.util.Random(31);
      List<Row> rows = new java.util.ArrayList<>();
      for (int i = 0; i < 6_000; i++) {
        double[] x = new double[300];
        for (int j = 0; j < x.length; j++) {
          x[j] = 0.3 * r.nextGaussian() + (j % 3 == i % 3 ? 1 : 0);
        }
        rows.add(org.apache.spark.sql.RowFactory.create((double) (i % 3), org.apache.spark.ml.linalg.Vectors.dense(x)));
      }
      Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA, 2).cache();
      Supplier<NeuralNetworkClassificationModel> fit = () -> new NeuralNetworkClassifier().setLayers(300, 8, 3)
          .setMaxEpochs(2).setBatchSize(64).setLearningRate(0.01).setSeed(4).fit(data);
      NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
      NeuralNetworkClassificationModel inMemory = TrainingFixtures.withExecution(spark, "barrier", fit);
      spark.conf().set(DataMemory.CONF, "3200k");
      NeuralNetworkClassificationModel onDisk;
      try (JobRecorder jobs = JobRecorder.start(spark)) {
        onDisk = TrainingFixtures.withExecution(spark, "barrier", fit);
        long spilled = jobs.diskBytesSpilled();
        assertTrue(spilled > 6_000L * 1_208 && spilled < 6_000L * 1_208 * 21 / 20, "every batch goes to disk: " + spilled);
      }
      assertArrayEquals(rounds.weights(), inMemory.weights());
      assertArrayEquals(inMemory.weights(), onDisk.weights());
      assertEquals(inMemory.summary().lossHistory(), onDisk.summary().lossHistory());
      List<Double> loss = onDisk.summary().lossHistory();
      assertTrue(loss.get(1) < loss.get(0), "it learns: " + loss);
    } finally {
      spark.conf().unset(DistributedTrainer.BATCH_BYTES_CONF);
      spark.conf().unset(DataMemory.CONF);
      spark.conf().unset(ExecutionPlan.TASK_WORK_CONF);
    }
  }

  @Test
  void morePartitionsThanTaskSlotsTrainAsIfEachHadItsOwnTask(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 900, 22, 5).cache();
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", () -> classifier().fit(data));
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      NeuralNetworkClassificationModel barrier = TrainingFixtures.withAllSlots(spark, () -> classifier().fit(data));
      List<Integer> tasks = jobs.jobs().stream().filter(j -> j.description().contains(": training"))
          .map(JobRecorder.Job::barrierTasks).toList();
      assertEquals(List.of(2), tasks, "five partitions train in the two task slots of local[2]");
      assertClose(rounds.weights(), barrier.weights(), 1e-5);
      assertEquals(rounds.summary().rounds(), barrier.summary().rounds());
    }
  }

  @Test
  void anInputOfFewerPartitionsThanTaskSlotsIsDealtToEverySlot(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 23, 1).cache();
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withAllSlots(spark,
        () -> TrainingFixtures.withExecution(spark, "rounds", () -> classifier().fit(data)));
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      NeuralNetworkClassificationModel dealt = TrainingFixtures.withAllSlots(spark, () -> classifier().fit(data));
      NeuralNetworkClassificationModel fixed = classifier().setNumWorkers(1).fit(data);
      List<Integer> tasks = jobs.jobs().stream().filter(j -> j.description().contains(": training"))
          .map(JobRecorder.Job::barrierTasks).toList();
      assertEquals(List.of(2, 1), tasks, "one partition trains in both task slots of local[2], unless numWorkers says 1");
      assertArrayEquals(rounds.weights(), dealt.weights(), "the per-round path deals the rows the same way");
      assertFalse(java.util.Arrays.equals(dealt.weights(), fixed.weights()), "one worker takes other batches");
      assertEquals(600, dealt.summary().trainingRows());
      List<Double> loss = dealt.summary().lossHistory();
      assertTrue(loss.get(loss.size() - 1) < loss.get(0) / 2, "it learns: " + loss);
    }
  }

  @Test
  void averageModeAveragesAsTheDriverDid(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 23, 2).cache();
    // SGD with momentum: the tasks' float32 sums and the driver's double ones differ in the last bits only
    Supplier<NeuralNetworkClassificationModel> sgd = () -> classifier().setOptimizer("sgd").setLearningRate(0.1)
        .setSyncMode("average").setLocalSteps(4).fit(data);
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", sgd);
    NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", sgd);
    assertClose(rounds.weights(), barrier.weights(), 1e-5);
    assertEquals(rounds.summary().rounds(), barrier.summary().rounds());
    // Adam divides by the root of its second moment, so such bits move parameters whose gradients are ~0 by up to the
    // learning rate; the fit itself is the same
    Supplier<NeuralNetworkClassificationModel> adam = () -> classifier().setSyncMode("average").setLocalSteps(4).fit(data);
    List<Double> roundsLoss = TrainingFixtures.withExecution(spark, "rounds", adam).summary().lossHistory();
    List<Double> barrierLoss = TrainingFixtures.withExecution(spark, "barrier", adam).summary().lossHistory();
    for (int e = 0; e < roundsLoss.size(); e++) {
      assertEquals(roundsLoss.get(e), barrierLoss.get(e), 1e-3 * roundsLoss.get(e), "epoch " + (e + 1) + " loss");
    }
  }

  @Test
  void batchNormStatisticsAreAveragedOverTheTasksAsTheDriverDid(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 24, 2).cache();
    NetworkSpec net = NetworkSpec.builder().input("x", 4).dense(16).batchNorm().relu().dense(3).build();
    Supplier<NeuralNetworkClassificationModel> fit = () -> classifier().setNetwork(net).fit(data);
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
    NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", fit);
    assertClose(rounds.weights(), barrier.weights(), 1e-5);
    assertClose(rounds.buffers(), barrier.buffers(), 1e-5);
  }

  @Test
  void aValidationSplitIsScoredByTheTasksAfterEachEpoch(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 25, 2).withColumn("held", org.apache.spark.sql.functions.expr(
        "rand(3) < 0.25")).cache();
    Supplier<NeuralNetworkClassificationModel> fit = () -> classifier().setValidationIndicatorCol("held").setMaxEpochs(4).fit(data);
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
    NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", fit);
    assertEquals(rounds.summary().validationLossHistory(), barrier.summary().validationLossHistory());
    assertEquals(rounds.summary().validationMetricHistory(), barrier.summary().validationMetricHistory());
    assertEquals(rounds.summary().bestEpoch(), barrier.summary().bestEpoch());
    assertEquals(rounds.summary().trainAccuracyHistory(), barrier.summary().trainAccuracyHistory());
    assertEquals(rounds.summary().confusionMatrix(), barrier.summary().confusionMatrix());
    assertEquals("validation", rounds.summary().confusionMatrixSource());
    assertArrayEquals(rounds.weights(), barrier.weights());
  }

  @Test
  void earlyStoppingStopsTheStageAfterTheSameEpoch(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 26, 2).cache();
    Supplier<NeuralNetworkClassificationModel> fit = () -> classifier().setMaxEpochs(50).setTol(0.05).fit(data);
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
    NeuralNetworkClassificationModel barrier = TrainingFixtures.withExecution(spark, "barrier", fit);
    assertTrue(barrier.summary().stoppedEarly() && barrier.summary().epochs() < 50, barrier.summary().toString());
    assertEquals(rounds.summary().epochs(), barrier.summary().epochs());
    assertArrayEquals(rounds.weights(), barrier.weights());
  }

  @Test
  void aRegressorTrainsTheSameWayToo(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 400, 27, 2).cache();
    Supplier<NeuralNetworkRegressionModel> fit = () -> new NeuralNetworkRegressor().setLayers(4, 8, 1).setMaxEpochs(3)
        .setBatchSize(32).setSeed(3).fit(data);
    assertArrayEquals(TrainingFixtures.withExecution(spark, "rounds", fit).weights(), TrainingFixtures.withExecution(spark, "barrier", fit).weights());
  }

  @Test
  void anInputWhoseLineageChangesPartitionCountsStillTrainsInABarrierStage(SparkSession spark) {
    // a union of frames of 1 and 2 partitions: Spark refuses a barrier stage over such a chain, so the fit cuts it
    Dataset<Row> a = TrainingFixtures.blobs(spark, 300, 28, 1);
    Dataset<Row> b = TrainingFixtures.blobs(spark, 300, 29, 2);
    Dataset<Row> both = a.union(b);
    assertEquals(3, both.rdd().getNumPartitions());
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      NeuralNetworkClassificationModel m = classifier().fit(both);
      assertEquals(3, m.summary().epochs());
      assertTrue(jobs.descriptions().stream().anyMatch(d -> d.contains(": training")), jobs.descriptions().toString());
    }
  }

  @Test
  void aFitThatDivergesFailsAndLeavesNoStageRunning(SparkSession spark) throws InterruptedException {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 31, 2).cache();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> classifier().setOptimizer("sgd").setLearningRate(1e6).setMaxEpochs(20).fit(data));
    assertTrue(e.getMessage().contains(": the training loss became ") && e.getMessage().endsWith("; lower learningRate or set"
        + " clipNorm."), e.getMessage());
    // the status tracker follows the listener bus, a moment behind the scheduler
    long deadline = System.currentTimeMillis() + 10_000;
    while (spark.sparkContext().statusTracker().getActiveJobIds().length > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, spark.sparkContext().statusTracker().getActiveJobIds().length, "a training stage still runs");
    assertEquals(3, classifier().fit(data).summary().epochs(), "the session trains on afterwards");
  }

  @Test
  void aFailedFitGivesBackTheMemoryItTook(SparkSession spark) throws InterruptedException {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 300, 32, 2).cache();
    data.count();
    org.sparkdl.backend.Backend be = org.sparkdl.ml.executor.ExecutorBackends.get("auto");
    long tensors = be.liveBytes();
    long arrow = org.sparkdl.arrow.ArrowMemory.allocatedBytes();
    // 4-4096-3: 28,675 parameters, so that a network, an optimizer or a batch left behind shows
    assertThrows(IllegalStateException.class, () -> new NeuralNetworkClassifier().setLayers(4, 4096, 3).setOptimizer("sgd")
        .setLearningRate(1e6).setMaxEpochs(20).setSeed(9).fit(data));
    long deadline = System.currentTimeMillis() + 10_000;
    while ((be.liveBytes() > tensors || org.sparkdl.arrow.ArrowMemory.allocatedBytes() > arrow)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(be.liveBytes() <= tensors, "tensors still allocated: " + be.liveBytes() + " bytes, before the fit " + tensors);
    assertTrue(org.sparkdl.arrow.ArrowMemory.allocatedBytes() <= arrow, "Arrow memory still allocated: "
        + org.sparkdl.arrow.ArrowMemory.allocatedBytes() + " bytes, before the fit " + arrow);
  }

  @Test
  void aNetworkTooSmallToShareAStepTrainsAsOneTaskToTheSameWeights(SparkSession spark) {
    // 4-16-3 at 32 rows a step: a few thousand multiply-adds, where a task's share should hold 25 million
    Dataset<Row> data = TrainingFixtures.blobs(spark, 600, 24, 2).cache();
    try (JobRecorder jobs = JobRecorder.start(spark)) {
      NeuralNetworkClassificationModel one = classifier().fit(data);
      NeuralNetworkClassificationModel two = TrainingFixtures.withAllSlots(spark, () -> classifier().fit(data));
      NeuralNetworkClassificationModel average = classifier().setSyncMode("average").fit(data);
      List<Integer> tasks = jobs.jobs().stream().filter(j -> j.description().contains(": training"))
          .map(JobRecorder.Job::barrierTasks).toList();
      assertEquals(List.of(1, 2, 2), tasks, "one task; two with every slot asked for, or in average mode, whose"
          + " workers each train a replica");
      // the same global-batch steps, the two partitions' gradients summed in one task or across two
      assertClose(two.weights(), one.weights(), 1e-5);
      assertEquals(two.summary().rounds(), one.summary().rounds());
    }
  }

  @Test
  void thePlanSharesAStepAmongAsManyTasksAsItsWorkKeepsBusy() {
    SparkConf conf = new SparkConf();
    ExecutionPlan small = ExecutionPlan.choose(conf, "yarn", 8, 4, "auto", ExecutionPlan.stepMultiplyAdds(101_770, 64),
        ExecutionPlan.MIN_TASK_STEP_MULTIPLY_ADDS);
    assertTrue(small.barrier());
    assertEquals(1, small.tasks());
    assertEquals("one barrier stage of 1 task: a training step of this network is 19.5 million multiply-adds, too little"
        + " to share among more tasks (each should hold 25.0 million, spark.sparkdl.train.taskMultiplyAdds; numWorkers"
        + " chooses the number)", small.reason());
    assertEquals(3, ExecutionPlan.choose(conf, "yarn", 8, 4, "auto", 75_000_000, 25_000_000).tasks());
    assertEquals(4, ExecutionPlan.choose(conf, "yarn", 8, 4, "auto", 1_000_000_000, 25_000_000).tasks(),
        "as many as the partitions");
    assertEquals(4, ExecutionPlan.choose(conf, "yarn", 8, 4, "auto", -1, 25_000_000).tasks(), "not limited");
    assertFalse(ExecutionPlan.choose(conf, "yarn", 8, 4, "rounds", 1, 25_000_000).barrier());
    assertEquals(25_000_000, ExecutionPlan.minTaskMultiplyAdds(null));
    assertEquals(0, ExecutionPlan.minTaskMultiplyAdds(" 0 "));
    assertEquals("spark.sparkdl.train.taskMultiplyAdds is '-5'; expected a number of multiply-adds >= 0.",
        assertThrows(IllegalArgumentException.class, () -> ExecutionPlan.minTaskMultiplyAdds("-5")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ExecutionPlan.minTaskMultiplyAdds("many"));
  }

  @Test
  void thePlanFallsBackToRoundsWhereBarrierStagesCannotRun() {
    SparkConf dynamic = new SparkConf().set("spark.dynamicAllocation.enabled", "true");
    ExecutionPlan p = ExecutionPlan.choose(dynamic, "spark://master:7077", 8, 4, "auto");
    assertFalse(p.barrier());
    assertEquals("one job per round: dynamic allocation is on (spark.dynamicAllocation.enabled), and a barrier stage needs"
        + " all of its tasks running at once", p.reason());
    assertTrue(ExecutionPlan.choose(dynamic, "local[2]", 2, 2, "auto").barrier(), "local mode ignores dynamic allocation");
    assertFalse(ExecutionPlan.choose(dynamic.clone().set("spark.dynamicAllocation.testing", "true"), "local[2]", 2, 2, "auto")
        .barrier());

    ExecutionPlan none = ExecutionPlan.choose(new SparkConf(), "yarn", 0, 4, "auto");
    assertFalse(none.barrier());
    assertEquals("one job per round: no executor offers a task slot yet", none.reason());

    ExecutionPlan few = ExecutionPlan.choose(new SparkConf(), "yarn", 3, 10, "auto");
    assertTrue(few.barrier());
    assertEquals(3, few.tasks());
    assertEquals("one barrier stage of 3 tasks, one per task slot the executors offer, each training on several of the 10"
        + " partitions", few.reason());

    ExecutionPlan many = ExecutionPlan.choose(new SparkConf(), "yarn", 8, 2, "auto");
    assertEquals(2, many.tasks());
    assertEquals("one barrier stage of 2 tasks (the input has 2 partitions for 8 task slots; numWorkers=8 uses them all)",
        many.reason());

    assertFalse(ExecutionPlan.choose(new SparkConf(), "yarn", 8, 2, "rounds").barrier());
    assertEquals("spark.sparkdl.execution is 'fast'; expected auto, barrier or rounds.", assertThrows(
        IllegalArgumentException.class, () -> ExecutionPlan.choose(new SparkConf(), "yarn", 8, 2, "fast")).getMessage());
  }

  @Test
  void aBarrierStageIsTakenRightOnTheCachedDataWhenSparkAcceptsIt(SparkSession spark) {
    Dataset<Row> plain = TrainingFixtures.blobs(spark, 100, 30, 2);
    assertTrue(BarrierEpochs.oneStageOfEqualPartitions(plain.rdd()));
    assertFalse(BarrierEpochs.oneStageOfEqualPartitions(plain.union(plain).rdd().coalesce(3, false, scala.Option.empty(),
        null)));
    assertTrue(BarrierEpochs.oneStageOfEqualPartitions(plain.repartition(3).rdd()), "a shuffle starts a new stage");
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance * scale, "element " + i + ": " + expected[i] + " vs " + actual[i]);
    }
  }
}
