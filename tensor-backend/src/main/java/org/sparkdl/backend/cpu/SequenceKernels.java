package org.sparkdl.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.sparkdl.backend.IndexOutOfRangeException;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * CPU kernels of embeddings (row gather and scatter-add) and of the LSTM and GRU cells, on
 * contiguous operands whose shapes {@link org.sparkdl.backend.Backend} has checked. A cell works
 * one batch row at a time: the row's gates and states are widened into double scratch arrays, the
 * gate functions run there, and the results are narrowed back, so both dtypes share one loop.
 */
final class SequenceKernels {
  private SequenceKernels() {}

  // ---------------------------------------------------------------- embeddings

  static void gatherRows(Tensor table, Tensor indices, Tensor out) {
    int rows = table.dim(0);
    int width = table.dim(1);
    int[] idx = indices(indices, rows);
    int to = (int) table.offset();
    int oo = (int) out.offset();
    if (table.dtype() == DType.FLOAT32) {
      FloatBuffer t = HostView.of(table).floats();
      FloatBuffer o = HostView.of(out).floats();
      for (int k = 0; k < idx.length; k++) {
        o.put(oo + k * width, t, to + idx[k] * width, width);
      }
    } else {
      DoubleBuffer t = HostView.of(table).doubles();
      DoubleBuffer o = HostView.of(out).doubles();
      for (int k = 0; k < idx.length; k++) {
        o.put(oo + k * width, t, to + idx[k] * width, width);
      }
    }
  }

  static void scatterAddRows(Tensor src, Tensor indices, Tensor table) {
    int width = table.dim(1);
    int[] idx = indices(indices, table.dim(0));
    HostView s = HostView.of(src);
    HostView t = HostView.of(table);
    int so = (int) src.offset();
    int to = (int) table.offset();
    for (int k = 0; k < idx.length; k++) {
      int from = so + k * width;
      int at = to + idx[k] * width;
      for (int j = 0; j < width; j++) {
        t.set(at + j, t.get(at + j) + s.get(from + j));
      }
    }
  }

  /** Every index as an int, each an integer in {@code [0, rows)}, all checked before any is used. */
  static int[] indices(Tensor indices, int rows) {
    HostView v = HostView.of(indices);
    int base = (int) indices.offset();
    int[] out = new int[indices.size()];
    for (int k = 0; k < out.length; k++) {
      double x = v.get(base + k);
      if (!(x >= 0 && x < rows && x == Math.rint(x))) {
        throw new IndexOutOfRangeException(k, x, rows);
      }
      out[k] = (int) x;
    }
    return out;
  }

  // ---------------------------------------------------------------- LSTM

  static void lstmCell(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h, Tensor y,
      boolean activations) {
    if (simd(gates, 4)) {
      SimdCellKernels.lstmCell(gates, bias, cPrev, hPrev, mask, c, h, y, activations);
      return;
    }
    int batch = gates.dim(0);
    int hidden = gates.dim(1) / 4;
    boolean exact = gates.dtype() == DType.FLOAT64;
    Rows g = new Rows(gates);
    Rows cp = new Rows(cPrev);
    Rows hp = new Rows(hPrev);
    Rows cr = new Rows(c);
    Rows hr = new Rows(h);
    Rows yr = y == null ? null : new Rows(y);
    double[] m = mask == null ? null : mask.toDoubleArray();
    double[] bs = bias == null ? null : bias.toDoubleArray();
    for (int b = 0; b < batch; b++) {
      double[] a = g.load(b);
      for (int j = 0; j < 4 * hidden; j++) {
        // in the tensors' precision, as the projections were before the bias was added in the same pass
        double x = bs == null ? a[j] : exact ? a[j] + bs[j] : (float) a[j] + (float) bs[j];
        a[j] = j >= 2 * hidden && j < 3 * hidden ? tanh(x, exact) : sigmoid(x);
      }
      g.store(b);
      if (m != null && m[b] == 0) {
        cr.copyRow(cp, b);
        hr.copyRow(hp, b);
        if (yr != null) {
          yr.zeroRow(b);
        }
        continue;
      }
      double[] prev = cp.load(b);
      double[] cv = cr.row();
      double[] hv = hr.row();
      for (int j = 0; j < hidden; j++) {
        cv[j] = a[hidden + j] * prev[j] + a[j] * a[2 * hidden + j];
        hv[j] = a[3 * hidden + j] * tanh(cv[j], exact);
      }
      cr.store(b);
      hr.store(b);
      if (yr != null) {
        yr.copyRow(hr, b);
      }
    }
  }

