package org.sparkdl.backend.cpu;

import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Walks several operands over one iteration shape, calling a body once per innermost run with each
 * operand's starting element and stride. Dimensions of size 1 are dropped and neighbouring
 * dimensions that are contiguous in every operand are merged, so a contiguous tensor is one run.
 */
final class StridedLoop {
  private StridedLoop() {}

  /** Handles one run: element {@code j} of operand {@code k} is at {@code start[k] + j * step[k]}. */
  interface Body {
    void run(int[] start, int n, int[] step);
  }

  /** Strides of {@code t} broadcast to {@code shape} (0 along broadcast and missing axes). */
  static long[] broadcastStrides(Tensor t, Shape shape) {
    long[] out = new long[shape.rank()];
    int lead = shape.rank() - t.rank();
    for (int i = 0; i < t.rank(); i++) {
      out[lead + i] = t.dim(i) == 1 && shape.dim(lead + i) != 1 ? 0 : t.stride(i);
    }
    return out;
  }

  static void run(Shape shape, Tensor[] operands, Body body) {
    long[][] strides = new long[operands.length][];
    long[] offsets = new long[operands.length];
    for (int k = 0; k < operands.length; k++) {
      strides[k] = broadcastStrides(operands[k], shape);
      offsets[k] = operands[k].offset();
    }
    run(shape.toArray(), strides, offsets, body);
  }

  static void run(int[] shape, long[][] strides, long[] offsets, Body body) {
    int ops = strides.length;
    for (int d : shape) {
      if (d == 0) {
        return;
      }
    }
    // coalesce: keep non-unit dims, merge a dim into the next inner one when contiguous for all operands
    int[] dims = new int[shape.length];
    long[][] st = new long[ops][shape.length];
    int rank = 0;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 1) {
        continue;
      }
      dims[rank] = shape[i];
      for (int k = 0; k < ops; k++) {
        st[k][rank] = strides[k][i];
      }
      rank++;
    }
    int r = 0;
    for (int i = 1; i < rank; i++) {
      boolean merge = true;
      for (int k = 0; k < ops && merge; k++) {
        merge = st[k][r] == st[k][i] * dims[i];
      }
      if (merge) {
        dims[r] *= dims[i];
        for (int k = 0; k < ops; k++) {
          st[k][r] = st[k][i];
        }
      } else {
        r++;
        dims[r] = dims[i];
        for (int k = 0; k < ops; k++) {
          st[k][r] = st[k][i];
        }
      }
    }
    rank = rank == 0 ? 0 : r + 1;
    int[] start = new int[ops];
    int[] step = new int[ops];
    if (rank == 0) {
      for (int k = 0; k < ops; k++) {
        start[k] = (int) offsets[k];
      }
      body.run(start, 1, step);
      return;
    }
    int inner = dims[rank - 1];
    for (int k = 0; k < ops; k++) {
      step[k] = (int) st[k][rank - 1];
    }
    int[] idx = new int[rank];
    long[] base = offsets.clone();
    while (true) {
      for (int k = 0; k < ops; k++) {
        start[k] = (int) base[k];
      }
      body.run(start, inner, step);
      int axis = rank - 2;
      while (axis >= 0) {
        idx[axis]++;
        for (int k = 0; k < ops; k++) {
          base[k] += st[k][axis];
        }
        if (idx[axis] < dims[axis]) {
          break;
        }
        for (int k = 0; k < ops; k++) {
          base[k] -= st[k][axis] * dims[axis];
        }
        idx[axis] = 0;
        axis--;
      }
      if (axis < 0) {
        return;
      }
    }
  }
}
