package org.sparkdl.backend;

import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The shape rules of the sparse-row kernels, checked by {@link Backend} before it calls a backend's
 * primitive, so that every backend rejects the same calls with the same words.
 */
final class SparseShapes {
  private SparseShapes() {}

  /**
   * {@code a [B, K]} with contiguous parts, {@code dense [K, N]}, {@code rows [B, N]}; {@code
   * written}, the one of the two the kernel writes, contiguous.
   */
  static void checkProduct(String op, CsrMatrix a, Tensor dense, Tensor rows, Tensor written) {
    WindowShapes.requireContiguous(op, "the row starts", a.rowStarts());
    WindowShapes.requireContiguous(op, "the columns", a.columns());
    WindowShapes.requireContiguous(op, "the values", a.values());
    if (dense.rank() != 2 || dense.dim(0) != a.width()) {
      throw new IllegalArgumentException(op + ": sparse rows " + a.shape() + " need a dense matrix [" + a.width()
          + ", n]; found " + dense.shape() + ".");
    }
    WindowShapes.expect(op, "the batch rows", Shape.of(a.rows(), dense.dim(1)), rows);
    WindowShapes.requireContiguous(op, "the output", written);
  }

  /**
   * {@code param [V, D]}, {@code rows [R]}, {@code grad [R, D]} and state buffers (nulls skipped) of
   * {@code param}'s shape, every one contiguous.
   */
  static void checkRows(String op, Tensor param, Tensor rows, Tensor grad, Tensor... state) {
    checkTable(op, param, rows);
    WindowShapes.expect(op, "the gradient", Shape.of(rows.dim(0), param.dim(1)), grad);
    WindowShapes.requireContiguous(op, "the gradient", grad);
    for (Tensor t : state) {
      if (t != null) {
        WindowShapes.expect(op, "a state buffer", param.shape(), t);
        WindowShapes.requireContiguous(op, "a state buffer", t);
      }
    }
  }

  /** A contiguous matrix {@code [rows, width]} and a contiguous vector of row indices. */
  static void checkTable(String op, Tensor table, Tensor rows) {
    if (table.rank() != 2) {
      throw new IllegalArgumentException(op + ": the parameter must be a matrix [rows, width]; found " + table.shape()
          + ".");
    }
    if (rows.rank() != 1) {
      throw new IllegalArgumentException(op + ": the row indices must be a vector; found " + rows.shape() + ".");
    }
    WindowShapes.requireContiguous(op, "the parameter", table);
    WindowShapes.requireContiguous(op, "the row indices", rows);
  }
}
