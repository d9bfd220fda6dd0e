package org.sparkdl.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What every backend's windowed kernels (im2col, col2im, max and average pooling) must do, checked
 * against plain loops in both dtypes, for windows with stride, dilation, asymmetric padding and
 * padding wider than the image, and on one thread and several. A backend's test extends this.
 */
public abstract class WindowKernelsContractTest {
  protected Backend be;
  protected Scope scope;

  protected abstract Backend createBackend();

  /** Windows over an input of [2, 3, 5, 6]. */
  static final List<Window2d> WINDOWS = List.of(
      new Window2d(3, 3, 1, 1, 1, 1, 0, 0, 0, 0),
      new Window2d(3, 2, 2, 3, 1, 1, 1, 0, 2, 1),
      new Window2d(2, 3, 1, 2, 2, 2, 1, 1, 1, 1),
      new Window2d(4, 4, 1, 1, 1, 1, 3, 3, 3, 3),
      new Window2d(1, 1, 2, 2, 1, 1, 0, 0, 0, 0));
  /** Pooling windows (no dilation, padding below the kernel) over the same input. */
  static final List<Window2d> POOLS = List.of(
      Window2d.square(2, 2, 0),
      Window2d.square(3, 2, 1),
      new Window2d(3, 2, 1, 2, 1, 1, 0, 2, 1, 1),
      new Window2d(2, 2, 2, 2, 1, 1, 0, 1, 0, 0));
  static final int[] X = {2, 3, 5, 6};

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

