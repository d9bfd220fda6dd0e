package org.sparkdl.ml;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkdl.train.ClassTally;

/**
 * An epoch's figures summed over the tasks of a barrier stage: the training loss and weights, the
 * validation sums (zero without a validation split), where the tasks' time went, whether every
 * task ended with the same parameters, and a classifier's tallies of its predictions.
 *
 * @param stepSeconds the tasks' time from their first to their last step, summed
 * @param syncSeconds the part of it spent in the collective (waiting for the slowest included)
 * @param trainTally the {@link ClassTally} sums of the training rows (empty for a regressor)
 * @param validTally the {@link ClassTally} sums of the validation rows (empty for a regressor or
 *     without validation rows)
 */
record EpochSums(double lossSum, double weightSum, long rows, double validLossSum, double validWeightSum,
    double validMetricSum, long validRows, double stepSeconds, double syncSeconds, boolean ranksAgree,
    double[] trainTally, double[] validTally) implements Serializable {

  /** Number of doubles in {@link #pack} before the tallies. */
  static final int SIZE = 11;

  /**
   * One task's figures as an allreduce message: {@link #SIZE} doubles, then the training tally's
   * sums, then the validation tally's. Of the first {@link #SIZE}, the last two are a 20-bit digest
   * of its parameters and its square: summed over n tasks they equal n d and n d^2 only when all
   * digests are d.
   *
   * @param train the task's tally of its training rows, or null (a regressor)
   * @param validTallySize the doubles of a validation tally (0 without one); a task without
   *     validation rows sends zeros there
   */
  static double[] pack(double lossSum, double weightSum, long rows, RoundSum valid, ClassTally train, int validTallySize,
      double stepSeconds, double syncSeconds, int digest) {
    double d = digest & 0xFFFFF;
    double[] head = {lossSum, weightSum, rows, valid == null ? 0 : valid.lossSum, valid == null ? 0 : valid.weightSum,
        valid == null ? 0 : valid.metricSum, valid == null ? 0 : valid.rows, stepSeconds, syncSeconds, d, d * d};
    int trainSize = train == null ? 0 : train.sums().length;
    double[] out = Arrays.copyOf(head, SIZE + trainSize + validTallySize);
    if (train != null) {
      System.arraycopy(train.sums(), 0, out, SIZE, trainSize);
    }
    if (valid != null && valid.tally() != null) {
      System.arraycopy(valid.tally(), 0, out, SIZE + trainSize, validTallySize);
    }
    return out;
  }

  /**
   * The sums of {@link #pack}ed figures over {@code tasks} tasks, as seen by the task whose digest
   * is {@code digest}, with tallies of {@code trainTallySize} and {@code validTallySize} doubles.
   */
  static EpochSums unpack(double[] s, int tasks, int digest, int trainTallySize, int validTallySize) {
    double d = digest & 0xFFFFF;
    return new EpochSums(s[0], s[1], (long) s[2], s[3], s[4], s[5], (long) s[6], s[7], s[8],
        s[9] == tasks * d && s[10] == tasks * d * d, Arrays.copyOfRange(s, SIZE, SIZE + trainTallySize),
        Arrays.copyOfRange(s, SIZE + trainTallySize, SIZE + trainTallySize + validTallySize));
  }

  /** The validation sums as the trainer reads them, or null when there were no validation rows. */
  RoundSum validation(int classes) {
    if (validRows == 0) {
      return null;
    }
    RoundSum v = RoundSum.empty().setSums(validLossSum, validWeightSum, validMetricSum, validRows, 0);
    return validTally.length == 0 ? v : v.setTally(ClassTally.of(classes, validTally.clone()));
  }
}
