package org.sparkdl.ml;

import java.io.Serializable;

/**
 * An epoch's figures summed over the tasks of a barrier stage: the training loss and weights, the
 * validation sums (zero without a validation split), where the tasks' time went, and whether
 * every task ended with the same parameters.
 *
 * @param stepSeconds the tasks' time from their first to their last step, summed
 * @param syncSeconds the part of it spent in the collective (waiting for the slowest included)
 */
record EpochSums(double lossSum, double weightSum, long rows, double validLossSum, double validWeightSum,
    double validMetricSum, long validRows, double stepSeconds, double syncSeconds, boolean ranksAgree)
    implements Serializable {

  /** Number of doubles in {@link #pack}. */
  static final int SIZE = 11;

  /**
   * One task's figures as an allreduce message. The last two are a 20-bit digest of its
   * parameters and its square: summed over n tasks they equal n d and n d^2 only when all digests
   * are d.
   */
  static double[] pack(double lossSum, double weightSum, long rows, RoundSum valid, double stepSeconds, double syncSeconds,
      int digest) {
    double d = digest & 0xFFFFF;
    return new double[] {lossSum, weightSum, rows, valid == null ? 0 : valid.lossSum, valid == null ? 0 : valid.weightSum,
        valid == null ? 0 : valid.metricSum, valid == null ? 0 : valid.rows, stepSeconds, syncSeconds, d, d * d};
  }

  /** The sums of {@link #pack}ed figures over {@code tasks} tasks, as seen by the task whose digest is {@code digest}. */
  static EpochSums unpack(double[] s, int tasks, int digest) {
    double d = digest & 0xFFFFF;
    return new EpochSums(s[0], s[1], (long) s[2], s[3], s[4], s[5], (long) s[6], s[7], s[8],
        s[9] == tasks * d && s[10] == tasks * d * d);
  }

  /** The validation sums as the trainer reads them, or null when there were no validation rows. */
  RoundSum validation() {
    if (validRows == 0) {
      return null;
    }
    return RoundSum.empty().setSums(validLossSum, validWeightSum, validMetricSum, validRows, 0);
  }
}
