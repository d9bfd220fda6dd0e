package org.sparkdl.train;

/**
 * What a batch (or a sum of batches) contributed: the weighted loss sum {@code sum(w_i l_i)}, the
 * weight total {@code sum(w_i)} and the row count. Sums of these are exact across workers.
 */
public record BatchStats(double lossSum, double weightSum, long rows) {
  public static final BatchStats ZERO = new BatchStats(0, 0, 0);

  /** The weighted mean loss. */
  public double meanLoss() {
    return weightSum == 0 ? Double.NaN : lossSum / weightSum;
  }

  public BatchStats plus(BatchStats o) {
    return new BatchStats(lossSum + o.lossSum, weightSum + o.weightSum, rows + o.rows);
  }
}
