package org.sparkdl.ml;

import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdl.nn.Network;
import org.sparkdl.train.ClassTally;
import org.sparkdl.train.LocalTrainer;

/**
 * Epochs as one Spark job per round, where barrier stages cannot run: the driver broadcasts the
 * parameters (with the optimizer state in average mode), each task computes on its partition's
 * chunk, {@code treeAggregate} combines, and the driver steps the optimizer (gradient mode) or
 * takes the row-weighted average (average mode). The same steps as {@link BarrierEpochs}, at the
 * cost of a job, a broadcast and an aggregation per round.
 */
final class RoundEpochs implements EpochRunner {
  private final JavaSparkContext jsc;
  private final JavaRDD<Shard> shards;
  private final JavaRDD<Shard> validShards;
  private final LocalTrainer driver;
  private final TrainingRun run;
  private final int aggregationDepth;
  private final boolean logged;

  /**
   * @param validShards the validation split, or null without one
   * @param logged whether each epoch's {@link StepLog} is kept (the fit writes a TensorBoard log)
   */
  RoundEpochs(JavaSparkContext jsc, JavaRDD<Shard> shards, JavaRDD<Shard> validShards, LocalTrainer driver, TrainingRun run,
      int aggregationDepth, boolean logged) {
    this.jsc = jsc;
    this.shards = shards;
    this.validShards = validShards;
    this.driver = driver;
    this.run = run;
    this.aggregationDepth = aggregationDepth;
    this.logged = logged;
  }

  @Override
  public Outcome train(int epoch) throws SparkException {
    double lossSum = 0;
    double weightSum = 0;
    ClassTally tally = run.tally(false);
    StepLog steps = logged ? new StepLog(run.rounds()) : null;
    RoundSum sum = null;
    for (int round = 0; round < run.rounds(); round++) {
      long t0 = System.nanoTime();
      sum = run.averageMode() ? averageRound(epoch, round) : gradientRound(epoch, round);
      if (steps != null) {
        steps.record(round, sum.lossSum, sum.weightSum, sum.rows, System.nanoTime() - t0, -1);
      }
      lossSum += sum.lossSum;
      weightSum += sum.weightSum;
      if (tally != null && sum.tally() != null) {
        tally.merge(ClassTally.of(run.classes(), sum.tally()));
      }
    }
    if (steps != null && !run.averageMode() && sum != null && sum.weightSum > 0) {
      // the driver's gradient buffer holds the last round's summed gradient (average mode has none on the driver)
      steps.gradient(driver.network().parameters().grads().toFloatArray(), sum.weightSum);
    }
    return new Outcome(lossSum, weightSum, validShards == null ? null : evaluate(), Double.NaN, tally, steps);
  }

  private RoundSum gradientRound(int epoch, int round) throws SparkException {
    Network master = driver.network();
    Broadcast<FlatState.Weights> weights = jsc.broadcast(FlatState.Weights.of(master));
    TrainingRun r = run;
    try {
      RoundSum sum = aggregate(shard -> TrainingTasks.gradient(shard, weights.value(), r, epoch, round), shards);
      takeBuffers(master, sum);
      if (sum.weightSum > 0 && sum.hasVector()) {
        master.parameters().zeroGrads();   // forgets the rows the last round touched
        master.parameters().grads().copyFrom(FlatState.mean(sum.vector(), 1, 1)[0]);
        touchNonZeroRows(master.parameters());
        driver.applyGradients(sum.weightSum);
      }
      return sum;
    } finally {
      weights.destroy(false);
    }
  }

  private RoundSum averageRound(int epoch, int round) throws SparkException {
    Network master = driver.network();
    TrainingState st = TrainingState.of(master, driver.optimizer());
    Broadcast<TrainingState> b = jsc.broadcast(st);
    TrainingRun r = run;
    try {
      RoundSum sum = aggregate(shard -> TrainingTasks.average(shard, b.value(), r, epoch, round), shards);
      takeBuffers(master, sum);
      if (sum.rows > 0 && sum.hasVector()) {
        // the row-weighted mean of the workers' parts; the buffers' mean is taken above
        FlatState state = FlatState.of(master, driver.optimizer());
        state.loadParts(state.mean(sum.vector(), sum.rows));
        driver.optimizer().setSteps(sum.steps);
      }
      return sum;
    } finally {
      b.destroy(false);
    }
  }

  private RoundSum evaluate() throws SparkException {
    Network master = driver.network();
    Broadcast<FlatState.Weights> weights = jsc.broadcast(FlatState.Weights.of(master));
    TrainingRun r = run;
    try {
      return aggregate(shard -> TrainingTasks.evaluate(shard, weights.value(), r, "validation"), validShards);
    } finally {
      weights.destroy(false);
    }
  }

  /** Sets the driver's buffers to the row-weighted mean of the workers' when they sent any. */
  private static void takeBuffers(Network master, RoundSum sum) {
    double[] b = sum.buffers();
    if (b != null && sum.rows > 0) {
      master.buffers().values().copyFrom(FlatState.mean(b, 1, sum.rows)[0]);
    }
  }

  /** A per-shard computation shipped to the executors. */
  interface ShardTask extends java.io.Serializable {
    RoundSum apply(Shard shard) throws Exception;
  }

  private RoundSum aggregate(ShardTask task, JavaRDD<Shard> over) throws SparkException {
    try {
      return over.treeAggregate(RoundSum.empty(), (acc, shard) -> acc.merge(task.apply(shard)), RoundSum::merge,
          aggregationDepth);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof SparkException se) {
        throw se;
      }
      throw e;
    }
  }

  /**
   * Marks the rows of each row-sparse parameter whose summed gradient is non-zero touched: the rows
   * some worker's batch named, so that the driver's lazy update takes the rows a barrier stage's
   * would (a named row whose gradient sums to exactly zero is the one difference: it is skipped).
   */
  private static void touchNonZeroRows(org.sparkdl.nn.ParameterStore store) {
    for (org.sparkdl.nn.Parameter p : store.rowSparse()) {
      float[] g = p.grad().toFloatArray();
      int width = p.shape().dim(1);
      int[] rows = java.util.stream.IntStream.range(0, p.shape().dim(0)).filter(r -> {
        for (int j = r * width; j < (r + 1) * width; j++) {
          if (g[j] != 0) {
            return true;
          }
        }
        return false;
      }).toArray();
      p.touch(rows);
    }
  }
}
