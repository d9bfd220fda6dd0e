package org.sparkdl.nn;

import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Masks of sequences padded to {@code T} steps, built from each example's valid length with
 * backend kernels: a length input holds, per example, a whole number {@code L} in {@code [1, T]},
 * and steps {@code 0 .. L-1} are the real ones. Masks are constants (no gradient).
 *
 * <p>Additive masks use {@link #BLOCKED} rather than minus infinity: a softmax row then never
 * becomes NaN, and {@code exp(BLOCKED - max)} is exactly 0 in float32 and float64 alike.
 */
final class SequenceMasks {
  /** What an additive mask adds to a score that must not be attended. */
  static final double BLOCKED = -1e9;

  private SequenceMasks() {}

  /**
   * The lengths of a batch as {@code [B, 1]}, checked to be whole numbers in {@code [1, steps]}
   * (the check reads the {@code B} lengths to the host once per pass; the masks stay on the backend).
   *
   * @throws IllegalArgumentException naming the layer, the first offending row and its value
   */
  static Tensor lengths(String layer, Var lengths, int batch, int steps) {
    Tensor l = lengths.value();
    if (!l.shape().equals(Shape.of(batch, 1))) {
      throw new IllegalArgumentException("Layer '" + layer + "': the lengths must have shape [" + batch + ", 1] (one"
          + " per example); found " + l.shape() + ".");
    }
    double[] values = l.toDoubleArray();
    for (int row = 0; row < values.length; row++) {
      double v = values[row];
      if (!(v >= 1 && v <= steps && v == Math.rint(v))) {
        throw new IllegalArgumentException("Layer '" + layer + "': row " + row + " has length " + v
            + "; lengths must be whole numbers from 1 to " + steps + " (the steps of the sequence).");
      }
    }
    return l;
  }

  /** {@code [B, T]}: 1 at the valid steps of each example, 0 at the padding. */
  static Tensor valid(Scope scope, Tensor lengths, int steps) {
    Backend be = Backend.of(scope);
    Tensor out = scope.allocate(lengths.dtype(), Shape.of(lengths.dim(0), steps));
    be.zip(BinaryOp.SUB, lengths, positions(scope, lengths.dtype(), steps, 0), out); // L - t, >= 1 exactly when valid
    return step(scope, out);
  }

  /** {@code [B, 1, 1, T]}: 0 at the keys an example may attend, {@link #BLOCKED} at its padding. */
  static Tensor keyPadding(Scope scope, Tensor lengths, int steps) {
    Backend be = Backend.of(scope);
    Tensor out = scope.allocate(lengths.dtype(), Shape.of(lengths.dim(0), steps));
    be.zip(BinaryOp.SUB, positions(scope, lengths.dtype(), steps, 1), lengths, out); // t + 1 - L, >= 1 exactly when padding
    be.map(UnaryOp.SCALE, step(scope, out), out, BLOCKED);
    return out.reshape(lengths.dim(0), 1, 1, steps);
  }

  /** {@code [T, T]}: 0 where the key's step is at most the query's, {@link #BLOCKED} above the diagonal. */
  static Tensor causal(Scope scope, DType dtype, int steps) {
    Backend be = Backend.of(scope);
    Tensor row = positions(scope, dtype, steps, 0);
    Tensor out = scope.allocate(dtype, Shape.of(steps, steps));
    be.zip(BinaryOp.SUB, row, row.reshape(steps, 1), out); // key - query, >= 1 exactly when in the future
    be.map(UnaryOp.SCALE, step(scope, out), out, BLOCKED);
    return out;
  }

  /** {@code [1, T]} holding {@code offset, offset + 1, ..., offset + T - 1}. */
  private static Tensor positions(Scope scope, DType dtype, int steps, int offset) {
    double[] p = new double[steps];
    for (int t = 0; t < steps; t++) {
      p[t] = t + offset;
    }
    return scope.of(dtype, Shape.of(1, steps), p);
  }

  /** {@code min(max(x, 0), 1)} in place: for whole numbers, 1 where {@code x >= 1} and 0 where {@code x <= 0}. */
  private static Tensor step(Scope scope, Tensor x) {
    Backend be = Backend.of(scope);
    Tensor one = scope.allocate(x.dtype(), Shape.of(1));
    be.fill(one, 1);
    be.map(UnaryOp.RELU, x, x, 0);
    be.zip(BinaryOp.MIN, x, one, x);
    return x;
  }
}
