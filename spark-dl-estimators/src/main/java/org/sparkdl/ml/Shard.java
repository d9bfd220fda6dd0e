package org.sparkdl.ml;

import java.io.Serializable;

/**
 * One partition of training data as the fit keeps it: Arrow IPC batches (features, targets,
 * weights as float32 columns), the rows of each, and the partition id. Persisted by Spark once,
 * then read every round; executors keep the decoded batches in off-heap memory between rounds.
 */
record Shard(int partition, byte[][] batches, int[] batchRows) implements Serializable {
  long rows() {
    long n = 0;
    for (int r : batchRows) {
      n += r;
    }
    return n;
  }
}
