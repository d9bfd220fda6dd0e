package org.sparkdl.ml;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.arrow.ArrowBatch;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.nn.Loss;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.BatchStats;
import org.sparkdl.train.ClassTally;
import org.sparkdl.train.EvalStats;
import org.sparkdl.train.LocalTrainer;

/**
 * The executor side of a fit: what one task does with its partition in a round. Tasks borrow a
 * {@link Worker} (network, trainer, optimizer on the executor's backend) and the partition's
 * decoded Arrow batches from the {@link ExecutorCache}, so that after the first round a task
 * allocates nothing and decodes nothing: features and targets are tensor views of Arrow memory.
 */
final class TrainingTasks {
  private TrainingTasks() {}

  /** A task slot's network and trainer, reused across rounds of one fit on one executor. */
  static final class Worker implements AutoCloseable {
    final Network network;
    final LocalTrainer trainer;

    Worker(TrainingRun run, Backend be) {
      this.network = Network.uninitialised(NetworkSpec.fromJson(run.specJson()), be, DType.FLOAT32, run.frozenLayers());
      this.trainer = new LocalTrainer(network, Loss.of(run.lossName()), run.optimizer(), run.seed());
      trainer.setClassWeights(run.classWeights());
    }

    @Override
    public void close() {
      trainer.close();
      network.close();
    }
  }

  static ExecutorCache.Lease<Worker> worker(TrainingRun run) {
    Backend be = ExecutorBackends.get(run.backend());
    return ExecutorCache.borrow(run.runId() + "/worker", () -> new Worker(run, be));
  }

  /**
   * The decoded Arrow batches of one partition's split, borrowed from the executor's cache and
   * given back together on close: a round holds them for a step, a barrier task for its fit. The
   * per-round path decodes a {@link Shard}'s batches on first use; a barrier task {@link #add}s
   * each batch as it reads it, decoding it at once so that its bytes can go, or, when its data is
   * larger than the memory it may hold, writing it to a local file ({@link SpillFiles}) to be
   * decoded a window at a time ({@link #focus}).
   */
  static final class ShardBatches implements AutoCloseable {
    private final TrainingRun run;
    private final String split;
    private final int partition;
    private final byte[][] source;
    private final SpillFiles spill;
    private final java.util.TreeMap<Integer, Integer> rows = new java.util.TreeMap<>();
    private final java.util.TreeMap<Integer, ExecutorCache.Lease<ArrowBatch>> leases = new java.util.TreeMap<>();
    /** The parts of the batch being added, until its last one. */
    private final List<byte[]> arrived = new ArrayList<>();
    private int arriving = -1;
    private int nextPart;

    /** A shard's batches, decoded on first use. */
    ShardBatches(TrainingRun run, String split, Shard shard) {
      this(run, split, shard.partition(), shard.batches(), null);
      for (int b = 0; b < shard.batchRows().length; b++) {
        rows.put(b, shard.batchRows()[b]);
      }
    }

    /** No batches yet: {@link #add} them; {@code spill} null keeps them decoded in memory. */
    ShardBatches(TrainingRun run, String split, int partition, SpillFiles spill) {
      this(run, split, partition, null, spill);
    }

    private ShardBatches(TrainingRun run, String split, int partition, byte[][] source, SpillFiles spill) {
      this.run = run;
      this.split = split;
      this.partition = partition;
      this.source = source;
      this.spill = spill;
    }

    /**
     * Takes the next part of a batch: with the batch's last part, decodes the batch (or takes it
     * from the cache, when decoded before); with the batches kept on disk, appends the part to the
     * batch's file instead. A batch's parts come in order, one batch at a time.
     */
    void add(EncodedPart e) {
      if (e.part() == 0) {
        if (rows.containsKey(e.index())) {
          throw new IllegalStateException("Batch " + e.index() + " of the " + split + " split of partition " + partition
              + " came twice.");
        }
        rows.put(e.index(), e.rows());
        arriving = e.index();
        nextPart = 0;
        arrived.clear();
      } else if (arriving != e.index()) {
        throw new IllegalStateException("Part " + e.part() + " of batch " + e.index() + " of the " + split
            + " split of partition " + partition + " came without its first part.");
      }
      EncodedBatches.checkOrder(e, nextPart++);
      if (spill != null) {
        spill.write(e.index(), e.bytes(), e.last());
      } else {
        arrived.add(e.bytes());
        if (e.last()) {
          List<byte[]> parts = List.copyOf(arrived);
          arrived.clear();
          leases.put(e.index(), ExecutorCache.borrow(key(e.index()), () -> ArrowBatch.read(parts)));
        }
      }
    }

