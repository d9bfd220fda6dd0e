package org.sparkdl.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.backend.Window2d;

/**
 * SIMD max pooling of one float32 plane whose windows all lie inside it (no padding, no
 * dilation): for each output row, the maximum over the window's rows is taken lanewise along the
 * whole input row, then the maximum over each run of {@code kernelW} neighbours, again lanewise,
 * and every {@code strideW}-th of those is the output. The same maxima as the window-by-window
 * loop ({@link Math#max} semantics, NaN included), with a few vector operations per output
 * instead of a scalar comparison per input element. Only touch this class after checking {@link
 * Simd#AVAILABLE}.
 */
final class SimdPool {
  // 128 bits: feature-map rows are short (28, 14, 10 wide), and a wider vector would leave most of each row to the
  // scalar tail loop (on AVX-512, 12 of a 28-wide row)
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;

  private SimdPool() {}

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
    int kh = win.kernelH();
    int kw = win.kernelW();
    int span = w - kw + 1;
    for (int o = 0; o < oh; o++) {
      int r = o * win.strideH() * w;
      int j = 0;
      for (int bound = S.loopBound(w); j < bound; j += S.length()) {
        FloatVector m = FloatVector.fromArray(S, in, r + j);
        for (int i = 1; i < kh; i++) {
          m = m.max(FloatVector.fromArray(S, in, r + i * w + j));
        }
        m.intoArray(rows, j);
      }
      for (; j < w; j++) {
        float m = in[r + j];
        for (int i = 1; i < kh; i++) {
          m = Math.max(m, in[r + i * w + j]);
        }
        rows[j] = m;
      }
      j = 0;
      for (int bound = S.loopBound(span); j < bound; j += S.length()) {
        FloatVector m = FloatVector.fromArray(S, rows, j);
        for (int t = 1; t < kw; t++) {
          m = m.max(FloatVector.fromArray(S, rows, j + t));
        }
        m.intoArray(runs, j);
      }
      for (; j < span; j++) {
        float m = rows[j];
        for (int t = 1; t < kw; t++) {
          m = Math.max(m, rows[j + t]);
        }
        runs[j] = m;
      }
      for (int q = 0, sw = win.strideW(); q < ow; q++) {
        out[o * ow + q] = runs[q * sw];
      }
    }
  }
}
