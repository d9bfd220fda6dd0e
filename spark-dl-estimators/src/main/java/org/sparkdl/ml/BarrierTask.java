package org.sparkdl.ml;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcTimeout;
import org.apache.spark.util.RpcUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.OutOfNativeMemoryException;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.collective.Collective;
import org.sparkdl.collective.Collectives;
import org.sparkdl.collective.TcpCollective;
import org.sparkdl.ml.TrainingTasks.ShardBatches;
import org.sparkdl.ml.TrainingTasks.Worker;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.nn.Parameter;
import org.sparkdl.nn.ParameterStore;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.BatchStats;
import org.sparkdl.train.ClassTally;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.reflect.ClassTag$;

/**
 * One task of a fit's barrier stage, on the executor. It borrows the executor's worker for this
 * fit, decodes its partition's batches (kept for the whole fit), joins the other tasks (their
 * addresses come from the driver's {@link TrainingCoordinator}, then {@link Collectives#join}),
 * takes the starting state from rank 0 (which asks the driver), and runs epoch after epoch in
 * lockstep with the others:
 *
 * <ul>
 *   <li><b>gradient mode</b>: each step sums the chunk's gradients, weights and rows (and the
 *       buffers, weighted by rows) over all tasks, and every task applies the same optimizer step,
 *       so they all hold the same parameters, as the driver would after a per-round job;
 *   <li><b>average mode</b>: every {@code localSteps} local steps, parameters, optimizer state and
 *       buffers are averaged over the tasks, weighted by the rows each trained on.
 * </ul>
 *
 * After each epoch the tasks evaluate their validation rows and sum their figures; rank 0 hands
 * the epoch to the driver and passes its decision (go on, or stop) to the others.
 *
 * <p><b>Size.</b> Over 400 lines: one training task from join to last epoch (collective, batches,
 * both sync modes, the state to the driver, the error paths); split further, the epoch loop would
 * be spread across files that only make sense together.
 */
final class BarrierTask {
  /** Spark conf: how long a task waits for a silent peer or for the driver (default 300 s). */
  static final String TIMEOUT_CONF = "spark.sparkdl.collective.timeout";
  private static final Logger LOG = LoggerFactory.getLogger(BarrierTask.class);

  private BarrierTask() {}

  /**
   * What every task of the stage gets.
   *
   * @param coordinator the name of the driver's {@link TrainingCoordinator} endpoint
   * @param token shared by this fit's tasks only (see {@link TcpCollective.Options#token()})
   * @param validation whether the fit has validation rows to evaluate after each epoch
   * @param spill whether the tasks keep their batches in local files and decode a window at a
   *     time, their data being larger than the memory a task may hold (see {@link DataMemory})
   * @param logged whether rank 0 hands in each epoch's {@link StepLog} (the fit writes a
   *     TensorBoard log)
   */
  record Job(TrainingRun run, int maxEpochs, String coordinator, long token, boolean validation, boolean spill,
      boolean logged) implements Serializable {}

  static int run(Iterator<EncodedPart> partition, Job job) {
    try {
      return train(partition, job);
    } catch (RuntimeException | OutOfMemoryError e) {
      Throwable memory = memoryFailure(e);
      if (memory == null) {
        throw e;
      }
      throw outOfMemory(job.run(), BarrierTaskContext.get(), memory);
    }
  }

  /**
   * The memory failure in {@code e}'s cause chain (heap, native or Arrow memory), or null. Looked
   * for in the whole chain: an exception that merely wraps an {@link OutOfMemoryError} would still
   * make Spark end the executor.
   */
  static Throwable memoryFailure(Throwable e) {
    return TaskOutOfMemory.inChain(e, t -> t instanceof OutOfMemoryError || t instanceof OutOfNativeMemoryException
        || t instanceof org.apache.arrow.memory.OutOfMemoryException);
  }