    int partition() {
      return partition;
    }

    /** Number of batches (indices 0 to count - 1). */
    int count() {
      return rows.size();
    }

    /** Rows of batch {@code b}. */
    int rows(int b) {
      return rows.get(b);
    }

    /**
     * For batches kept on disk: keeps batch {@code now} decoded, reads batch {@code next} ahead
     * (-1: none) and frees the rest. Nothing to do for batches in memory.
     */
    void focus(int now, int next) {
      if (spill != null) {
        spill.focus(now, next);
      }
    }

    /** Nanoseconds spent waiting for batches read from disk (0 in memory). */
    long waitedNanos() {
      return spill == null ? 0 : spill.waitedNanos();
    }

    ArrowBatch get(int b) {
      if (spill != null) {
        return spill.get(b);
      }
      ExecutorCache.Lease<ArrowBatch> l = leases.get(b);
      if (l == null) {
        if (source == null) {
          throw new IllegalStateException("Batch " + b + " of the " + split + " split of partition " + partition
              + " never came.");
        }
        l = ExecutorCache.borrow(key(b), () -> ArrowBatch.read(source[b]));
        leases.put(b, l);
      }
      return l.get();
    }

    private String key(int b) {
      return run.runId() + "/" + split + "/" + partition + "/" + b;
    }

    /** Gives the batches back to the executor's cache, for the next round. */
    @Override
    public void close() {
      leases.values().forEach(ExecutorCache.Lease::close);
      leases.clear();
      if (spill != null) {
        spill.close();
      }
    }

    /** Frees the batches instead of giving them back. */
    void discard() {
      leases.values().forEach(ExecutorCache.Lease::discard);
      leases.clear();
      if (spill != null) {
        spill.close();
      }
    }
  }

  /**
   * Gradient mode: the gradient of {@code sum(w l)} over this partition's chunk of the round at
   * {@code weights}, and, for a network with buffers, the buffers after the chunk's forward pass,
   * weighted by its rows.
   */
  static RoundSum gradient(Shard shard, FlatState.Weights weights, TrainingRun run, int epoch, int round) {
    RoundSum out = RoundSum.empty();
    int chunk = run.chunk(epoch, round, 0);
    if (chunk < 0 || shard.rows() == 0) {
      return out;
    }
    try (ExecutorCache.Lease<Worker> lease = worker(run); ShardBatches batches = new ShardBatches(run, "train", shard)) {
      Worker w = lease.get();
      weights.loadInto(w.network);
      w.trainer.zeroGradients();
      ClassTally tally = run.tally(false);
      w.trainer.tallyInto(tally);
      BatchStats s;
      try {
        s = accumulate(w, batches, run, chunk, run.stepSeed(epoch, round, 0, shard.partition()));
      } finally {
        w.trainer.tallyInto(null);
      }
      if (s.rows() > 0) {
        out.setVector(w.network.parameters().grads().toFloatArray(), 1.0);
        sendBuffers(w, out, s.rows());
      }
      return out.setSums(s.lossSum(), s.weightSum(), 0, s.rows(), 1).setTally(tally);
    }
  }

  /**
   * Average mode: {@code localSteps} optimizer steps on this partition from the broadcast state,
   * returning the {@link FlatState} parts (parameters and optimizer state) multiplied by the rows
   * trained on.
   */
  static RoundSum average(Shard shard, TrainingState state, TrainingRun run, int epoch, int round) {
    RoundSum out = RoundSum.empty();
    if (shard.rows() == 0) {
      return out;
    }
    try (ExecutorCache.Lease<Worker> lease = worker(run); ShardBatches batches = new ShardBatches(run, "train", shard)) {
      Worker w = lease.get();
      state.loadInto(w.network, w.trainer.optimizer());
      BatchStats total = BatchStats.ZERO;
      ClassTally tally = run.tally(false);
      w.trainer.tallyInto(tally);
      try {
        for (int k = 0; k < run.localSteps(); k++) {
          int chunk = run.chunk(epoch, round, k);
          if (chunk < 0) {
            break;
          }
          w.trainer.zeroGradients();
          BatchStats s = accumulate(w, batches, run, chunk, run.stepSeed(epoch, round, k, shard.partition()));
          if (s.weightSum() > 0) {
            w.trainer.applyGradients(s.weightSum());
          }
          total = total.plus(s);
        }
      } finally {
        w.trainer.tallyInto(null);
      }
      if (total.rows() > 0) {
        out.setVector(FlatState.of(w.network, w.trainer.optimizer()).copyParts(), total.rows());
        sendBuffers(w, out, total.rows());
      }
      return out.setSums(total.lossSum(), total.weightSum(), 0, total.rows(), w.trainer.optimizer().steps())
          .setTally(tally);
    }
  }

