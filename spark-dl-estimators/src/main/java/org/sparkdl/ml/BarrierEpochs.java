package org.sparkdl.ml;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.Dependency;
import org.apache.spark.HashPartitioner;
import org.apache.spark.NarrowDependency;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rpc.RpcEndpointRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.train.LocalTrainer;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The epochs of a fit as one long-lived Spark barrier stage: its tasks (see {@link BarrierTask})
 * keep their batches decoded and their networks and optimizers resident for the whole fit and
 * synchronise among themselves every step; the driver only takes each epoch's end from rank 0
 * (through the {@link TrainingCoordinator}), records it, and tells the tasks whether to go on.
 *
 * <p>{@link #train(int)} waits for the epoch asked for and leaves rank 0's state on the driver;
 * the tasks wait for the driver's word, given by the next {@code train} (go on) or by {@link
 * #close()} (stop). A lost task makes Spark run the stage again: its rank 0 resumes from the state
 * after the last epoch the driver took, and epochs it repeats are acknowledged, not counted twice.
 */
final class BarrierEpochs implements EpochRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BarrierEpochs.class);
  private final JavaSparkContext jsc;
  private final JavaRDD<EncodedPart> encoded;
  private final int tasks;
  private final LocalTrainer driver;
  private final TrainingRun run;
  private final int maxEpochs;
  private final boolean validation;
  private final boolean spill;
  private final boolean logged;
  private TrainingCoordinator coordinator;
  private RpcEndpointRef endpoint;
  private JavaFutureAction<List<Integer>> stage;
  private TrainingCoordinator.Handed pending;
  private TrainingState latest;
  private boolean warned;

  BarrierEpochs(JavaSparkContext jsc, JavaRDD<EncodedPart> encoded, int tasks, LocalTrainer driver, TrainingRun run, int maxEpochs,
      boolean validation, boolean spill, boolean logged) {
    this.jsc = jsc;
    this.encoded = encoded;
    this.tasks = tasks;
    this.driver = driver;
    this.run = run;
    this.maxEpochs = maxEpochs;
    this.validation = validation;
    this.spill = spill;
    this.logged = logged;
  }

  @Override
  public Outcome train(int epoch) throws SparkException {
    TrainingCoordinator.Start from = new TrainingCoordinator.Start(epoch,
        latest != null ? latest : TrainingState.of(driver.network(), driver.optimizer()));
    if (stage == null) {
      launch(from);
    } else {
      coordinator.startFrom(from);
    }
    if (pending != null) {
      pending.reply().reply(new TrainingCoordinator.Decision(false));
      pending = null;
    }
    TrainingCoordinator.Handed h = await(epoch);
    EpochSums sums = h.end().sums();
    if (!sums.ranksAgree() && !warned) {
      warned = true;   // once per fit; the driver keeps rank 0's state, and a retried stage starts every rank from it
      LOG.warn("Epoch {}: the workers' parameters differ after the epoch; the backend computed a step differently on two of"
          + " them. Keeping rank 0's.", epoch);
    }
    latest = h.end().state();
    latest.loadInto(driver.network(), driver.optimizer());
    pending = h;
    return new Outcome(sums.lossSum(), sums.weightSum(), validation ? sums.validation(run.classes()) : null,
        sums.stepSeconds() > 0 ? sums.syncSeconds() / sums.stepSeconds() : Double.NaN,
        run.classes() == 0 ? null : org.sparkdl.train.ClassTally.of(run.classes(), sums.trainTally()), h.end().steps());
  }

  /** Registers the coordinator and submits the stage, which runs until the tasks are told to stop. */
  private void launch(TrainingCoordinator.Start from) {
    JavaRDD<EncodedPart> input = stageInput();
    coordinator = new TrainingCoordinator(SparkEnv.get().rpcEnv(), tasks, from);
    String name = "sparkdl-" + run.runId();
    endpoint = SparkEnv.get().rpcEnv().setupEndpoint(name, coordinator);
    BarrierTask.Job job = new BarrierTask.Job(run, maxEpochs, name, new SecureRandom().nextLong(), validation,
        spill, logged);
    jsc.setJobDescription(run.stage() + " " + run.runId() + ": training, epochs " + from.epoch() + "-" + maxEpochs);
    RDD<Integer> rdd = input.rdd().barrier().mapPartitions(new Body(job), false, ClassTag$.MODULE$.apply(Integer.class));
    // Spark runs a failed barrier stage again only when it is a shuffle-map stage (a failed result stage may have
    // committed output), so the ranks go through a one-partition shuffle to the job's result
    stage = rdd.toJavaRDD().repartition(1).collectAsync();
  }

  /**
   * The encoded partitions as the stage reads them: the cached RDD itself when Spark accepts a
   * barrier stage right on it; otherwise (more partitions than tasks, or an input whose lineage
   * changes the number of partitions within the stage, as a union or coalesce does) shuffled into
   * {@code tasks} partitions, partition {@code p} going to task {@code p mod tasks}.
   */
  private JavaRDD<EncodedPart> stageInput() {
    if (tasks == encoded.getNumPartitions() && oneStageOfEqualPartitions(encoded.rdd())) {
      return encoded;
    }
    LOG.info("{}: the encoded data goes to the {} training tasks through a shuffle", run.stage(), tasks);
    return encoded.mapToPair(b -> new scala.Tuple2<>(b.partition(), b)).partitionBy(new HashPartitioner(tasks)).values();
  }

  /**
   * Whether every RDD of {@code rdd}'s stage (its ancestors up to the shuffles) has its number of
   * partitions: the condition Spark puts on a barrier stage.
   */
  static boolean oneStageOfEqualPartitions(RDD<?> rdd) {
    int n = rdd.getNumPartitions();
    java.util.ArrayDeque<RDD<?>> todo = new java.util.ArrayDeque<>(List.of(rdd));
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    while (!todo.isEmpty()) {
      RDD<?> r = todo.pop();
      if (!seen.add(r.id())) {
        continue;
      }
      if (r.getNumPartitions() != n) {
        return false;
      }
      for (Dependency<?> d : scala.jdk.javaapi.CollectionConverters.asJava(r.dependencies())) {
        if (d instanceof NarrowDependency<?>) {
          todo.push(d.rdd());
        }
      }
    }
    return true;
  }

  /** The end of {@code epoch} from the current attempt; repeats of earlier epochs (after a retry) are waved on. */
  private TrainingCoordinator.Handed await(int epoch) throws SparkException {
    try {
      while (true) {
        TrainingCoordinator.Handed h = coordinator.next(100);
        if (h != null) {
          if (h.end().epoch() == epoch) {
            return h;
          }
          h.reply().reply(new TrainingCoordinator.Decision(h.end().epoch() > epoch));
          continue;
        }
        if (stage.isDone()) {
          stage.get();   // throws the stage's failure
          throw new IllegalStateException("The training stage ended before epoch " + epoch + " was handed in.");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for epoch " + epoch + ".", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof SparkException se ? se : new SparkException(e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Tells the tasks to stop after the epoch they handed in last, waits for the stage to end (or
   * cancels it when the fit failed before), and removes the coordinator.
   */
  @Override
  public void close() {
    try {
      if (pending != null) {
        pending.reply().reply(new TrainingCoordinator.Decision(true));
        pending = null;
      }
      if (stage != null && !stage.isDone()) {
        try {
          stage.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.debug("The training stage did not end cleanly: {}", e.toString());
          stage.cancel(true);
        }
      }
    } finally {
      if (endpoint != null) {
        SparkEnv.get().rpcEnv().stop(endpoint);
      }
    }
  }

  /** The stage's function: Scala iterators in and out around {@link BarrierTask#run}. */
  private static final class Body extends AbstractFunction1<scala.collection.Iterator<EncodedPart>,
      scala.collection.Iterator<Integer>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final BarrierTask.Job job;

    Body(BarrierTask.Job job) {
      this.job = job;
    }

    @Override
    public scala.collection.Iterator<Integer> apply(scala.collection.Iterator<EncodedPart> partition) {
      int rank = BarrierTask.run(scala.jdk.javaapi.CollectionConverters.asJava(partition), job);
      return scala.jdk.javaapi.CollectionConverters.asScala(List.of(rank).iterator());
    }
  }
}