  /**
   * A task's memory error as a task failure that says what to change (an {@link OutOfMemoryError}
   * left to Spark would end the executor, and in local mode the application). Whatever the task
   * allocated is unreachable by then, so the executor goes on.
   */
  static TaskOutOfMemory outOfMemory(TrainingRun run, org.apache.spark.TaskContext ctx, Throwable e) {
    boolean heap = e instanceof OutOfMemoryError;
    return new TaskOutOfMemory(run.stage() + ": the training task of partition " + ctx.partitionId() + " (stage "
        + ctx.stageId() + ", executor " + SparkEnv.get().executorId() + ") ran out of " + (heap ? "heap" : "native")
        + " memory: " + e.getMessage() + ". Raise " + (heap ? "spark.executor.memory (the driver's heap in local mode)"
        : "spark.executor.memoryOverhead or the machine's memory") + ", or lower " + DataMemory.CONF
        + " (more of the data stays on disk), the batchSize or the network's size.", e);
  }

  private static int train(Iterator<EncodedPart> partition, Job job) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    TrainingRun run = job.run();
    int rank = ctx.partitionId();
    Duration timeout = Duration.ofSeconds(SparkEnv.get().conf().getTimeAsSeconds(TIMEOUT_CONF, "300s"));
    long began = System.nanoTime();
    RpcEndpointRef driver = RpcUtils.makeDriverRef(job.coordinator(), SparkEnv.get().conf(), SparkEnv.get().rpcEnv());
    // nothing a task builds is used on this executor after the stage (a retried stage builds its own), so the
    // worker and the decoded batches are freed when the task ends, not left to the cache's idle sweep
    ExecutorCache.Lease<Worker> lease = TrainingTasks.worker(run);
    try (Shards data = new Shards(run, partition, job.spill(), rank)) {
      Worker w = lease.get();
      long decoded = System.nanoTime();
      try (TcpCollective.Listener listener = listen();
          Collective c = join(ctx, driver, listener, job, timeout);
          Scope scratch = Backend.of(w.network.parameters().values()).openScope("fit-rank-" + rank)) {
        long joined = System.nanoTime();
        int epoch = start(c, w, driver, ctx, timeout);
        LOG.debug("Rank {}: network built and batches decoded in {} ms, joined the others in {} ms, took the state in {} ms", rank,
            (decoded - began) / 1_000_000, (joined - decoded) / 1_000_000, (System.nanoTime() - joined) / 1_000_000);
        BufferMean buffers = BufferMean.of(w, scratch);
        ParameterStore store = w.network.parameters();
        ShardedUpdate update = run.averageMode() ? null : new ShardedUpdate(w.trainer.optimizer(),
            denseOf(store.values(), store), denseOf(store.grads(), store), c);
        if (update != null) {
          update.load();
        }
        try {
          for (boolean stop = false; !stop && epoch <= job.maxEpochs(); epoch++) {
            Clock clock = new Clock();
            ClassTally tally = run.tally(false);
            w.trainer.tallyInto(tally);
            BatchStats stats;
            StepLog steps = job.logged() ? new StepLog(run.rounds()) : null;
            try {
              stats = run.averageMode() ? averageEpoch(w, data, c, run, epoch, buffers, clock, steps)
                  : gradientEpoch(w, data, c, run, epoch, buffers, update, clock, steps);
            } finally {
              w.trainer.tallyInto(null);
            }
            if (update != null) {
              update.store(c);
            }
            RoundSum v = job.validation() ? data.evaluate(w) : null;
            int validTally = job.validation() ? run.tallySize(true) : 0;
            int digest = Arrays.hashCode(w.network.parameters().values().toFloatArray());
            double[] sums = EpochSums.pack(stats.lossSum(), stats.weightSum(), stats.rows(), v, tally, validTally,
                clock.stepNanos / 1e9, clock.syncNanos / 1e9, digest);
            c.allreduce(sums);
            LOG.debug("Epoch {}, rank {}: {} rows, {} steps in {} ms, {} ms of them in the collective, {} ms waiting for"
                + " batches from disk", epoch, rank, stats.rows(), run.rounds(), clock.stepNanos / 1_000_000,
                clock.syncNanos / 1_000_000, data.waitedNanos() / 1_000_000);
            double[] decision = {0};
            if (rank == 0) {
              TrainingCoordinator.EpochEnd end = new TrainingCoordinator.EpochEnd(ctx.stageAttemptNumber(), epoch,
                  EpochSums.unpack(sums, c.size(), digest, run.tallySize(false), validTally),
                  TrainingState.of(w.network, w.trainer.optimizer()), steps);
              decision[0] = ask(driver, end, TrainingCoordinator.Decision.class, ctx, timeout).stop() ? 1 : 0;
            }
            c.allreduce(decision);
            stop = decision[0] > 0;
          }
        } finally {
          if (update != null) {
            update.close();
          }
        }
      }
    } finally {
      lease.discard();
    }
    return rank;
  }

  /**
   * The encoded partitions this task trains on (one, or several when the data has more
   * partitions than the stage has tasks), in partition order, each batch decoded to off-heap
   * memory as it is read (so the task holds one batch's bytes on the heap at a time) and held for
   * the whole fit; or, when the job says to spill, each batch written to a file on the executor's
   * local disk and decoded when the epoch reaches its window, the next window's batches read ahead
   * while the task computes. A step takes the same chunk of every partition, with each partition's
   * own dropout seed, so the steps are those of one task per partition.
   */
  static final class Shards implements AutoCloseable {
    private final TrainingRun run;
    private final List<ShardBatches> train = new ArrayList<>();
    private final List<ShardBatches> valid = new ArrayList<>();
    private final Path spillDir;
    private final ExecutorService reader;
    private int focusedEpoch = -1;
    private int focusedWindow = -1;

    Shards(TrainingRun run, Iterator<EncodedPart> partition, boolean spill, int rank) {
      this.run = run;
      this.spillDir = spill ? spillDir(run, rank) : null;
      this.reader = spill ? Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparkdl-read-ahead-" + rank);
        t.setDaemon(true);
        return t;
      }) : null;
      TreeMap<Integer, ShardBatches> trainBy = new TreeMap<>();
      TreeMap<Integer, ShardBatches> validBy = new TreeMap<>();
      try {
        while (partition.hasNext()) {
          EncodedPart e = partition.next();
          String split = e.validation() ? "validation" : "train";
          (e.validation() ? validBy : trainBy).computeIfAbsent(e.partition(), p -> new ShardBatches(run, split, p,
              spill ? new SpillFiles(spillDir, split + "-" + p, reader) : null)).add(e);
        }
      } catch (RuntimeException | Error e) {
        // the batches decoded so far hold Arrow memory that nothing else frees (a retried attempt would find it taken)
        trainBy.values().forEach(ShardBatches::discard);
        validBy.values().forEach(ShardBatches::discard);
        closeSpill();
        throw e;
      }
      train.addAll(trainBy.values());
      valid.addAll(validBy.values());
    }

    /**
     * A new folder in one of the block manager's directories: they belong to this application and
     * Spark deletes them when the executor stops, so files left by a killed task do not outlive it.
     */
    private static Path spillDir(TrainingRun run, int rank) {
      java.io.File[] dirs = SparkEnv.get().blockManager().diskBlockManager().localDirs();
      Path local = dirs[rank % dirs.length].toPath();
      try {
        return Files.createTempDirectory(local, "sparkdl-batches-rank" + rank + "-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot make a folder for the training batches of " + run.stage() + " in " + local
            + " (under spark.local.dir): " + e.getMessage(), e);
      }
    }

    /**
     * With the batches on disk, when a step enters a new window: keeps that window's batch of
     * every partition, reads the next window's ahead (the next epoch's first, after the last).
     */
    private void focus(int epoch, int chunk) {
      if (spillDir == null) {
        return;
      }
      int g = run.window(chunk);
      if (epoch == focusedEpoch && g == focusedWindow) {
        return;
      }
      focusedEpoch = epoch;
      focusedWindow = g;
      int next = run.nextWindow(epoch, g);
      if (next < 0) {
        next = run.firstWindow(epoch + 1);
      }
      for (ShardBatches t : train) {
        t.focus(g, next);
      }
    }

    /** Nanoseconds this task has waited for batches read from disk. */
    long waitedNanos() {
      long n = 0;
      for (ShardBatches t : train) {
        n += t.waitedNanos();
      }
      for (ShardBatches v : valid) {
        n += v.waitedNanos();
      }
      return n;
    }

    /** The gradient of step {@code step} of round {@code round}'s chunk over every partition, accumulated. */
    BatchStats accumulate(Worker w, int chunk, int epoch, int round, int step) {
      focus(epoch, chunk);
      BatchStats total = BatchStats.ZERO;
      for (ShardBatches t : train) {
        total = total.plus(TrainingTasks.accumulate(w, t, run, chunk, run.stepSeed(epoch, round, step, t.partition())));
      }
      return total;
    }

    /** Loss and metric of the current parameters over the validation rows. */
    RoundSum evaluate(Worker w) {
      RoundSum total = RoundSum.empty();
      for (ShardBatches v : valid) {
        total.merge(TrainingTasks.evaluate(w, v, run));
      }
      return total;
    }

    /** Frees the decoded batches (they are not given back to the cache) and deletes the files. */
    @Override
    public void close() {
      train.forEach(ShardBatches::discard);
      valid.forEach(ShardBatches::discard);
      closeSpill();
    }

    private void closeSpill() {
      if (reader != null) {
        reader.shutdownNow();
      }
      if (spillDir != null) {
        try {
          Files.deleteIfExists(spillDir);
        } catch (IOException e) {
          LOG.debug("Cannot delete {}: {}", spillDir, e.getMessage());
        }
      }
    }
  }

  /**
   * The first epoch to train, agreed by all tasks: rank 0 asks the driver where this attempt
   * starts and loads that state; then everyone takes rank 0's state through the collective.
   */
  private static int start(Collective c, Worker w, RpcEndpointRef driver, BarrierTaskContext ctx, Duration timeout) {
    double[] epoch = {0, 0};
    if (c.rank() == 0) {
      TrainingCoordinator.Start s = ask(driver, new TrainingCoordinator.Resume(ctx.stageAttemptNumber()),
          TrainingCoordinator.Start.class, ctx, timeout);
      s.state().loadInto(w.network, w.trainer.optimizer());
      epoch[0] = s.epoch();
      epoch[1] = w.trainer.optimizer().steps();
    }
    c.allreduce(epoch);
    c.broadcast(FlatState.of(w.network, w.trainer.optimizer()).partsAndBuffers().toArray(new Tensor[0]));
    w.trainer.optimizer().setSteps((long) epoch[1]);
    return (int) epoch[0];
  }

  /** A listener on the executor's address (the one its block manager gives the cluster). */
  private static TcpCollective.Listener listen() {
    String host = SparkEnv.get().blockManager().blockManagerId().host();
    try {
      return TcpCollective.listen(host);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot listen for the other training tasks on " + host + ": " + e.getMessage(), e);
    }
  }

  /** Announces this task's endpoint to the driver, which answers with everyone's once all have; then joins them. */
  private static Collective join(BarrierTaskContext ctx, RpcEndpointRef driver, TcpCollective.Listener listener, Job job,
      Duration timeout) {
    String process = SparkEnv.get().executorId() + "@" + ProcessHandle.current().pid();
    String me = new Collectives.Endpoint(process, listener.address()).encode();
    String[] all = ask(driver, new TrainingCoordinator.Join(ctx.stageAttemptNumber(), ctx.partitionId(), me), String[].class,
        ctx, timeout);
    List<Collectives.Endpoint> endpoints = Arrays.stream(all).map(Collectives.Endpoint::decode).toList();
    TcpCollective.Options options = TcpCollective.Options.defaults().withTimeout(timeout)
        .withToken(job.token() ^ ((long) ctx.stageAttemptNumber() << 20))
        .withCancellation(() -> ctx.isInterrupted() ? "the task was killed (" + ctx.getKillReason().getOrElse(() -> "no reason")
            + ")" : null);
    return Collectives.join(ctx.partitionId(), endpoints, listener, options);
  }

  /**
   * Asks the driver and waits for the answer, at most {@code timeout}, giving up at once when the
   * task is killed (Spark's own barrier calls look only once a second).
   */
  private static <T> T ask(RpcEndpointRef driver, Object message, Class<T> type, BarrierTaskContext ctx, Duration timeout) {
    FiniteDuration limit = FiniteDuration.apply(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Future<T> answer = driver.ask(message, new RpcTimeout(limit, TIMEOUT_CONF), ClassTag$.MODULE$.apply(type));
    FiniteDuration slice = FiniteDuration.apply(50, TimeUnit.MILLISECONDS);
    while (true) {
      try {
        Await.ready(answer, slice);
        return answer.value().get().get();
      } catch (java.util.concurrent.TimeoutException e) {
        if (ctx.isInterrupted()) {
          throw new IllegalStateException("The task was killed while waiting for the driver ("
              + ctx.getKillReason().getOrElse(() -> "no reason") + ").");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the driver.", e);
      }
    }
  }

  /**
   * Gradient mode: every step, the sum of all tasks' gradients, then the same optimizer step
   * everywhere. With {@code steps}, each step's figures are recorded, and after the last step the
   * tasks gather its whole gradient (the reduce-scatter left each its part) for rank 0 to keep.
   */
  private static BatchStats gradientEpoch(Worker w, Shards data, Collective c, TrainingRun run, int epoch,
      BufferMean buffers, ShardedUpdate update, Clock clock, StepLog steps) {
    clock.start();
    Tensor grads = update.grads();
    ParameterStore store = w.network.parameters();
    Tensor params = denseOf(store.values(), store);
    List<Parameter> rowSparse = store.rowSparse();
    BatchStats total = BatchStats.ZERO;
    double lastWeight = 0;
    for (int round = 0; round < run.rounds(); round++) {
      long roundStart = System.nanoTime();
      long syncBefore = clock.syncNanos;
      // the dense part whole (the reduce-scatter leaves the parts other tasks own undefined); of the row-sparse
      // weights, the rows the last step touched
      store.zeroGrads();
      BatchStats s = data.accumulate(w, run.chunk(epoch, round, 0), epoch, round, 0);
      double[] sums = {s.weightSum(), s.rows(), s.lossSum()};
      if (buffers != null) {
        buffers.weigh(s.rows());
      }
      clock.syncing();
      c.reduceScatter(sums, grads);
      if (!rowSparse.isEmpty()) {
        SparseRows.allreduce(rowSparse, c);
      }
      if (buffers != null) {
        c.allreduce(buffers.sum);
      }
      clock.computing();
      if (buffers != null) {
        buffers.takeMean(sums[1]);
      }
      if (sums[0] > 0) {
        update.step(1 / sums[0], c);
      }
      clock.syncing();
      c.allgather(params);
      clock.computing();
      total = total.plus(s);
      lastWeight = sums[0];
      if (steps != null) {
        steps.record(round, sums[2], sums[0], (long) sums[1], System.nanoTime() - roundStart, clock.syncNanos - syncBefore);
      }
    }
    clock.stop();
    if (steps != null) {
      c.allgather(grads);
      if (c.rank() == 0) {
        steps.gradient(store.grads().toFloatArray(), lastWeight);
      }
    }
    return total;
  }

  /**
   * The dense part that trains of one of the store's flat buffers (values, gradients) or of an
   * optimizer's state tensors (which leave the frozen parameters out): all of it when the network
   * has no row-sparse and no frozen parameters (frozen ones come first, row-sparse ones last).
   */
  private static Tensor denseOf(Tensor flat, ParameterStore store) {
    int from = flat.size() == store.size() ? store.frozenSize() : 0;
    int to = from + store.denseSize() - store.frozenSize();
    return from == 0 && to == flat.size() ? flat : flat.slice(0, from, to);
  }

  /**
   * Average mode: {@code localSteps} steps on this task's chunks, then parameters, optimizer state
   * and buffers become the row-weighted mean over the tasks. A round in which no task had rows
   * leaves them as they are. Of a row-sparse parameter (and its state) only the rows some task
   * touched in the round are averaged ({@link SparseRows#average}); the others are equal everywhere.
   * With {@code steps}, each round's figures are recorded, and rank 0 keeps the gradient of its
   * own last local step.
   */
  private static BatchStats averageEpoch(Worker w, Shards data, Collective c, TrainingRun run, int epoch,
      BufferMean buffers, Clock clock, StepLog steps) {
    clock.start();
    Optimizer opt = w.trainer.optimizer();
    ParameterStore store = w.network.parameters();
    List<Tensor> flats = FlatState.of(w.network, opt).parts();
    List<Tensor> message = new ArrayList<>();
    for (Tensor flat : flats) {
      message.add(denseOf(flat, store));
    }
    if (buffers != null) {
      message.add(buffers.sum);
    }
    Tensor[] tensors = message.toArray(new Tensor[0]);
    List<Parameter> rowSparse = store.rowSparse();
    List<BitSet> touched = rowSparse.stream().map(p -> new BitSet(p.shape().dim(0))).toList();
    BatchStats total = BatchStats.ZERO;
    double lastWeight = 0;
    for (int round = 0; round < run.rounds(); round++) {
      long roundStart = System.nanoTime();
      long syncBefore = clock.syncNanos;
      long stepsBefore = opt.steps();
      int taken = 0;
      BatchStats local = BatchStats.ZERO;
      for (int k = 0; k < run.localSteps(); k++) {
        int chunk = run.chunk(epoch, round, k);
        if (chunk < 0) {
          break;
        }
        taken++;
        w.trainer.zeroGradients();
        BatchStats s = data.accumulate(w, chunk, epoch, round, k);
        if (s.weightSum() > 0) {
          w.trainer.applyGradients(s.weightSum());
        }
        lastWeight = s.weightSum();
        for (int i = 0; i < rowSparse.size(); i++) {
          for (int r : rowSparse.get(i).touchedRows()) {
            touched.get(i).set(r);
          }
        }
        local = local.plus(s);
      }
      double[] rows = {local.rows(), local.lossSum(), local.weightSum()};
      clock.syncing();
      c.allreduce(rows);
      if (rows[0] > 0) {
        // each task's share of the mean, so that the sum is the mean
        double share = local.rows() / rows[0];
        for (Tensor t : flats) {
          scale(denseOf(t, store), share);
        }
        if (buffers != null) {
          buffers.weigh(local.rows());
        }
        c.allreduce(tensors);
        SparseRows.average(rowSparse, touched, flats, store, share, c);
        if (buffers != null) {
          buffers.takeMean(rows[0]);
        }
        opt.setSteps(stepsBefore + taken);
      }
      touched.forEach(BitSet::clear);
      clock.computing();
      total = total.plus(local);
      if (steps != null) {
        steps.record(round, rows[1], rows[2], (long) rows[0], System.nanoTime() - roundStart, clock.syncNanos - syncBefore);
      }
    }
    clock.stop();
    if (steps != null && c.rank() == 0) {
      steps.gradient(w.network.parameters().grads().toFloatArray(), lastWeight);
    }
    return total;
  }

  private static void scale(Tensor t, double factor) {
    Backend.of(t).map(UnaryOp.SCALE, t, t, factor);
  }

  /**
   * The network's buffers (batch normalisation's running statistics) averaged over the tasks,
   * weighted by the rows each saw: each sends its buffers times its rows in a scratch copy, and
   * takes the sum over the rows of all, unless no task had rows (then its buffers stay).
   */
  private static final class BufferMean {
    final Tensor buffers;
    final Tensor sum;

    private BufferMean(Tensor buffers, Tensor sum) {
      this.buffers = buffers;
      this.sum = sum;
    }

    /** Null for a network without buffers. */
    static BufferMean of(Worker w, Scope scratch) {
      if (w.network.buffers().size() == 0) {
        return null;
      }
      Tensor b = w.network.buffers().values();
      return new BufferMean(b, scratch.allocate(DType.FLOAT32, Shape.of(b.size())));
    }

    void weigh(long rows) {
      Backend.of(buffers).map(UnaryOp.SCALE, buffers.reshape(buffers.size()), sum, rows);
    }

    void takeMean(double totalRows) {
      if (totalRows > 0) {
        Backend.of(sum).map(UnaryOp.SCALE, sum, buffers.reshape(buffers.size()), 1 / totalRows);
      }
    }
  }

  /** Where a task's epoch goes: all of its steps, and the part spent in the collective. */
  private static final class Clock {
    long stepNanos;
    long syncNanos;
    private long started;
    private long syncStarted;

    void start() {
      started = System.nanoTime();
    }

    void syncing() {
      syncStarted = System.nanoTime();
    }

    void computing() {
      syncNanos += System.nanoTime() - syncStarted;
    }

    void stop() {
      stepNanos = System.nanoTime() - started;
    }
  }
}
