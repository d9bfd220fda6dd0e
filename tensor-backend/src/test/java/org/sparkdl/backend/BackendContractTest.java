package org.sparkdl.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What every backend must do, checked against plain Java references. A backend's test extends
 * this and supplies {@link #createBackend()}; the CUDA backend runs the same cases.
 */
public abstract class BackendContractTest {
  protected Backend be;
  protected Scope scope;

  protected abstract Backend createBackend();

  /** Float64 support (the CPU backend has it; a GPU backend may not). */
  protected boolean supportsFloat64() {
    return true;
  }

  @BeforeEach
  void open() {
    be = createBackend();
    scope = be.openScope("test");
  }

  @AfterEach
  void closeAndCheckLeaks() {
    scope.close();
    assertEquals(0, be.liveBytes(), "bytes still allocated after the test's scope closed");
    be.close();
  }

  protected static double[] random(int n, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian();
    }
    return a;
  }

  private Tensor tensor(DType dt, double[] values, int... dims) {
    return scope.of(dt, Shape.of(dims), values);
  }

  /** Reference {@code op(a) op(b)} for row-major arrays. */
  private static double[] matmul(double[] a, boolean ta, int ar, int ac, double[] b, boolean tb, int br, int bc) {
    int m = ta ? ac : ar;
    int k = ta ? ar : ac;
    int n = tb ? br : bc;
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = ta ? a[p * ac + i] : a[i * ac + p];
          double bv = tb ? b[j * bc + p] : b[p * bc + j];
          s += av * bv;
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }

  private static void assertClose(double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, "length");
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      assertTrue(d <= tol * Math.max(1, Math.abs(expected[i])),
          "element " + i + ": expected " + expected[i] + ", found " + actual[i]);
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void gemmMatchesReferenceForAllTransposes(DType dt) {
    if (dt == DType.FLOAT64 && !supportsFloat64()) {
      return;
    }
    int m = 7;
    int k = 5;
    int n = 3;
    double tol = dt == DType.FLOAT32 ? 1e-5 : 1e-12;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        double[] a = random(m * k, 1);
        double[] b = random(k * n, 2);
        double[] c0 = random(m * n, 3);
        Tensor ta2 = ta ? tensor(dt, a, k, m) : tensor(dt, a, m, k);
        Tensor tb2 = tb ? tensor(dt, b, n, k) : tensor(dt, b, k, n);
        Tensor c = tensor(dt, c0, m, n);
        be.gemm(ta2, ta, tb2, tb, c, 2.0, 0.5);
        double[] ref = matmul(a, ta, ta ? k : m, ta ? m : k, b, tb, tb ? n : k, tb ? k : n);
        for (int i = 0; i < ref.length; i++) {
          ref[i] = 2 * ref[i] + 0.5 * c0[i];
        }
        assertClose(ref, c.toDoubleArray(), tol);
      }
    }
  }

  @Test
  void gemmReadsTransposedAndSlicedViewsWithoutCopyingWrongly() {
    double[] a = random(6 * 4, 4);
    double[] b = random(4 * 5, 5);
    Tensor at = tensor(DType.FLOAT64, a, 4, 6).t();            // a column-major [6, 4] view
    Tensor bs = tensor(DType.FLOAT64, random(4 * 9, 6), 4, 9).slice(1, 2, 7); // [4, 5] with row stride 9
    Tensor c = scope.allocate(DType.FLOAT64, Shape.of(6, 5));
    be.gemm(at, false, bs, false, c, 1, 0);
    double[] bdense = bs.toDoubleArray();
    assertClose(matmul(a, true, 4, 6, bdense, false, 4, 5), c.toDoubleArray(), 1e-12);
    // a doubly strided operand (every other row and column) is copied first
    Tensor big = tensor(DType.FLOAT64, random(12 * 10, 7), 12, 10);
    Tensor odd = big.slice(0, 0, 12).transpose(0, 1).slice(0, 0, 4).transpose(0, 1).slice(0, 0, 6);
    Tensor c2 = scope.allocate(DType.FLOAT64, Shape.of(6, 5));
    be.gemm(odd, false, bs, false, c2, 1, 0);
    assertClose(matmul(odd.toDoubleArray(), false, 6, 4, bdense, false, 4, 5), c2.toDoubleArray(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> be.gemm(at, true, bs, false, c, 1, 0));
  }

  @Test
  void batchedGemmSharesAMatrixOperand() {
    int batch = 3;
    double[] a = random(batch * 2 * 4, 8);
    double[] w = random(5 * 4, 9);
    Tensor ta = tensor(DType.FLOAT64, a, batch, 2, 4);
    Tensor tw = tensor(DType.FLOAT64, w, 5, 4);
    Tensor c = scope.allocate(DType.FLOAT64, Shape.of(batch, 2, 5));
    be.gemm(ta, false, tw, true, c, 1, 0);
    double[] out = c.toDoubleArray();
    for (int i = 0; i < batch; i++) {
      double[] ai = java.util.Arrays.copyOfRange(a, i * 8, i * 8 + 8);
      double[] ref = matmul(ai, false, 2, 4, w, true, 5, 4);
      assertClose(ref, java.util.Arrays.copyOfRange(out, i * 10, i * 10 + 10), 1e-12);
    }
  }

  /** Reference {@code alpha op(a[i]) op(b[i]) + beta c0[i]} over the leading axes of row-major arrays. */
  private static double[] batchedReference(double[] a, boolean ta, double[] b, boolean tb, double[] c0, int batch,
      int m, int k, int n, double alpha, double beta) {
    double[] out = new double[batch * m * n];
    for (int i = 0; i < batch; i++) {
      double[] ai = java.util.Arrays.copyOfRange(a, i * m * k, (i + 1) * m * k);
      double[] bi = java.util.Arrays.copyOfRange(b, i * k * n, (i + 1) * k * n);
      double[] ci = matmul(ai, ta, ta ? k : m, ta ? m : k, bi, tb, tb ? n : k, tb ? k : n);
      for (int j = 0; j < m * n; j++) {
        out[i * m * n + j] = alpha * ci[j] + beta * c0[i * m * n + j];
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void gemmBatchedReadsAndWritesInterleavedBatchAxesWithoutCopies(DType dt) {
    if (dt == DType.FLOAT64 && !supportsFloat64()) {
      return;
    }
    double tol = dt == DType.FLOAT32 ? 1e-5 : 1e-12;
    // heads interleaved as in attention: [B, T, H, d] memory read as [B, H, T, d]
    Tensor q = tensor(dt, random(2 * 4 * 3 * 5, 21), 2, 4, 3, 5).transpose(1, 2);
    Tensor k = tensor(dt, random(2 * 6 * 3 * 5, 22), 2, 6, 3, 5).transpose(1, 2);
    Tensor c = tensor(dt, random(2 * 4 * 3 * 6, 23), 2, 4, 3, 6).transpose(1, 2);
    double[] c0 = c.toDoubleArray();
    be.gemmBatched(q, false, k, true, c, 2.0, 0.5);
    assertClose(batchedReference(q.toDoubleArray(), false, k.toDoubleArray(), true, c0, 6, 4, 5, 6, 2.0, 0.5),
        c.toDoubleArray(), tol);
    // rank 3, every transpose: column-major matrices are read in place, a doubly strided one is copied
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = ta ? tensor(dt, random(5 * 7 * 4, 24), 5, 7, 4) : tensor(dt, random(5 * 7 * 4, 25), 5, 7, 4)
            .transpose(1, 2);
        Tensor b = tb ? tensor(dt, random(5 * 3 * 7, 26), 5, 3, 7) : tensor(dt, random(3 * 7 * 5, 27), 3, 7, 5)
            .transpose(0, 2);
        Tensor out = scope.allocate(dt, Shape.of(5, 4, 3));
        be.gemmBatched(a, ta, b, tb, out, 1, 0);
        assertClose(batchedReference(a.toDoubleArray(), ta, b.toDoubleArray(), tb, new double[5 * 4 * 3], 5, 4, 7, 3,
            1, 0), out.toDoubleArray(), tol);
      }
    }
  }

  @Test
  void gemmBatchedRejectsMismatchedOperands() {
    Tensor a = scope.allocate(DType.FLOAT64, Shape.of(2, 3, 4, 5));
    Tensor b = scope.allocate(DType.FLOAT64, Shape.of(2, 3, 5, 6));
    Tensor c = scope.allocate(DType.FLOAT64, Shape.of(2, 3, 4, 6));
    assertEquals("gemmBatched needs operands of equal rank >= 3 and equal batch axes ([..., m, k] x [..., k, n] ->"
        + " [..., m, n]); found [2, 3, 4, 5], [3, 3, 5, 6] -> [2, 3, 4, 6].",
        assertThrows(IllegalArgumentException.class, () -> be.gemmBatched(a, false,
            scope.allocate(DType.FLOAT64, Shape.of(3, 3, 5, 6)), false, c, 1, 0)).getMessage());
    assertEquals("gemmBatched needs operands of equal rank >= 3 and equal batch axes ([..., m, k] x [..., k, n] ->"
        + " [..., m, n]); found [4, 5], [5, 6] -> [4, 6].",
        assertThrows(IllegalArgumentException.class, () -> be.gemmBatched(scope.allocate(DType.FLOAT64, Shape.of(4, 5)),
            false, scope.allocate(DType.FLOAT64, Shape.of(5, 6)), false, scope.allocate(DType.FLOAT64, Shape.of(4, 6)),
            1, 0)).getMessage());
    assertEquals("gemmBatched shapes do not agree: [2, 3, 4, 5] x [2, 3, 5, 6]ᵀ -> [2, 3, 4, 6].",
        assertThrows(IllegalArgumentException.class, () -> be.gemmBatched(a, false, b, true, c, 1, 0)).getMessage());
    assertEquals("gemmBatched output must be row-major; found a [2, 3, 6, 4] view with strides [72, 24, 1, 6].",
        assertThrows(IllegalArgumentException.class,
            () -> be.gemmBatched(b, true, a, true, c.transpose(2, 3), 1, 0)).getMessage());
  }

  @Test
  void zipBroadcastsLikeNumpy() {
    Tensor a = tensor(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor row = tensor(DType.FLOAT64, new double[] {10, 20, 30}, 3);
    Tensor col = tensor(DType.FLOAT64, new double[] {100, 200}, 2, 1);
    Tensor out = scope.allocate(DType.FLOAT64, Shape.of(2, 3));
    be.zip(BinaryOp.ADD, a, row, out);
    assertArrayEquals(new double[] {11, 22, 33, 14, 25, 36}, out.toDoubleArray());
    be.zip(BinaryOp.MUL, col, a, out);
    assertArrayEquals(new double[] {100, 200, 300, 800, 1000, 1200}, out.toDoubleArray());
    be.zip(BinaryOp.SUB, a.t().t(), a, out);
    assertArrayEquals(new double[6], out.toDoubleArray());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> be.zip(BinaryOp.ADD, a, tensor(DType.FLOAT64, new double[] {1, 2}, 2), out));
    assertEquals("Shapes [2, 3] and [2] do not broadcast.", e.getMessage());
  }

  @Test
  void reduceFollowsTheOutputShape() {
    Tensor x = tensor(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor cols = scope.allocate(DType.FLOAT64, Shape.of(3));
    be.reduce(ReduceOp.SUM, x, cols);
    assertArrayEquals(new double[] {5, 7, 9}, cols.toDoubleArray());
    Tensor rows = scope.allocate(DType.FLOAT64, Shape.of(2, 1));
    be.reduce(ReduceOp.MAX, x, rows);
    assertArrayEquals(new double[] {3, 6}, rows.toDoubleArray());
    Tensor all = scope.allocate(DType.FLOAT64, Shape.scalar());
    be.reduce(ReduceOp.MEAN, x, all);
    assertEquals(3.5, all.item(), 1e-15);
    be.reduce(ReduceOp.SUM_SQUARES, x.t(), all);
    assertEquals(91, all.item(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> be.reduce(ReduceOp.SUM, x, scope.allocate(DType.FLOAT64, Shape.of(2))));
  }

  @Test
  void softmaxRowsSumToOneAndLogSoftmaxIsItsLog() {
    double[] z = {1000, 1001, 1002, -5, 0, 5};
    Tensor x = tensor(DType.FLOAT64, z, 2, 3);
    Tensor p = scope.allocate(DType.FLOAT64, Shape.of(2, 3));
    Tensor lp = scope.allocate(DType.FLOAT64, Shape.of(2, 3));
    be.softmax(x, p, false);
    be.softmax(x, lp, true);
    double[] pv = p.toDoubleArray();
    double[] lv = lp.toDoubleArray();
    assertEquals(1.0, pv[0] + pv[1] + pv[2], 1e-12);
    assertEquals(1.0, pv[3] + pv[4] + pv[5], 1e-12);
    for (int i = 0; i < 6; i++) {
      assertEquals(Math.log(pv[i]), lv[i], 1e-12);
    }
    assertEquals(Math.exp(-2) / (Math.exp(-2) + Math.exp(-1) + 1), pv[0], 1e-12);
  }

  @Test
  void crossEntropyRejectsLabelsOutsideTheClasses() {
    Tensor z = tensor(DType.FLOAT64, random(6, 3), 2, 3);
    Tensor losses = scope.allocate(DType.FLOAT64, Shape.of(2));
    Tensor probs = scope.allocate(DType.FLOAT64, Shape.of(2, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> be.softmaxCrossEntropy(z, tensor(DType.FLOAT64, new double[] {0, 3}, 2), losses, probs));
    assertEquals("Label 3.0 in row 1 is not a class index in [0, 3).", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.softmaxCrossEntropy(z, tensor(DType.FLOAT64, new double[] {0.5, 1}, 2), losses, probs));
    assertEquals("Label 0.5 in row 0 is not a class index in [0, 3).", e.getMessage());
  }

  @Test
  void randomIsDeterministicPerSeedAndHasTheRightMoments() {
    Tensor a = scope.allocate(DType.FLOAT32, Shape.of(200, 100));
    Tensor b = scope.allocate(DType.FLOAT32, Shape.of(200, 100));
    be.random(a, Distribution.NORMAL, 1, 2, 42);
    be.random(b, Distribution.NORMAL, 1, 2, 42);
    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
    double[] v = a.toDoubleArray();
    double mean = java.util.Arrays.stream(v).average().orElseThrow();
    double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
    assertEquals(1, mean, 0.05);
    assertEquals(4, var, 0.15);
    be.random(b, Distribution.BERNOULLI, 0.75, 4, 7);
    double kept = java.util.Arrays.stream(b.toDoubleArray()).filter(x -> x == 4).count() / 20000.0;
    assertEquals(0.75, kept, 0.02);
    be.random(b, Distribution.UNIFORM, -1, 1, 8);
    assertTrue(java.util.Arrays.stream(b.toDoubleArray()).allMatch(x -> x >= -1 && x < 1));
  }

  @Test
  void copyConvertsDtypesAndBroadcasts() {
    Tensor d = tensor(DType.FLOAT64, new double[] {1.5, -2.25}, 2);
    Tensor f = scope.allocate(DType.FLOAT32, Shape.of(3, 2));
    be.copy(d, f);
    assertArrayEquals(new float[] {1.5f, -2.25f, 1.5f, -2.25f, 1.5f, -2.25f}, f.toFloatArray());
  }

  @Test
  void scopesFreeWhatTheyOwnAndKeepMovesOwnershipUp() {
    long before = be.liveBytes();
    Tensor kept;
    try (Scope child = scope.child("step")) {
      child.allocate(DType.FLOAT32, Shape.of(1000));
      kept = child.keep(child.allocate(DType.FLOAT32, Shape.of(10)));
      assertTrue(be.liveBytes() >= before + 4040);
    }
    assertEquals(before + 40, be.liveBytes());
    kept.close();
    kept.close();
    assertEquals(before, be.liveBytes());
    IllegalStateException e = assertThrows(IllegalStateException.class, kept::toFloatArray);
    assertEquals("Tensor memory was already freed (used after close).", e.getMessage());
    Scope closed = scope.child("closed");
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.allocate(DType.FLOAT32, Shape.of(1)));
  }

  @Test
  void viewsShareMemory() {
    Tensor t = tensor(DType.FLOAT32, new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    Tensor v = t.reshape(3, 2).slice(0, 1, 3);
    assertArrayEquals(new float[] {2, 3, 4, 5}, v.toFloatArray());
    be.fill(t.t().slice(0, 0, 1), 9);   // first column through a transposed view
    assertArrayEquals(new float[] {9, 1, 2, 9, 4, 5}, t.toFloatArray());
    assertThrows(IllegalStateException.class, () -> t.t().reshape(6));
  }
}
