package org.sparkdl.ml;

import java.io.Serializable;
import org.sparkdl.optim.OptimizerSpec;

/**
 * Everything a training task needs to know, fixed for one fit and shipped to the executors with
 * each task: the network (JSON), loss, optimizer, how rows are split into rounds, seeds.
 *
 * @param runId names this fit in executor caches
 * @param roundsPerEpoch R: each partition's rows are cut into R chunks; a gradient round uses chunk
 *     r of every partition, so a round sees about {@code batchSize} rows in all
 * @param localSteps chunks (local optimizer steps) per round in average mode; 1 in gradient mode
 */
record TrainingRun(String runId, String stage, String specJson, String lossName, OptimizerSpec optimizer,
    boolean classification, int roundsPerEpoch, int localSteps, boolean averageMode, long seed, String backend)
    implements Serializable {

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
    return Chunks.permutation(roundsPerEpoch, seed * 1_000_003L + epoch)[position];
  }

  /** The seed of the random layers for a partition's step. */
  long stepSeed(int epoch, int round, int step, int partition) {
    return ((seed * 31 + epoch) * 1_000_003L + round) * 8191 + step * 131L + partition;
  }
}