  static void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy, Tensor gh, Tensor gc,
      Tensor gGates) {
    if (simd(gates, 4)) {
      SimdCellKernels.lstmCellBackward(gates, cPrev, c, mask, gy, gh, gc, gGates);
      return;
    }
    int batch = gates.dim(0);
    int hidden = gates.dim(1) / 4;
    boolean exact = gates.dtype() == DType.FLOAT64;
    Rows g = new Rows(gates);
    Rows cp = new Rows(cPrev);
    Rows cr = new Rows(c);
    Rows gyr = gy == null ? null : new Rows(gy);
    Rows ghr = new Rows(gh);
    Rows gcr = new Rows(gc);
    Rows out = new Rows(gGates);
    double[] m = mask == null ? null : mask.toDoubleArray();
    for (int b = 0; b < batch; b++) {
      if (m != null && m[b] == 0) {
        out.zeroRow(b);
        continue;
      }
      double[] a = g.load(b);
      double[] prev = cp.load(b);
      double[] cv = cr.load(b);
      double[] dy = gyr == null ? null : gyr.load(b);
      double[] dh = ghr.load(b);
      double[] dc = gcr.load(b);
      double[] d = out.row();
      for (int j = 0; j < hidden; j++) {
        double i = a[j];
        double f = a[hidden + j];
        double gg = a[2 * hidden + j];
        double o = a[3 * hidden + j];
        double tc = tanh(cv[j], exact);
        double dhj = dh[j] + (dy == null ? 0 : dy[j]);
        double dcj = dc[j] + dhj * o * (1 - tc * tc);
        d[j] = dcj * gg * i * (1 - i);
        d[hidden + j] = dcj * prev[j] * f * (1 - f);
        d[2 * hidden + j] = dcj * i * (1 - gg * gg);
        d[3 * hidden + j] = dhj * tc * o * (1 - o);
        dc[j] = dcj * f;
        dh[j] = 0;
      }
      out.store(b);
      gcr.store(b);
      ghr.store(b);
    }
  }

  // ---------------------------------------------------------------- GRU

  static void gruCell(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y) {
    if (simd(xGates, 3)) {
      SimdCellKernels.gruCell(xGates, hGates, hPrev, mask, h, y);
      return;
    }
    int batch = xGates.dim(0);
    int hidden = xGates.dim(1) / 3;
    boolean exact = xGates.dtype() == DType.FLOAT64;
    Rows xg = new Rows(xGates);
    Rows hg = new Rows(hGates);
    Rows hp = new Rows(hPrev);
    Rows hr = new Rows(h);
    Rows yr = y == null ? null : new Rows(y);
    double[] m = mask == null ? null : mask.toDoubleArray();
    for (int b = 0; b < batch; b++) {
      double[] a = xg.load(b);
      double[] r = hg.load(b);
      double[] prev = hp.load(b);
      double[] hv = hr.row();
      for (int j = 0; j < hidden; j++) {
        double rj = sigmoid(a[j] + r[j]);
        double zj = sigmoid(a[hidden + j] + r[hidden + j]);
        double nj = tanh(a[2 * hidden + j] + rj * r[2 * hidden + j], exact);
        a[j] = rj;
        a[hidden + j] = zj;
        a[2 * hidden + j] = nj;
        hv[j] = (1 - zj) * nj + zj * prev[j];
      }
      xg.store(b);
      if (m != null && m[b] == 0) {
        hr.copyRow(hp, b);
        if (yr != null) {
          yr.zeroRow(b);
        }
        continue;
      }
      hr.store(b);
      if (yr != null) {
        yr.copyRow(hr, b);
      }
    }
  }

  static void gruCellBackward(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy, Tensor gh,
      Tensor gxGates, Tensor ghGates) {
    if (simd(gates, 3)) {
      SimdCellKernels.gruCellBackward(gates, hGates, hPrev, mask, gy, gh, gxGates, ghGates);
      return;
    }
    int batch = gates.dim(0);
    int hidden = gates.dim(1) / 3;
    Rows g = new Rows(gates);
    Rows hg = new Rows(hGates);
    Rows hp = new Rows(hPrev);
    Rows gyr = gy == null ? null : new Rows(gy);
    Rows ghr = new Rows(gh);
    Rows gx = new Rows(gxGates);
    Rows gr = new Rows(ghGates);
    double[] m = mask == null ? null : mask.toDoubleArray();
    for (int b = 0; b < batch; b++) {
      if (m != null && m[b] == 0) {
        gx.zeroRow(b);
        gr.zeroRow(b);
        continue;
      }
      double[] a = g.load(b);
      double[] rec = hg.load(b);
      double[] prev = hp.load(b);
      double[] dy = gyr == null ? null : gyr.load(b);
      double[] dh = ghr.load(b);
      double[] dx = gx.row();
      double[] dr = gr.row();
      for (int j = 0; j < hidden; j++) {
        double r = a[j];
        double z = a[hidden + j];
        double n = a[2 * hidden + j];
        double dhj = dh[j] + (dy == null ? 0 : dy[j]);
        double dn = dhj * (1 - z) * (1 - n * n);
        double dAr = dn * rec[2 * hidden + j] * r * (1 - r);
        double dAz = dhj * (prev[j] - n) * z * (1 - z);
        dx[j] = dAr;
        dx[hidden + j] = dAz;
        dx[2 * hidden + j] = dn;
        dr[j] = dAr;
        dr[hidden + j] = dAz;
        dr[2 * hidden + j] = dn * r;
        dh[j] = dhj * z;
      }
      gx.store(b);
      gr.store(b);
      ghr.store(b);
    }
  }

  /** Whether the SIMD twin runs: float32, the Vector API enabled, and rows of whole vectors. */
  private static boolean simd(Tensor gates, int gateCount) {
    return gates.dtype() == DType.FLOAT32 && Simd.AVAILABLE && SimdCellKernels.fits(gates.dim(1) / gateCount);
  }

  /**
   * {@code tanh}: exact in float64 (where gradients are checked), and through {@code exp} in
   * float32, which is several times faster than {@link Math#tanh} and exact to far below float
   * precision: the absolute error is that of a double, 1e-16.
   */
  private static double tanh(double x, boolean exact) {
    if (exact) {
      return Math.tanh(x);
    }
    return 1 - 2 / (Math.exp(2 * x) + 1);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** One row at a time of a contiguous matrix, widened into a reusable double array. */
  private static final class Rows {
    private final HostView view;
    private final int offset;
    private final int width;
    private final double[] row;
    private final float[] scratch;

    Rows(Tensor t) {
      this.view = HostView.of(t);
      this.offset = (int) t.offset();
      this.width = t.dim(1);
      this.row = new double[width];
      this.scratch = t.dtype() == DType.FLOAT32 ? new float[width] : null;
    }

    /** The scratch row, for results to {@link #store}. */
    double[] row() {
      return row;
    }

    double[] load(int b) {
      view.load(offset + b * width, row, scratch, width);
      return row;
    }

    void store(int b) {
      view.store(offset + b * width, row, scratch, width);
    }

    /** Row {@code b} of this matrix = row {@code b} of {@code other}'s storage (same width). */
    void copyRow(Rows other, int b) {
      view.store(offset + b * width, other.load(b), scratch, width);
    }

    void zeroRow(int b) {
      java.util.Arrays.fill(row, 0);
      store(b);
    }
  }
}
