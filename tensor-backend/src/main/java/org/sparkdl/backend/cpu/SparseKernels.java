package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.BitSet;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * The sparse-row kernels: products of CSR rows with a dense matrix, and the lazy optimizer
 * updates of the rows a batch touched. Float32, the training case, moves whole rows through heap
 * arrays so that the inner loops vectorise; float64 (used by tests) goes through {@link HostView}.
 * Every index is read and checked before anything is written.
 */
final class SparseKernels {
  private SparseKernels() {}

  static void matmul(CsrMatrix a, Tensor b, Tensor c) {
    int[] starts = rowStarts(a);
    int[] cols = columns(a);
    int n = b.dim(1);
    int bo = (int) b.offset();
    int co = (int) c.offset();
    if (c.dtype() == DType.FLOAT32) {
      FloatBuffer bv = HostView.of(b).floats();
      FloatBuffer cv = HostView.of(c).floats();
      float[] vals = floats(a.values());
      float[] acc = new float[n];
      float[] row = new float[n];
      for (int i = 0; i < starts.length - 1; i++) {
        Arrays.fill(acc, 0f);
        for (int k = starts[i]; k < starts[i + 1]; k++) {
          float v = vals[k];
          bv.get(bo + cols[k] * n, row, 0, n);
          for (int j = 0; j < n; j++) {
            acc[j] += v * row[j];
          }
        }
        cv.put(co + i * n, acc, 0, n);
      }
      return;
    }
    HostView bv = HostView.of(b);
    HostView cv = HostView.of(c);
    HostView vals = HostView.of(a.values());
    int vo = (int) a.values().offset();
    double[] acc = new double[n];
    for (int i = 0; i < starts.length - 1; i++) {
      Arrays.fill(acc, 0);
      for (int k = starts[i]; k < starts[i + 1]; k++) {
        double v = vals.get(vo + k);
        int base = bo + cols[k] * n;
        for (int j = 0; j < n; j++) {
          acc[j] += v * bv.get(base + j);
        }
      }
      for (int j = 0; j < n; j++) {
        cv.set(co + i * n + j, acc[j]);
      }
    }
  }

  static void transposedAdd(CsrMatrix a, Tensor g, Tensor out) {
    int[] starts = rowStarts(a);
    int[] cols = columns(a);
    int n = g.dim(1);
    int go = (int) g.offset();
    int oo = (int) out.offset();
    if (out.dtype() == DType.FLOAT32) {
      FloatBuffer gv = HostView.of(g).floats();
      FloatBuffer ov = HostView.of(out).floats();
      float[] vals = floats(a.values());
      float[] grow = new float[n];
      float[] row = new float[n];
      for (int i = 0; i < starts.length - 1; i++) {
        if (starts[i] == starts[i + 1]) {
          continue;
        }
        gv.get(go + i * n, grow, 0, n);
        for (int k = starts[i]; k < starts[i + 1]; k++) {
          float v = vals[k];
          int base = oo + cols[k] * n;
          ov.get(base, row, 0, n);
          for (int j = 0; j < n; j++) {
            row[j] += v * grow[j];
          }
          ov.put(base, row, 0, n);
        }
      }
      return;
    }
    HostView gv = HostView.of(g);
    HostView ov = HostView.of(out);
    HostView vals = HostView.of(a.values());
    int vo = (int) a.values().offset();
    for (int i = 0; i < starts.length - 1; i++) {
      for (int k = starts[i]; k < starts[i + 1]; k++) {
        double v = vals.get(vo + k);
        int base = oo + cols[k] * n;
        for (int j = 0; j < n; j++) {
          ov.set(base + j, ov.get(base + j) + v * gv.get(go + i * n + j));
        }
      }
    }
  }

  static void zeroRows(Tensor table, Tensor rows) {
    int[] r = SequenceKernels.indices(rows, table.dim(0));
    int width = table.dim(1);
    int to = (int) table.offset();
    if (table.dtype() == DType.FLOAT32) {
      FloatBuffer t = HostView.of(table).floats();
      float[] zeros = new float[width];
      for (int row : r) {
        t.put(to + row * width, zeros, 0, width);
      }
      return;
    }
    HostView t = HostView.of(table);
    for (int row : r) {
      int base = to + row * width;
      for (int j = 0; j < width; j++) {
        t.set(base + j, 0);
      }
    }
  }

  /**
   * The row indices of a lazy update as ints, each checked to be an integer in {@code [0,
   * limit)} and to appear once, before the caller updates anything.
   */
  static int[] distinctRows(Tensor rows, int limit) {
    int[] r = SequenceKernels.indices(rows, limit);
    BitSet seen = new BitSet(limit);
    for (int k = 0; k < r.length; k++) {
      if (seen.get(r[k])) {
        throw new IllegalArgumentException("Row " + r[k] + " appears twice in the rows of a lazy update (at position "
            + k + "); each row takes one update a step.");
      }
      seen.set(r[k]);
    }
    return r;
  }

  /** Row {@code i} of a matrix as a {@code [1, width]} view. */
  static Tensor row(Tensor matrix, int i) {
    return matrix == null ? null : matrix.slice(0, i, i + 1);
  }

  /**
   * Row starts as ints relative to the first (so that a slice of the rows of a larger matrix is
   * read in place), checked to be integers that never decrease and span exactly the entries.
   */
  private static int[] rowStarts(CsrMatrix a) {
    HostView v = HostView.of(a.rowStarts());
    int base = (int) a.rowStarts().offset();
    int[] s = new int[a.rows() + 1];
    int entries = a.entries();
    double first = v.get(base);
    for (int i = 0; i < s.length; i++) {
      double x = v.get(base + i) - first;
      int previous = i == 0 ? 0 : s[i - 1];
      if (!(x >= previous && x <= entries && x == Math.rint(x)) || first < 0 || first != Math.rint(first)) {
        throw new IllegalArgumentException("Sparse rows: row start " + v.get(base + i) + " at position " + i + " is invalid;"
            + " row starts must be integers that never decrease and span the " + entries + " entries.");
      }
      s[i] = (int) x;
    }
    if (s[s.length - 1] != entries) {
      throw new IllegalArgumentException("Sparse rows: the row starts span " + s[s.length - 1] + " entries; there are "
          + entries + ".");
    }
    return s;
  }

  private static int[] columns(CsrMatrix a) {
    return SequenceKernels.indices(a.columns(), a.width());
  }

  private static float[] floats(Tensor t) {
    float[] f = new float[t.size()];
    HostView.of(t).floats().get((int) t.offset(), f, 0, f.length);
    return f;
  }
}
