package org.sparkdl.train;

/**
 * An evaluation pass's sums, exact to add across batches and workers: weighted loss, weight total,
 * weighted metric sum (correct rows, or squared errors), rows.
 */
public record EvalStats(double lossSum, double weightSum, double metricSum, long rows) {
  public static final EvalStats ZERO = new EvalStats(0, 0, 0, 0);

  public EvalStats plus(EvalStats o) {
    return new EvalStats(lossSum + o.lossSum, weightSum + o.weightSum, metricSum + o.metricSum, rows + o.rows);
  }

  /** Weighted mean loss. */
  public double meanLoss() {
    return weightSum == 0 ? Double.NaN : lossSum / weightSum;
  }
}
