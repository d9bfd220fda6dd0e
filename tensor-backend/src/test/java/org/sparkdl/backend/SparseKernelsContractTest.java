package org.sparkdl.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What every backend's sparse-row kernels must do: the CSR products against the dense gemm of the
 * densified rows, and the lazy optimizer updates against the flat updates of the rows they touch,
 * in both dtypes, with a width that fills whole SIMD vectors (32) and one that does not (5). A
 * backend's test extends this.
 */
public abstract class SparseKernelsContractTest {
  /** Rows of a [4, 6] matrix: an empty row, a repeated column, a full row. */
  private static final int[] STARTS = {0, 2, 2, 5, 11};
  private static final int[] COLUMNS = {4, 1, 0, 3, 0, 0, 1, 2, 3, 4, 5};
  private static final double[] VALUES = {0.5, -2, 1.5, 3, -1, 0.25, 1, -0.75, 2, 0.1, -3};
  private static final int WIDTH = 6;

  protected Backend be;
  protected Scope scope;

  protected abstract Backend createBackend();

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

  private static double[] random(int n, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian();
    }
    return a;
  }

  private static double[] densified() {
    double[] d = new double[(STARTS.length - 1) * WIDTH];
    for (int i = 0; i < STARTS.length - 1; i++) {
      for (int k = STARTS[i]; k < STARTS[i + 1]; k++) {
        d[i * WIDTH + COLUMNS[k]] += VALUES[k];
      }
    }
    return d;
  }

  private static void assertClose(Tensor expected, Tensor actual, DType dt) {
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), dt == DType.FLOAT32 ? 1e-5 : 1e-13);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DType.class)
  void productsEqualTheGemmsOfTheDensifiedRows(DType dt) {
    for (int n : new int[] {5, 32}) {
      CsrMatrix a = CsrMatrix.of(scope, dt, WIDTH, STARTS, COLUMNS, VALUES);
      Tensor dense = scope.of(dt, Shape.of(4, WIDTH), densified());
      Tensor b = scope.of(dt, Shape.of(WIDTH, n), random(WIDTH * n, n));
      Tensor c = scope.of(dt, Shape.of(4, n), random(4 * n, 7));   // overwritten, not added to
      Tensor expected = scope.allocate(dt, Shape.of(4, n));
      be.sparseMatmul(a, b, c);
      be.gemm(dense, false, b, false, expected, 1, 0);
      assertClose(expected, c, dt);

      double[] start = random(WIDTH * n, 3);
      Tensor out = scope.of(dt, Shape.of(WIDTH, n), start);
      Tensor g = scope.of(dt, Shape.of(4, n), random(4 * n, 4));
      Tensor expectedOut = scope.of(dt, Shape.of(WIDTH, n), start);
      be.sparseMatmulTransposedAdd(a, g, out);
      be.gemm(dense, true, g, false, expectedOut, 1, 1);
      assertClose(expectedOut, out, dt);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DType.class)
  void aSliceOfTheRowsIsReadInPlaceAsTheRowsThemselves(DType dt) {
    CsrMatrix a = CsrMatrix.of(scope, dt, WIDTH, STARTS, COLUMNS, VALUES);
    Tensor b = scope.of(dt, Shape.of(WIDTH, 3), random(WIDTH * 3, 5));
    Tensor all = scope.allocate(dt, Shape.of(4, 3));
    be.sparseMatmul(a, b, all);
    CsrMatrix middle = a.rows(1, 3);
    assertEquals(2, middle.rows());
    assertEquals(3, middle.entries());
    Tensor part = scope.allocate(dt, Shape.of(2, 3));
    be.sparseMatmul(middle, b, part);
    assertClose(all.slice(0, 1, 3).contiguous(scope), part, dt);
    Tensor out = scope.zeros(dt, Shape.of(WIDTH, 3));
    Tensor expected = scope.zeros(dt, Shape.of(WIDTH, 3));
    Tensor g = scope.of(dt, Shape.of(2, 3), random(6, 6));
    be.sparseMatmulTransposedAdd(middle, g, out);
    be.gemm(scope.of(dt, Shape.of(4, WIDTH), densified()).slice(0, 1, 3), true, g, false, expected, 1, 0);
    assertClose(expected, out, dt);
    assertEquals(0, a.rows(4, 4).entries());
  }

  @Test
  void theTransposedProductTouchesOnlyTheRowsTheEntriesName() {
    CsrMatrix a = CsrMatrix.of(scope, DType.FLOAT32, 1000, new int[] {0, 1, 2}, new int[] {7, 993}, new double[] {2, 3});
    Tensor out = scope.zeros(DType.FLOAT32, Shape.of(1000, 3));
    be.sparseMatmulTransposedAdd(a, scope.of(DType.FLOAT32, Shape.of(2, 3), new double[] {1, 2, 3, 4, 5, 6}), out);
    double[] o = out.toDoubleArray();
    for (int i = 0; i < o.length; i++) {
      double expected = i / 3 == 7 ? 2 * (i % 3 + 1) : i / 3 == 993 ? 3 * (i % 3 + 4) : 0;
      assertEquals(expected, o[i], 0, "element " + i);
    }
  }

  @Test
  void badColumnsAndRowStartsAreNamedAndNothingIsWritten() {
    Tensor b = scope.of(DType.FLOAT32, Shape.of(3, 2), new double[] {1, 2, 3, 4, 5, 6});
    Tensor out = scope.zeros(DType.FLOAT32, Shape.of(3, 2));
    Tensor g = scope.of(DType.FLOAT32, Shape.of(2, 2), new double[] {1, 1, 1, 1});
    CsrMatrix badColumn = CsrMatrix.of(scope, DType.FLOAT32, 3, new int[] {0, 1, 2}, new int[] {2, 3}, new double[] {1, 1});
    IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class,
        () -> be.sparseMatmul(badColumn, b, scope.allocate(DType.FLOAT32, Shape.of(2, 2))));
    assertEquals(1, e.position());
    assertEquals(3.0, e.value());
    assertThrows(IndexOutOfRangeException.class, () -> be.sparseMatmulTransposedAdd(badColumn, g, out));
    assertArrayEquals(new double[6], out.toDoubleArray(), "a refused product wrote into its output");

    CsrMatrix decreasing = CsrMatrix.of(scope, DType.FLOAT32, 3, new int[] {0, 2, 1}, new int[] {0}, new double[] {1});
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
        () -> be.sparseMatmul(decreasing, b, scope.allocate(DType.FLOAT32, Shape.of(2, 2))));
    assertEquals("Sparse rows: row start 2.0 at position 1 is invalid; row starts must be integers that never decrease and"
        + " span the 1 entries.", d.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> be.sparseMatmul(badColumn, scope.allocate(DType.FLOAT32, Shape.of(4, 2)), out));
    assertEquals("sparseMatmul: sparse rows [2, 3] need a dense matrix [3, n]; found [4, 2].", shape.getMessage());
  }

  private enum Rule { SGD, ADAM, RMSPROP }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DType.class)
  void lazyUpdatesEqualTheFlatUpdatesOfTheTouchedRowsAndLeaveTheOthers(DType dt) {
    for (int width : new int[] {5, 32}) {
      for (Rule rule : Rule.values()) {
        int rows = 7;
        int[] touched = {5, 0, 3};
        double[] p0 = random(rows * width, 11);
        double[] s0 = random(rows * width, 12);
        double[] t0 = random(rows * width, 13);
        for (int i = 0; i < t0.length; i++) {
          s0[i] = Math.abs(s0[i]);   // a second moment is never negative
        }
        double[] grad = random(touched.length * width, 14);
        Tensor p = scope.of(dt, Shape.of(rows, width), p0);
        Tensor s = scope.of(dt, Shape.of(rows, width), s0);
        Tensor t = scope.of(dt, Shape.of(rows, width), t0);
        Tensor idx = scope.of(dt, Shape.of(touched.length), new double[] {5, 0, 3});
        Tensor g = scope.of(dt, Shape.of(touched.length, width), grad);
        double[] pe = p.toDoubleArray();   // as stored: float32 rounds the starting values
        double[] se = s.toDoubleArray();
        double[] te = t.toDoubleArray();
        OptimizerKernels.Sgd sgd = new OptimizerKernels.Sgd(0.1, 0.9, true, 0.01, 0.5);
        OptimizerKernels.Adam adam = new OptimizerKernels.Adam(0.01, 0.9, 0.999, 1e-8, 0.01, true, 3, 0.5);
        OptimizerKernels.RmsProp rms = new OptimizerKernels.RmsProp(0.01, 0.99, 1e-8, 0.9, 0.01, 0.5);
        switch (rule) {
          case SGD -> be.sgdRowsStep(p, idx, g, s, sgd);
          case ADAM -> be.adamRowsStep(p, idx, g, t, s, adam);
          case RMSPROP -> be.rmsPropRowsStep(p, idx, g, s, t, rms);
        }
        for (int k = 0; k < touched.length; k++) {
          int r = touched[k];
          Tensor pr = scope.of(dt, Shape.of(width), slice(p0, r, width));
          Tensor sr = scope.of(dt, Shape.of(width), slice(s0, r, width));
          Tensor tr = scope.of(dt, Shape.of(width), slice(t0, r, width));
          Tensor gr = scope.of(dt, Shape.of(width), slice(grad, k, width));
          switch (rule) {
            case SGD -> be.sgdStep(pr, gr, sr, sgd);
            case ADAM -> be.adamStep(pr, gr, tr, sr, adam);
            case RMSPROP -> be.rmsPropStep(pr, gr, sr, tr, rms);
          }
          System.arraycopy(pr.toDoubleArray(), 0, pe, r * width, width);
          System.arraycopy(sr.toDoubleArray(), 0, se, r * width, width);
          System.arraycopy(tr.toDoubleArray(), 0, te, r * width, width);
        }
        String what = rule + " width " + width;
        assertArrayEquals(pe, p.toDoubleArray(), 0, what + ": parameters");
        assertArrayEquals(se, s.toDoubleArray(), 0, what + ": first state buffer");
        assertArrayEquals(te, t.toDoubleArray(), 0, what + ": second state buffer");
      }
    }
  }

  private static double[] slice(double[] a, int row, int width) {
    double[] r = new double[width];
    System.arraycopy(a, row * width, r, 0, width);
    return r;
  }

  @Test
  void aLazyUpdateRefusesRepeatedOrOutOfRangeRowsBeforeTouchingAnything() {
    double[] p0 = {1, 2, 3, 4, 5, 6};
    Tensor p = scope.of(DType.FLOAT32, Shape.of(3, 2), p0);
    Tensor g = scope.of(DType.FLOAT32, Shape.of(2, 2), new double[] {1, 1, 1, 1});
    OptimizerKernels.Sgd h = new OptimizerKernels.Sgd(0.1, 0, false, 0, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> be.sgdRowsStep(p, scope.of(DType.FLOAT32, Shape.of(2), new double[] {1, 1}), g, null, h));
    assertEquals("Row 1 appears twice in the rows of a lazy update (at position 1); each row takes one update a step.",
        e.getMessage());
    assertThrows(IndexOutOfRangeException.class,
        () -> be.sgdRowsStep(p, scope.of(DType.FLOAT32, Shape.of(2), new double[] {0, 3}), g, null, h));
    assertArrayEquals(p0, p.toDoubleArray(), 0);
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> be.sgdRowsStep(p, scope.of(DType.FLOAT32, Shape.of(3), new double[] {0, 1, 2}), g, null, h));
    assertEquals("sgdRows: the gradient must have shape [3, 2]; found [2, 2].", shape.getMessage());
  }
}