  /** Loss and metric of {@code weights} over a whole partition, no gradients. */
  static RoundSum evaluate(Shard shard, FlatState.Weights weights, TrainingRun run, String split) {
    if (shard.rows() == 0) {
      return RoundSum.empty();
    }
    try (ExecutorCache.Lease<Worker> lease = worker(run); ShardBatches batches = new ShardBatches(run, split, shard)) {
      Worker w = lease.get();
      weights.loadInto(w.network);
      return evaluate(w, batches, run);
    }
  }

  /**
   * Loss and metric of the worker's current parameters and buffers over every batch of a shard, no
   * gradients; for a classifier, with the tally of its predictions (accuracy and confusion matrix).
   */
  static RoundSum evaluate(Worker w, ShardBatches batches, TrainingRun run) {
    RoundSum out = RoundSum.empty();
    ClassTally tally = run.tally(true);
    w.trainer.tallyInto(tally);
    try {
      return out.setSums(evaluateBatches(w, batches, run), 0).setTally(tally);
    } finally {
      w.trainer.tallyInto(null);
    }
  }

  private static EvalStats evaluateBatches(Worker w, ShardBatches batches, TrainingRun run) {
    HostBackend host = ExecutorBackends.host();
    EvalStats total = EvalStats.ZERO;
    for (int b = 0; b < batches.count(); b++) {
      batches.focus(b, b + 1);
      ArrowBatch batch = batches.get(b);
      for (int lo = 0; lo < batch.rows(); lo += 4096) {
        int hi = Math.min(batch.rows(), lo + 4096);
        Tensor y = targets(batch, host, run, lo, hi);
        Tensor wt = batch.hasWeights() ? batch.weights(host).slice(0, lo, hi) : null;
        total = total.plus(batch.hasSparseFeatures()
            ? w.trainer.evaluate(batch.sparseFeatures(host).rows(lo, hi), y, wt, run.classification())
            : w.trainer.evaluate(SequenceInputs.of(w.network, batch, host, lo, hi), y, wt, run.classification()));
      }
    }
    return total;
  }

  /** Sends the worker's buffers, weighted by the rows it trained on, when the network has any. */
  private static void sendBuffers(Worker w, RoundSum out, long rows) {
    float[] buffers = FlatState.copyBuffers(w.network);
    if (buffers != null) {
      out.setBuffers(buffers, rows);
    }
  }

  /**
   * Rows {@code [lo, hi)} of the batch's targets as the loss expects them: class indices as {@code
   * [rows]}, regression targets as {@code [rows, outputs]}. A scalar regression target arrives as
   * {@code [rows]} and must become {@code [rows, 1]}, or the loss would broadcast it against the
   * network's {@code [rows, 1]} output.
   */
  private static Tensor targets(ArrowBatch batch, HostBackend host, TrainingRun run, int lo, int hi) {
    Tensor y = batch.labels(host).slice(0, lo, hi);
    return !run.classification() && y.rank() == 1 ? y.reshape(hi - lo, 1) : y;
  }

  /**
   * Accumulates the gradient of chunk {@code chunk} of the shard: window {@code g} of an epoch
   * (the chunk's window, see {@link TrainingRun#windows()}) is the shard's batch {@code g}, cut into
   * the window's chunks, so a chunk lies in one batch and is read in place. A shard with fewer
   * batches than the epoch has windows has no rows in the windows past its last batch.
   */
  static BatchStats accumulate(Worker w, ShardBatches batches, TrainingRun run, int chunk, long seed) {
    HostBackend host = ExecutorBackends.host();
    int g = run.window(chunk);
    if (g >= batches.count()) {
      return BatchStats.ZERO;
    }
    int[] window = run.windowChunks(g);
    int rows = batches.rows(g);
    int lo = Chunks.start(rows, window[1] - window[0], chunk - window[0]);
    int hi = Chunks.start(rows, window[1] - window[0], chunk - window[0] + 1);
    if (hi <= lo) {
      return BatchStats.ZERO;
    }
    ArrowBatch batch = batches.get(g);
    Tensor wt = batch.hasWeights() ? batch.weights(host).slice(0, lo, hi) : null;
    if (batch.hasSparseFeatures()) {
      return w.trainer.accumulateGradients(batch.sparseFeatures(host).rows(lo, hi), targets(batch, host, run, lo, hi), wt,
          seed + g);
    }
    return w.trainer.accumulateGradients(SequenceInputs.of(w.network, batch, host, lo, hi), targets(batch, host, run, lo, hi),
        wt, seed + g);
  }

}