  private Tensor random(DType dt, long seed, int... dims) {
    Random r = new Random(seed);
    double[] v = new double[Shape.of(dims).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return scope.of(dt, Shape.of(dims), v);
  }

  /** The input element under window tap (i, j) of output (p, q), or null in the padding. */
  private static Double at(double[] x, int n, int c, int p, int q, int i, int j, Window2d w) {
    int ih = p * w.strideH() - w.padTop() + i * w.dilationH();
    int iw = q * w.strideW() - w.padLeft() + j * w.dilationW();
    return ih < 0 || ih >= X[2] || iw < 0 || iw >= X[3] ? null : x[((n * X[1] + c) * X[2] + ih) * X[3] + iw];
  }

  static double[] referenceIm2col(double[] x, Window2d w) {
    int oh = w.outputHeight(X[2]);
    int ow = w.outputWidth(X[3]);
    int cols = X[0] * oh * ow;
    double[] out = new double[X[1] * w.kernelSize() * cols];
    for (int c = 0; c < X[1]; c++) {
      for (int i = 0; i < w.kernelH(); i++) {
        for (int j = 0; j < w.kernelW(); j++) {
          int row = (c * w.kernelH() + i) * w.kernelW() + j;
          for (int n = 0; n < X[0]; n++) {
            for (int p = 0; p < oh; p++) {
              for (int q = 0; q < ow; q++) {
                Double v = at(x, n, c, p, q, i, j, w);
                out[row * cols + (n * oh + p) * ow + q] = v == null ? 0 : v;
              }
            }
          }
        }
      }
    }
    return out;
  }

  @Test
  void im2colMatchesPlainLoopsAndCol2imIsItsAdjoint() {
    for (Window2d w : WINDOWS) {
      for (DType dt : DType.values()) {
        Tensor x = random(dt, 1, X);
        Shape colsShape = Shape.of(X[1] * w.kernelSize(), X[0] * w.outputHeight(X[2]) * w.outputWidth(X[3]));
        Tensor cols = scope.allocate(dt, colsShape);
        be.im2col(x, w, cols);
        assertClose(referenceIm2col(x.toDoubleArray(), w), cols.toDoubleArray(), dt, w + " " + dt);
        // <im2col(x), c> == <x, col2im(c)> for any c: col2im sums each column entry back where it was read
        Tensor c = random(dt, 2, colsShape.toArray());
        Tensor back = scope.allocate(dt, x.shape());
        be.col2im(c, w, back);
        assertEquals(dot(cols, c), dot(x, back), 1e-4 * Math.max(1, Math.abs(dot(cols, c))), w + " " + dt);
      }
    }
  }

  private static double dot(Tensor a, Tensor b) {
    double[] x = a.toDoubleArray();
    double[] y = b.toDoubleArray();
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  @Test
  void poolingMatchesPlainLoops() {
    for (Window2d w : POOLS) {
      for (DType dt : DType.values()) {
        Tensor x = random(dt, 3, X);
        double[] xv = x.toDoubleArray();
        Shape out = Shape.of(X[0], X[1], w.outputHeight(X[2]), w.outputWidth(X[3]));
        Tensor max = scope.allocate(dt, out);
        Tensor avg = scope.allocate(dt, out);
        Tensor avgIn = scope.allocate(dt, out);
        be.maxPool2d(x, w, max);
        be.avgPool2d(x, w, true, avg);
        be.avgPool2d(x, w, false, avgIn);
        double[] em = new double[out.size()];
        double[] ea = new double[out.size()];
        double[] ei = new double[out.size()];
        int k = 0;
        for (int n = 0; n < X[0]; n++) {
          for (int c = 0; c < X[1]; c++) {
            for (int p = 0; p < out.dim(2); p++) {
              for (int q = 0; q < out.dim(3); q++, k++) {
                double m = Double.NEGATIVE_INFINITY;
                double s = 0;
                int count = 0;
                for (int i = 0; i < w.kernelH(); i++) {
                  for (int j = 0; j < w.kernelW(); j++) {
                    Double v = at(xv, n, c, p, q, i, j, w);
                    if (v != null) {
                      m = Math.max(m, v);
                      s += v;
                      count++;
                    }
                  }
                }
                em[k] = m;
                ea[k] = s / w.kernelSize();
                ei[k] = s / count;
              }
            }
          }
        }
        assertClose(em, max.toDoubleArray(), dt, "max " + w);
        assertClose(ea, avg.toDoubleArray(), dt, "avg " + w);
        assertClose(ei, avgIn.toDoubleArray(), dt, "avg without padding " + w);
      }
    }
  }

  @Test
  void poolingGradientsGoWhereTheForwardPassReadFrom() {
    Tensor x = scope.of(DType.FLOAT64, Shape.of(1, 1, 2, 3), new double[] {1, 5, 2, 5, 0, 7});
    Window2d w = Window2d.square(2, 1, 0);
    Tensor y = scope.allocate(DType.FLOAT64, Shape.of(1, 1, 1, 2));
    be.maxPool2d(x, w, y);
    assertArrayEquals(new double[] {5, 7}, y.toDoubleArray());
    Tensor gy = scope.of(DType.FLOAT64, Shape.of(1, 1, 1, 2), new double[] {10, 100});
    Tensor gx = scope.allocate(DType.FLOAT64, x.shape());
    be.maxPool2dBackward(x, y, gy, w, gx);
    // ties go to the first maximum in row-major order
    assertArrayEquals(new double[] {0, 10, 0, 0, 0, 100}, gx.toDoubleArray());
    be.avgPool2dBackward(gy, w, true, gx);
    assertArrayEquals(new double[] {2.5, 27.5, 25, 2.5, 27.5, 25}, gx.toDoubleArray());
  }

  @Test
  void resultsDoNotDependOnTheThreadCountOrTheInputsLayout() {
    Window2d w = new Window2d(3, 2, 2, 1, 1, 2, 1, 1, 0, 1);
    Tensor x = random(DType.FLOAT32, 4, 8, 3, 9, 7);
    Tensor xT = random(DType.FLOAT32, 4, 8, 3, 7, 9).transpose(2, 3);
    be.copy(x, xT);
    Shape cols = Shape.of(3 * 6, 8 * w.outputHeight(9) * w.outputWidth(7));
    float[][] results = new float[3][];
    int[] threads = {1, 2, 2};
    for (int k = 0; k < 3; k++) {
      be.setThreads(threads[k]);
      Tensor c = scope.allocate(DType.FLOAT32, cols);
      be.im2col(k == 2 ? xT : x, w, c);
      Tensor back = scope.allocate(DType.FLOAT32, x.shape());
      be.col2im(c, w, back);
      results[k] = back.toFloatArray();
    }
    assertArrayEquals(results[0], results[1]);
    assertArrayEquals(results[0], results[2]);
  }

  @Test
  void shapeAndLayoutErrorsNameTheOperationAndShapes() {
    Tensor x = random(DType.FLOAT32, 5, 2, 3, 4, 4);
    Window2d w = Window2d.square(3, 1, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.im2col(x, w, scope.allocate(DType.FLOAT32, Shape.of(27, 9))));
    assertEquals("im2col: cols must have shape [27, 8]; found [27, 9].", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.im2col(x, w, scope.allocate(DType.FLOAT32, Shape.of(8, 27)).t()));
    assertEquals("im2col: cols must be contiguous; found a strided [27, 8] view.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.im2col(x.reshape(2, 3, 16), w, scope.allocate(DType.FLOAT32, Shape.of(27, 8))));
    assertEquals("im2col needs an input [batch, channels, height, width]; found [2, 3, 16].", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.col2im(scope.allocate(DType.FLOAT64, Shape.of(27, 8)), w, x));
    assertEquals("col2im: mixed dtypes FLOAT64 and FLOAT32.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> be.maxPool2d(x, new Window2d(2, 2, 1, 1, 2, 2, 0, 0, 0, 0),
        scope.allocate(DType.FLOAT32, Shape.of(2, 3, 2, 2))));
    assertEquals("maxPool2d: pooling windows are not dilated; found kernel 2x2, stride 1x1, dilation 2x2, padding"
        + " (top 0, bottom 0, left 0, right 0).", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.avgPool2dBackward(scope.allocate(DType.FLOAT32, Shape.of(2, 3, 3, 3)), w, true, x));
    assertEquals("avgPool2d: gy must have shape [2, 3, 2, 2]; found [2, 3, 3, 3].", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Window2d(0, 1, 1, 1, 1, 1, 0, 0, 0, 0));
    assertEquals("Window kernel 0x1, stride 1x1, dilation 1x1, padding (top 0, bottom 0, left 0, right 0): kernel,"
        + " stride and dilation must be >= 1.", e.getMessage());
  }

  private static void assertClose(double[] expected, double[] found, DType dt, String what) {
    assertEquals(expected.length, found.length, what);
    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Math.abs(expected[i] - found[i]) <= tol * Math.max(1, Math.abs(expected[i])),
          what + " element " + i + ": expected " + expected[i] + ", found " + found[i]);
    }
  }
}
