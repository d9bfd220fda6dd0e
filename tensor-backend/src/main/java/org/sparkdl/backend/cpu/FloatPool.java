package org.sparkdl.backend.cpu;

import org.sparkdl.backend.Window2d;

/**
 * Max pooling of one float32 plane whose windows all lie inside it (no padding, no dilation): for
 * each output row, the maximum over the window's rows is taken element by element along the whole
 * input row, then the maximum over each run of {@code kernelW} neighbours, and every {@code
 * strideW}-th of those is the output. The same maxima as the window-by-window loop ({@link
 * Math#max} semantics, NaN included); the first two steps are plain loops over whole rows, which
 * HotSpot compiles to SIMD instructions by itself.
 *
 * <p>Not the Vector API: a version on 128-bit vectors, run in the same JVM as the LSTM's Vector API
 * cell kernels ({@link SimdCellKernels}, on the preferred species), left those compiled with boxed
 * vectors (LSTM scoring in Spark after a LeNet's: 8,300-13,100 rows/s, against 19,500-20,600 with
 * these loops).
 */
final class FloatPool {
  private FloatPool() {}

  /** Whether {@link #maxPlane} computes {@code w}'s windows: no padding and no dilation. */
  static boolean covers(Window2d w) {
    return w.padTop() == 0 && w.padBottom() == 0 && w.padLeft() == 0 && w.padRight() == 0 && w.dilationH() == 1
        && w.dilationW() == 1;
  }

  /**
   * Max-pools plane {@code in} ({@code h x w}) into {@code out} ({@code oh x ow}); {@code rows} and
   * {@code runs} are scratch arrays of at least {@code w} floats.
   */
  static void maxPlane(float[] in, int w, Window2d win, int oh, int ow, float[] rows, float[] runs, float[] out) {
    if (win.kernelH() == 2 && win.kernelW() == 2 && win.strideH() == 2 && win.strideW() == 2) {
      max2x2(in, w, oh, ow, out);
      return;
    }
    int kh = win.kernelH();
    int kw = win.kernelW();
    int sw = win.strideW();
    int span = w - kw + 1;
    for (int o = 0; o < oh; o++) {
      int r = o * win.strideH() * w;
      System.arraycopy(in, r, rows, 0, w);
      for (int i = 1; i < kh; i++) {
        int at = r + i * w;
        for (int j = 0; j < w; j++) {
          rows[j] = Math.max(rows[j], in[at + j]);
        }
      }
      System.arraycopy(rows, 0, runs, 0, span);
      for (int t = 1; t < kw; t++) {
        for (int j = 0; j < span; j++) {
          runs[j] = Math.max(runs[j], rows[j + t]);
        }
      }
      for (int q = 0, base = o * ow; q < ow; q++) {
        out[base + q] = runs[q * sw];
      }
    }
  }

  /**
   * 2x2 windows at stride 2, the usual pooling: each output the maximum of its four inputs, read in
   * place. The same maxima as the row loops above ({@link Math#max} gives the same bits in any
   * order, NaN and signed zeros included), and 2-2.5x faster on a LeNet's 28- and 10-wide planes,
   * whose rows are too short for those loops to pay for their setup.
   */
  private static void max2x2(float[] in, int w, int oh, int ow, float[] out) {
    for (int o = 0; o < oh; o++) {
      int top = 2 * o * w;
      int bottom = top + w;
      int base = o * ow;
      for (int q = 0; q < ow; q++) {
        int j = 2 * q;
        out[base + q] = Math.max(Math.max(in[top + j], in[top + j + 1]), Math.max(in[bottom + j], in[bottom + j + 1]));
      }
    }
  }
}
