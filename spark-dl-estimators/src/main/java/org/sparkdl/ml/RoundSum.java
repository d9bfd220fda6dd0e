package org.sparkdl.ml;

import java.io.Serializable;

/**
 * What workers send up the aggregation tree in a round: a weighted sum of float vectors, the
 * weighted loss, the weight total, a metric sum, rows, and a step count. In gradient mode the
 * vector is the gradient of {@code sum(w l)}; in average mode, parameters and optimizer state each
 * multiplied by the rows the worker trained on.
 *
 * <p>Networks with buffers (batch normalisation's running statistics) add each worker's buffers
 * multiplied by the rows it trained on, summed in double: divided by {@link #rows} on the driver,
 * they give the row-weighted mean of the workers' buffers.
 *
 * <p>A classifier's workers add their {@link org.sparkdl.train.ClassTally} sums (accuracy and,
 * where kept, the confusion matrix of the rows they classified), element by element.
 *
 * <p>A single worker's contribution travels as float32 (half the bytes; it is float32 data
 * anyway); sums of several are kept in double, where adding a few dozen float32 values is exact
 * in practice, so the total does not depend on the order partitions arrive in.
 */
final class RoundSum implements Serializable {
  private static final long serialVersionUID = 1L;
  /** One worker's vector, in the parts it was set in (a {@link FlatState}'s, in average mode): joined when widened. */
  private float[][] single;
  private double singleScale;
  private double[] sum;
  private double[] bufferSum;
  private double[] tally;
  /** Read by the trainer; written through {@link #setSums} and {@link #merge}. */
  double lossSum;
  double weightSum;
  double metricSum;
  long rows;
  long steps;

  static RoundSum empty() {
    return new RoundSum();
  }

  /** Sets this worker's sums: weighted loss, weight total, metric sum, rows, and the steps it has taken. */
  RoundSum setSums(double lossSum, double weightSum, double metricSum, long rows, long steps) {
    this.lossSum = lossSum;
    this.weightSum = weightSum;
    this.metricSum = metricSum;
    this.rows = rows;
    this.steps = steps;
    return this;
  }

  /** Sets this worker's sums from an evaluation pass's, and the steps it has taken. */
  RoundSum setSums(org.sparkdl.train.EvalStats e, long steps) {
    return setSums(e.lossSum(), e.weightSum(), e.metricSum(), e.rows(), steps);
  }

  /** Sets this worker's vector to {@code scale * values}; a worker sets it once. */
  RoundSum setVector(float[] values, double scale) {
    return setVector(new float[][] {values}, scale);
  }

  /**
   * Sets this worker's vector to {@code scale} times its parts one after the other ({@code
   * [parts[0] | parts[1] | ...]}), without joining them into one array; a worker sets it once.
   */
  RoundSum setVector(float[][] parts, double scale) {
    if (single != null || sum != null) {
      throw new IllegalStateException("A round's vector is set once per worker.");
    }
    single = parts;
    singleScale = scale;
    return this;
  }

  /** True when some worker contributed a vector. */
  boolean hasVector() {
    return single != null || sum != null;
  }

  /** The summed vector, in double. */
  double[] vector() {
    if (sum == null && single != null) {
      sum = widen(single, singleScale);
      single = null;
    }
    return sum;
  }

  /** Sets this worker's tally of classified rows (null: none, a regressor's); returns this. */
  RoundSum setTally(org.sparkdl.train.ClassTally t) {
    tally = t == null ? null : t.sums().clone();
    return this;
  }

  /** The summed tallies' sums, or null when no worker sent one. */
  double[] tally() {
    return tally;
  }

  /** Sets this worker's buffers, weighted by {@code rows}; a worker sets them once. */
  RoundSum setBuffers(float[] values, double rows) {
    bufferSum = widen(new float[][] {values}, rows);
    return this;
  }

  /** The row-weighted sum of the workers' buffers, or null when no worker sent any. */
  double[] buffers() {
    return bufferSum;
  }

  /** {@code scale} times the parts, one after the other, in double. */
  private static double[] widen(float[][] parts, double scale) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    double[] d = new double[n];
    int at = 0;
    for (float[] p : parts) {
      for (int i = 0; i < p.length; i++) {
        d[at + i] = scale * p[i];   // set, not added to 0, which would turn -0.0 into 0.0
      }
      at += p.length;
    }
    return d;
  }

  /** Adds {@code scale} times the parts, one after the other, to {@code d}. */
  private static void addInto(double[] d, float[][] parts, double scale) {
    int at = 0;
    for (float[] p : parts) {
      for (int i = 0; i < p.length; i++) {
        d[at + i] += scale * p[i];
      }
      at += p.length;
    }
  }

  RoundSum merge(RoundSum o) {
    if (o.hasVector()) {
      if (!hasVector()) {
        single = o.single;
        singleScale = o.singleScale;
        sum = o.sum;
      } else {
        double[] mine = vector();
        if (o.sum != null) {
          for (int i = 0; i < mine.length; i++) {
            mine[i] += o.sum[i];
          }
        } else {
          addInto(mine, o.single, o.singleScale);
        }
      }
    }
    if (o.bufferSum != null) {
      if (bufferSum == null) {
        bufferSum = o.bufferSum.clone();
      } else {
        for (int i = 0; i < bufferSum.length; i++) {
          bufferSum[i] += o.bufferSum[i];
        }
      }
    }
    if (o.tally != null) {
      if (tally == null) {
        tally = o.tally.clone();
      } else {
        for (int i = 0; i < tally.length; i++) {
          tally[i] += o.tally[i];
        }
      }
    }
    lossSum += o.lossSum;
    weightSum += o.weightSum;
    metricSum += o.metricSum;
    rows += o.rows;
    steps = Math.max(steps, o.steps);
    return this;
  }
}
