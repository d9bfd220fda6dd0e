package org.sparkdl.backend;

import java.util.Arrays;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The shape rules of the embedding and recurrent-cell kernels, checked by {@link Backend} before it
 * calls a backend's primitive, so that every backend rejects the same calls with the same words.
 */
final class SequenceShapes {
  private SequenceShapes() {}

  /** {@code table [V, D]}, {@code indices} of any shape {@code S}, {@code rows [*S, D]}. */
  static void checkRows(String op, Tensor table, Tensor indices, Tensor rows) {
    if (table.rank() != 2) {
      throw new IllegalArgumentException(op + ": the table must be a matrix [rows, width]; found " + table.shape()
          + ".");
    }
    int[] dims = Arrays.copyOf(indices.shape().toArray(), indices.rank() + 1);
    dims[indices.rank()] = table.dim(1);
    Shape expected = Shape.of(dims);
    if (!rows.shape().equals(expected)) {
      throw new IllegalArgumentException(op + ": indices " + indices.shape() + " into a table " + table.shape()
          + " need rows of shape " + expected + "; found " + rows.shape() + ".");
    }
    if (op.equals("gatherRows")) {
      WindowShapes.requireContiguous(op, "out", rows);
    } else {
      WindowShapes.requireContiguous(op, "table", table);
    }
  }

  /**
   * A cell's {@code gates [B, k H]}, optional {@code mask [B]}, and state-shaped operands {@code [B,
   * H]} (nulls skipped); every operand contiguous.
   */
  static void checkCell(String op, int gateCount, Tensor gates, Tensor mask, Tensor... states) {
    if (gates.rank() != 2 || gates.dim(1) % gateCount != 0) {
      throw new IllegalArgumentException(op + ": gates must be [batch, " + gateCount + " * hidden]; found "
          + gates.shape() + ".");
    }
    Shape state = Shape.of(gates.dim(0), gates.dim(1) / gateCount);
    WindowShapes.requireContiguous(op, "gates", gates);
    if (mask != null) {
      WindowShapes.expect(op, "the mask", Shape.of(gates.dim(0)), mask);
      WindowShapes.requireContiguous(op, "the mask", mask);
    }
    for (Tensor t : states) {
      if (t != null) {
        WindowShapes.expect(op, "a state", state, t);
        WindowShapes.requireContiguous(op, "a state", t);
      }
    }
  }

  /** {@code bias} is a contiguous vector as wide as a row of {@code gates}. */
  static void checkBias(String op, Tensor gates, Tensor bias) {
    WindowShapes.expect(op, "the bias", Shape.of(gates.dim(1)), bias);
    WindowShapes.requireContiguous(op, "the bias", bias);
  }

  /** {@code t} has the shape of {@code gates} and is contiguous. */
  static void checkSame(String op, String what, Tensor gates, Tensor t) {
    WindowShapes.expect(op, what, gates.shape(), t);
    WindowShapes.requireContiguous(op, what, t);
  }
}
