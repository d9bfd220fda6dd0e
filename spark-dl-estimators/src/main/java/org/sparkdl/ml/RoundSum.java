package org.sparkdl.ml;

import java.io.Serializable;

/**
 * What workers send up the aggregation tree in a round: a sum of float vectors in double (so the
 * total does not depend on the order partitions arrive in, for practical purposes), the weighted
 * loss, the weight total, rows, and a step count. In gradient mode the vector is the gradient of
 * {@code sum(w l)}; in average mode, parameters and optimizer state each multiplied by the rows
 * the worker trained on.
 */
final class RoundSum implements Serializable {
  private static final long serialVersionUID = 1L;
  double[] vector;
  double lossSum;
  double weightSum;
  double metricSum;
  long rows;
  long steps;

  static RoundSum empty() {
    return new RoundSum();
  }

  /** Adds {@code scale * values} to the vector at {@code offset}; the vector has {@code length} entries. */
  RoundSum addVector(float[] values, int offset, int length, double scale) {
    if (vector == null) {
      vector = new double[length];
    }
    for (int i = 0; i < values.length; i++) {
      vector[offset + i] += scale * values[i];
    }
    return this;
  }

  RoundSum merge(RoundSum o) {
    if (o.vector != null) {
      if (vector == null) {
        vector = o.vector.clone();
      } else {
        for (int i = 0; i < vector.length; i++) {
          vector[i] += o.vector[i];
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
