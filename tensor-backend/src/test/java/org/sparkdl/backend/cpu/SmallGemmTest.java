package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

class SmallGemmTest {
  @Test
  void piecesCoverTheDimensionEvenlyAndStayUnderTheKernelsBound() {
    int[][] shapes = {{16, 6272, 25}, {32, 800, 400}, {32, 128, 784}, {128, 784, 32}, {16, 25, 6272}, {64, 128, 784},
        {32, 256, 800}, {7, 100_000, 3}, {3, 3, 400_000}, {64, 64, 4000}};
    for (int[] s : shapes) {
      SmallGemm.Split split = SmallGemm.plan(s[0], s[1], s[2], false, false);
      String what = s[0] + "x" + s[1] + "x" + s[2];
      assertNotNull(split, what);
      int length = s[split.dim().ordinal()];
      assertTrue(split.size() * (split.count() - 1) < length && split.size() * split.count() >= length, what + " " + split);
      long piece = (long) s[0] * s[1] * s[2] / length * split.size();
      assertTrue(piece <= SmallGemm.LIMIT, what + " " + split + ": " + piece + " multiply-adds a piece");
      assertTrue(split.count() > 1, what);
    }
    // rows of C first, else columns, else the inner dimension
    assertEquals(SmallGemm.Dim.M, SmallGemm.plan(32, 128, 784, false, false).dim());
    assertEquals(SmallGemm.Dim.N, SmallGemm.plan(32, 800, 400, false, false).dim());
    assertEquals(SmallGemm.Dim.K, SmallGemm.plan(64, 64, 4000, false, false).dim());
    // B transposed: rows only where they are whole vectors, at most 256, over a long inner dimension, in pieces of a
    // multiple of 8 (or 4) rows; the inner dimension only beside a tiny C
    assertEquals(new SmallGemm.Split(SmallGemm.Dim.M, 8, 4), SmallGemm.plan(32, 128, 784, false, true));
    assertEquals(new SmallGemm.Split(SmallGemm.Dim.M, 4, 8), SmallGemm.plan(32, 256, 800, false, true));
    assertEquals(new SmallGemm.Split(SmallGemm.Dim.M, 8, 7), SmallGemm.plan(50, 128, 784, false, true));
    assertNull(SmallGemm.plan(64, 128, 400, false, true));
    assertNull(SmallGemm.plan(64, 120, 800, false, true));
    assertNull(SmallGemm.plan(64, 512, 128, false, true), "an LSTM's recurrent product: slower in every cut");
    assertEquals(SmallGemm.Dim.K, SmallGemm.plan(16, 25, 6272, false, true).dim());
    // both transposed: never rows
    assertEquals(SmallGemm.Dim.K, SmallGemm.plan(32, 128, 784, true, true).dim());
    assertEquals(SmallGemm.Dim.N, SmallGemm.plan(32, 800, 400, true, true).dim());
  }

  @Test
  void smallAndLargeProductsStayWhole() {
    assertNull(SmallGemm.plan(10, 100, 1000, false, false), "at the bound: already small");
    assertNull(SmallGemm.plan(1024, 256, 784, false, false), "large: packing pays");
  }

  /**
   * The products cut along each dimension, with transposed operands, strided views, beta and a
   * batch, equal the double-precision sums, and the same product left whole, to float rounding.
   */
  @Test
  void cutProductsEqualWholeOnesAndTheExactSums() {
    int[][] shapes = {{32, 128, 784}, {32, 800, 400}, {64, 64, 4000}, {16, 25, 6272}};
    SmallGemm.Dim[] expected = {SmallGemm.Dim.M, SmallGemm.Dim.N, SmallGemm.Dim.K, SmallGemm.Dim.M};
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("small-gemm")) {
      Random r = new Random(5);
      for (int c = 0; c < shapes.length; c++) {
        int m = shapes[c][0];
        int n = shapes[c][1];
        int k = shapes[c][2];
        for (int t = 0; t < 4; t++) {
          boolean ta = (t & 1) != 0;
          boolean tb = (t & 2) != 0;
          SmallGemm.Split split = SmallGemm.plan(m, n, k, ta, tb);
          if (!tb) {
            assertEquals(expected[c], split.dim());
          }
          int batch = 2;
          // stored with one spare column each, so the operands are strided views
          Tensor a = random(s, r, batch, ta ? k : m, (ta ? m : k) + 1).slice(2, 0, ta ? m : k);
          Tensor b = random(s, r, batch, tb ? n : k, (tb ? k : n) + 1).slice(2, 0, tb ? k : n);
          Tensor c0 = random(s, r, batch, m, n);
          double[][] exact = new double[batch][];
          for (int i = 0; i < batch; i++) {
            exact[i] = product(s, a.slice(0, i, i + 1).contiguous(s).reshape(a.dim(1), a.dim(2)), ta,
                b.slice(0, i, i + 1).contiguous(s).reshape(b.dim(1), b.dim(2)), tb, c0.slice(0, i, i + 1).reshape(m, n), 0.5,
                -0.25);
          }
          Tensor cut = s.allocate(DType.FLOAT32, c0.shape());
          be.copy(c0, cut);
          be.smallGemm(true);
          be.gemmBatched(a, ta, b, tb, cut, 0.5, -0.25);
          Tensor whole = s.allocate(DType.FLOAT32, c0.shape());
          be.copy(c0, whole);
          be.smallGemm(false);
          be.gemmBatched(a, ta, b, tb, whole, 0.5, -0.25);
          double[] got = cut.toDoubleArray();
          double[] ref = whole.toDoubleArray();
          String what = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "");
          for (int i = 0; i < got.length; i++) {
            double e = exact[i / (m * n)][i % (m * n)];
            double tol = 1e-5 * Math.sqrt(k) * 4;
            assertEquals(e, got[i], tol, what + ": cut, entry " + i);
            assertEquals(ref[i], got[i], 2 * tol, what + ": cut against whole, entry " + i);
          }
        }
      }
    }
  }

  private static Tensor random(Scope s, Random r, int... dims) {
    double[] v = new double[Shape.of(dims).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return s.of(DType.FLOAT32, Shape.of(dims), v);
  }

  /** {@code alpha op(a) op(b) + beta c} in double, where {@code a} and {@code b} are stored transposed when flagged. */
  private static double[] product(Scope s, Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, double alpha,
      double beta) {
    int m = c.dim(0);
    int n = c.dim(1);
    int k = ta ? a.dim(0) : a.dim(1);
    double[] av = a.toDoubleArray();
    double[] bv = b.toDoubleArray();
    double[] cv = c.contiguous(s).toDoubleArray();
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += (ta ? av[p * m + i] : av[i * k + p]) * (tb ? bv[j * k + p] : bv[p * n + j]);
        }
        out[i * n + j] = alpha * sum + beta * cv[i * n + j];
      }
    }
    return out;
  }
}
