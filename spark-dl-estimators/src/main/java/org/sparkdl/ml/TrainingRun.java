package org.sparkdl.ml;

import java.io.Serializable;
import java.util.List;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.train.ClassTally;

/**
 * Everything a training task needs to know, fixed for one fit and shipped to the executors with
 * each task: the network (JSON), loss, optimizer, how rows are split into rounds, seeds.
 *
 * @param runId names this fit in executor caches
 * @param roundsPerEpoch R: each partition's rows are cut into R chunks; a gradient round uses chunk
 *     r of every partition, so a round sees about {@code batchSize} rows in all
 * @param localSteps chunks (local optimizer steps) per round in average mode; 1 in gradient mode
 * @param windows W, the most encoded batches of a partition: the chunks fall into W runs of
 *     adjacent chunks, and window g is batch g of every partition, cut into the window's chunks;
 *     an epoch takes the windows one after another (in a seeded order) and a window's chunks in a
 *     seeded order, so a task touches one batch of each partition at a time and can keep the
 *     others on disk. 1 when every partition is one batch.
 * @param classes a classifier's classes, whose predictions the tasks count ({@link ClassTally}); 0
 *     for a regressor
 * @param classWeights each class's loss weight, or null for none
 * @param trainingMatrix whether the tasks count the training rows' confusion matrix too (a
 *     classifier without validation rows), not only their accuracy
 * @param frozenLayers the layers whose parameters keep their values ({@code frozenLayers}, matched)
 */
record TrainingRun(String runId, String stage, String specJson, String lossName, OptimizerSpec optimizer,
    boolean classification, int roundsPerEpoch, int localSteps, boolean averageMode, long seed, String backend, int windows,
    int classes, float[] classWeights, boolean trainingMatrix, List<String> frozenLayers)
    implements Serializable {

  TrainingRun {
    windows = Math.max(1, Math.min(windows, roundsPerEpoch));
    frozenLayers = frozenLayers == null ? List.of() : List.copyOf(frozenLayers);
  }

  /** A run that freezes no layer. */
  TrainingRun(String runId, String stage, String specJson, String lossName, OptimizerSpec optimizer,
      boolean classification, int roundsPerEpoch, int localSteps, boolean averageMode, long seed, String backend,
      int windows, int classes, float[] classWeights, boolean trainingMatrix) {
    this(runId, stage, specJson, lossName, optimizer, classification, roundsPerEpoch, localSteps, averageMode, seed, backend,
        windows, classes, classWeights, trainingMatrix, List.of());
  }

  /** A run that counts no predictions and weighs no classes. */
  TrainingRun(String runId, String stage, String specJson, String lossName, OptimizerSpec optimizer,
      boolean classification, int roundsPerEpoch, int localSteps, boolean averageMode, long seed, String backend,
      int windows) {
    this(runId, stage, specJson, lossName, optimizer, classification, roundsPerEpoch, localSteps, averageMode, seed, backend,
        windows, 0, null, false, List.of());
  }

  /**
   * An empty tally of a classifier's predictions on the training rows ({@code validation} false)
   * or the validation rows; null for a regressor.
   */
  ClassTally tally(boolean validation) {
    return classes == 0 ? null : new ClassTally(classes, validation || trainingMatrix);
  }

  /** The sums a {@link #tally} holds (0 for a regressor). */
  int tallySize(boolean validation) {
    ClassTally t = tally(validation);
    return t == null ? 0 : t.sums().length;
  }

  /** Rounds in one epoch. */
  int rounds() {
    return averageMode ? (roundsPerEpoch + localSteps - 1) / localSteps : roundsPerEpoch;
  }

  /** The chunk a round's k-th local step uses in {@code epoch}, or -1 past the last chunk. */
  int chunk(int epoch, int round, int step) {
    int position = averageMode ? round * localSteps + step : round;
    if (position >= roundsPerEpoch) {
      return -1;
    }
    return Chunks.order(roundsPerEpoch, windows, epochSeed(epoch))[position];
  }

  /** The window of chunk {@code chunk}. */
  int window(int chunk) {
    return Chunks.window(roundsPerEpoch, windows, chunk);
  }

  /** The chunks of window {@code g}: {@code [first, end)}. */
  int[] windowChunks(int g) {
    return new int[] {Chunks.start(roundsPerEpoch, windows, g), Chunks.start(roundsPerEpoch, windows, g + 1)};
  }

  /** The window an epoch visits after window {@code g}, or -1 when {@code g} is its last. */
  int nextWindow(int epoch, int g) {
    int[] order = Chunks.windowOrder(windows, epochSeed(epoch));
    for (int i = 0; i + 1 < order.length; i++) {
      if (order[i] == g) {
        return order[i + 1];
      }
    }
    return -1;
  }

  /** The window an epoch visits first. */
  int firstWindow(int epoch) {
    return Chunks.windowOrder(windows, epochSeed(epoch))[0];
  }

  private long epochSeed(int epoch) {
    return seed * 1_000_003L + epoch;
  }

  /** The seed of the random layers for a partition's step. */
  long stepSeed(int epoch, int round, int step, int partition) {
    return ((seed * 31 + epoch) * 1_000_003L + round) * 8191 + step * 131L + partition;
  }
}
