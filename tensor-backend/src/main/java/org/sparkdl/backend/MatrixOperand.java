package org.sparkdl.backend;

import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * A gemm operand as BLAS wants it: a row-major matrix (or a batch of them along the axis just
 * before the matrix axes, with its stride) with a leading dimension, where a column-major view (a
 * transposed tensor) becomes the row-major transpose. Operands that are neither are copied into
 * {@code tmp}.
 */
record MatrixOperand(Tensor tensor, boolean trans, long ld, long batchStride) {

  static MatrixOperand of(Tensor t, boolean trans, Scope tmp) {
    int rows = t.dim(-2);
    int cols = t.dim(-1);
    long rs = t.stride(-2);
    long cs = t.stride(-1);
    long bs = t.rank() >= 3 ? t.stride(-3) : 0;
    if (cs == 1 || cols == 1) {
      return new MatrixOperand(t, trans, Math.max(rows == 1 ? Math.max(cols, 1) : rs, Math.max(cols, 1)), bs);
    }
    if (rs == 1 || rows == 1) {
      // memory holds the transpose row-major: flip the flag, the leading dimension is the column stride
      return new MatrixOperand(t, !trans, Math.max(cols == 1 ? Math.max(rows, 1) : cs, Math.max(rows, 1)), bs);
    }
    Tensor c = tmp.allocate(t.dtype(), t.shape());
    Backend.of(t).copy(t, c);
    return new MatrixOperand(c, trans, Math.max(cols, 1), t.rank() >= 3 ? (long) rows * cols : 0);
  }
}
