package org.sparkdl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.sparkdl.backend.Backend;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.executor.ExecutorBackends;

/**
 * Training on a real multi-JVM Spark cluster, {@code local-cluster[2,1,1024]}: a master and two
 * workers in this JVM, two executor JVMs of one core each, whose training tasks synchronise over
 * TCP every step. The cluster fit matches a {@code local[2]} fit of the same settings (run in a JVM
 * of its own, since one JVM holds one Spark context, where the two tasks sum in shared memory),
 * the executors' own backends did the work, and a fit survives losing an executor (SIGKILL)
 * mid-way: Spark runs the barrier stage again, the lost cached batches are recomputed from their
 * lineage, training resumes from the last epoch the driver took, and the model ends as accurate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
  private static final int EPOCHS = 5;

  private static SparkSession spark;
  private static JavaSparkContext jsc;
  private static Dataset<Row> train;
  private static Dataset<Row> test;
  private static NeuralNetworkClassificationModel clean;
  private static double cleanAccuracy;

  /** What an executor JVM says about itself. */
  record ExecutorReport(long pid, String backend, long allocations, long liveBytes, long peakBytes) implements Serializable {}

  @BeforeAll
  static void start() {
    spark = Sessions.localCluster("local-cluster-it");
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    train = MnistFits.train(spark).cache();
    test = MnistFits.test(spark).cache();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** The fault-free cluster fit, run once. */
  private static synchronized NeuralNetworkClassificationModel clean() {
    if (clean == null) {
      clean = MnistFits.classifier(EPOCHS).fit(train);
      cleanAccuracy = MnistFits.accuracy(clean, test);
    }
    return clean;
  }

  /** Runs 8 short tasks so that both executors take some; each reports its JVM and backend. */
  private static List<ExecutorReport> executorReports() {
    return jsc.parallelize(IntStream.range(0, 8).boxed().toList(), 8).map(i -> {
      Thread.sleep(150);
      Backend be = ExecutorBackends.get("cpu");
      return new ExecutorReport(ProcessHandle.current().pid(), be.name(), be.allocationCount(), be.liveBytes(),
          be.peakBytes());
    }).collect();
  }

  private static Map<Long, ExecutorReport> byPid(List<ExecutorReport> reports) {
    Map<Long, ExecutorReport> m = new TreeMap<>();
    reports.forEach(r -> m.put(r.pid(), r));
    return m;
  }

  @Test
  @Order(1)
  void twoExecutorJvmsTrainToTheAccuracyOfLocalMode() throws Exception {
    FitMain.Result local;
    try (ChildJvm ref = ChildJvm.start("local-reference", Sessions.workDir("local-cluster"), FitMain.class,
        "epochs=" + EPOCHS)) {
      assertEquals(0, ref.await(300), ref.tail(40));
      local = FitMain.Result.of(ref);
    }
    NeuralNetworkClassificationModel model = clean();
    boolean same = MnistFits.digest(model.weights()).equals(local.weights());
    System.out.printf(Locale.ROOT, "MNIST %d epochs: local-cluster[2,1,1024] %.2f%% (fit %.1f s), local[2] %.2f%%;"
        + " weights %s%n", EPOCHS, cleanAccuracy, model.summary().seconds(), local.accuracy(),
        same ? "identical" : "differ");
    assertEquals(EPOCHS, model.summary().epochs());
    assertEquals(local.rounds(), model.summary().rounds());
    assertTrue(cleanAccuracy >= 90.0, "cluster accuracy " + cleanAccuracy);
    assertTrue(Math.abs(cleanAccuracy - local.accuracy()) <= 0.5,
        "local-cluster " + cleanAccuracy + "% vs local[2] " + local.accuracy() + "%");

    long driver = ProcessHandle.current().pid();
    Map<Long, ExecutorReport> executors = byPid(executorReports());
    System.out.println("driver pid " + driver + ", executors " + executors.values());
    assertEquals(2, executors.size(), "executor JVMs: " + executors.keySet());
    assertFalse(executors.containsKey(driver), "a task ran in the driver JVM " + driver);
    for (ExecutorReport r : executors.values()) {
      assertEquals("cpu", r.backend());
      assertTrue(r.allocations() > 0, "executor " + r.pid() + " never allocated on its backend: " + r);
    }
  }

  @Test
  @Order(2)
  void aFitSurvivesTheLossOfAnExecutorAndEndsAsAccurate() throws Exception {
    NeuralNetworkClassificationModel reference = clean();
    TreeSet<Long> before = new TreeSet<>(byPid(executorReports()).keySet());
    assertEquals(2, before.size(), "executor JVMs before the fit: " + before);
    long victim = before.first();

    FitEvents events = new FitEvents();
    spark.sparkContext().addSparkListener(events);
    try {
      CompletableFuture<NeuralNetworkClassificationModel> fit =
          CompletableFuture.supplyAsync(() -> MnistFits.classifier(EPOCHS).fit(train));
      // 40% into training, by the clean fit's epoch times (the first epoch taken as long as the mean of the others)
      List<Double> ends = reference.summary().epochSeconds();
      double epoch = (ends.get(ends.size() - 1) - ends.get(0)) / (ends.size() - 1);
      events.awaitTraining(120_000);
      Thread.sleep((long) (1000 * 0.4 * EPOCHS * epoch));
      events.killedAt = System.nanoTime();
      events.killed = true;
      ProcessHandle.of(victim).orElseThrow(() -> new AssertionError("executor " + victim + " is gone already"))
          .destroyForcibly();
      NeuralNetworkClassificationModel model = fit.get(300, TimeUnit.SECONDS);

      double accuracy = MnistFits.accuracy(model, test);
      boolean same = MnistFits.digest(model.weights()).equals(MnistFits.digest(reference.weights()));
      TreeSet<Long> after = new TreeSet<>(byPid(executorReports()).keySet());
      System.out.printf(Locale.ROOT, "Executor %d killed %.1f s into training: %s; %d task(s) failed %s; cached blocks"
          + " recomputed: %s; accuracy %.2f%% vs %.2f%% without the fault, weights %s; executors now %s%n", victim,
          events.killedAfterSeconds(), events.removed, events.failedTasks.size(), events.failedTasks, events.recomputed, accuracy,
          cleanAccuracy, same ? "identical" : "differ", after);
      assertEquals(EPOCHS, model.summary().epochs());
      assertEquals(reference.summary().rounds(), model.summary().rounds());
      assertTrue(Math.abs(accuracy - cleanAccuracy) <= 0.5, accuracy + "% after the fault vs " + cleanAccuracy + "%");
      assertFalse(after.contains(victim), "executor " + victim + " still runs tasks: " + after);
      assertEquals(1, events.removed.size(), "executors removed: " + events.removed);
      assertFalse(events.recomputed.isEmpty(), "no task recomputed the blocks cached on the lost executor");
    } finally {
      spark.sparkContext().removeSparkListener(events);
    }
  }

  /** What happens during a fit: the training stage started, executors removed, failed and recomputing tasks. */
  static final class FitEvents extends SparkListener {
    private long trainingStarted;
    volatile long killedAt;
    final List<String> removed = Collections.synchronizedList(new ArrayList<>());
    final List<String> failedTasks = Collections.synchronizedList(new ArrayList<>());
    final List<String> recomputed = Collections.synchronizedList(new ArrayList<>());
    volatile boolean killed;

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
      if (d != null && d.contains(": training")) {
        synchronized (this) {
          trainingStarted = System.nanoTime();
          notifyAll();
        }
      }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed.add("executor " + e.executorId() + " removed (" + e.reason() + ")");
    }

    /** After the kill, an RDD block stored anew is one that was lost with the executor and recomputed. */
    @Override
    public void onBlockUpdated(SparkListenerBlockUpdated u) {
      BlockUpdatedInfo b = u.blockUpdatedInfo();
      if (killed && b.blockId().isRDD() && b.storageLevel().isValid()) {
        recomputed.add(b.blockId().name() + "@executor " + b.blockManagerId().executorId());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!"Success".equals(String.valueOf(end.reason()))) {
        String reason = String.valueOf(end.reason()).replaceAll("\\s+", " ");
        failedTasks.add(reason.length() > 160 ? reason.substring(0, 160) + "..." : reason);
      }
    }

    synchronized void awaitTraining(long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (trainingStarted == 0) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("the training stage did not start within " + timeoutMs + " ms");
        }
        wait(left);
      }
    }

    synchronized double killedAfterSeconds() {
      return (killedAt - trainingStarted) / 1e9;
    }
  }
}
