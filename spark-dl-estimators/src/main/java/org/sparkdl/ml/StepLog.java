package org.sparkdl.ml;

import java.io.Serializable;

/**
 * What each round of an epoch did (an optimizer step in gradient mode; {@code localSteps} steps
 * and an averaging in average mode), for the fit's TensorBoard log: the mean training loss of its
 * rows, the rows, and the wall time of the round and the part of it spent synchronising, as rank 0
 * (or the driver, one Spark job a round) measured them. Kept only when the fit has a {@code
 * logDir}: four numbers a round, and the mean gradient of the epoch's last step (for the
 * gradient histograms).
 */
final class StepLog implements Serializable {
  private static final long serialVersionUID = 1L;
  private final float[] loss;
  private final int[] rows;
  private final float[] seconds;
  private final float[] syncSeconds;
  private float[] gradient;

  StepLog(int rounds) {
    loss = new float[rounds];
    rows = new int[rounds];
    seconds = new float[rounds];
    syncSeconds = new float[rounds];
    java.util.Arrays.fill(syncSeconds, Float.NaN);
  }

  /**
   * Round {@code round}'s figures: loss and weight sums over all tasks, rows over all tasks, and
   * its time ({@code syncNanos} negative where not measured).
   */
  void record(int round, double lossSum, double weightSum, long roundRows, long nanos, long syncNanos) {
    loss[round] = weightSum > 0 ? (float) (lossSum / weightSum) : Float.NaN;
    rows[round] = (int) Math.min(Integer.MAX_VALUE, roundRows);
    seconds[round] = nanos / 1e9f;
    syncSeconds[round] = syncNanos < 0 ? Float.NaN : syncNanos / 1e9f;
  }

  int rounds() {
    return loss.length;
  }

  /** The mean training loss of round {@code r}'s rows (NaN when they weighed nothing). */
  float loss(int r) {
    return loss[r];
  }

  int rows(int r) {
    return rows[r];
  }

  float seconds(int r) {
    return seconds[r];
  }

  /** The part of round {@code r}'s time spent synchronising, NaN where not measured. */
  float syncSeconds(int r) {
    return syncSeconds[r];
  }

  /**
   * Keeps the epoch's last gradient: the network's flat gradient buffer (parameter by parameter,
   * as {@link org.sparkdl.nn.ParameterStore} lays them out) divided by {@code weight}, the rows'
   * weight it was summed over.
   */
  void gradient(float[] summed, double weight) {
    float scale = weight > 0 ? (float) (1 / weight) : 0f;
    for (int i = 0; i < summed.length; i++) {
      summed[i] *= scale;
    }
    gradient = summed;
  }

  /** The epoch's last mean gradient, or null when none was kept. */
  float[] gradient() {
    return gradient;
  }
}
