package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The CPU's fused scoring convolution ({@code conv2dScoring}: the channels kernel and the pooling
 * rows kernel) against a plain double-precision convolution, ReLU
 * and max pooling, over strides, dilations, paddings, channel counts that fill no whole vector,
 * pooling windows with padding and overlap, several threads; NaN and signed zeros as {@code
 * Math.max} treats them; and the shapes it declines.
 */
class DirectConvKernelsTest {
  private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

  /** One case: input {@code [n, c, h, w]}, {@code cout} filters of {@code win}, then ReLU and pooling. */
  private record Case(int n, int c, int h, int w, int cout, Window2d win, boolean bias, boolean relu, Window2d pool) {}

  private static List<Case> cases() {
    Window2d two = Window2d.square(2, 2, 0);
    Window2d overlapping = new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 1, 0);
    // the last window of an odd row reaches into the padding after it
    Window2d padded = new Window2d(2, 2, 2, 2, 1, 1, 0, 1, 0, 1);
    List<Case> cases = new ArrayList<>();
    // channels kernel: a LeNet's second layer, with and without what follows it
    for (boolean relu : new boolean[] {false, true}) {
      for (Window2d pool : new Window2d[] {null, two, overlapping}) {
        cases.add(new Case(3, 16, 14, 14, 2 * LANES, Window2d.square(5, 1, 0), true, relu, pool));
      }
    }
    // channels kernel: channels past whole passes, stride, dilation and uneven padding, no bias
    cases.add(new Case(2, 3, 11, 9, 2 * LANES + 5, new Window2d(3, 2, 2, 1, 2, 1, 1, 0, 2, 1), false, true, null));
    cases.add(new Case(2, 5, 9, 12, 3 * LANES, new Window2d(3, 3, 1, 3, 1, 2, 2, 2, 1, 1), true, false, two));
    // pooling rows kernel: a first layer over one channel (padding 2), then over three with dilation, a row
    // stride and padding on one side; odd output sizes (the last row and column drop out)
    for (boolean relu : new boolean[] {false, true}) {
      cases.add(new Case(3, 1, 28, 28, 6, Window2d.square(5, 1, 2), true, relu, two));
    }
    cases.add(new Case(2, 3, 20, 2 * LANES + 3, 5, new Window2d(3, 3, 2, 1, 2, 2, 1, 0, 0, 3), true, true, two));
    cases.add(new Case(2, 2, 15, LANES + 5, 7, Window2d.square(3, 1, 0), false, true, two));
    cases.add(new Case(2, 4, 9, 9, 2 * LANES, Window2d.square(3, 1, 0), true, false, padded));
    return cases;
  }

  @Test
  void fusedConvolutionsMatchPlainLoops() {
    assertTrue(Simd.AVAILABLE, "the test JVM runs with --add-modules=jdk.incubator.vector");
    Random random = new Random(17);
    for (int threads : new int[] {1, 2}) {
      for (Case k : cases()) {
        try (CpuBackend be = new CpuBackend(threads); Scope s = be.openScope("t")) {
          float[] x = gaussian(random, k.n() * k.c() * k.h() * k.w());
          float[] w = gaussian(random, k.cout() * k.c() * k.win().kernelSize());
          float[] b = k.bias() ? gaussian(random, k.cout()) : null;
          double[][] reference = reference(k, x, w, b);
          double[] expected = reference[0];
          Tensor y = s.allocate(DType.FLOAT32, outputShape(k));
          boolean ran = be.conv2dScoring(s.of(DType.FLOAT32, Shape.of(k.n(), k.c(), k.h(), k.w()), x),
              s.of(DType.FLOAT32, Shape.of(k.cout(), k.c(), k.win().kernelH(), k.win().kernelW()), w),
              b == null ? null : s.of(DType.FLOAT32, Shape.of(k.cout()), b), k.win(), k.relu(), k.pool(), y);
          assertTrue(ran, k + " is for a direct kernel");
          float[] found = y.toFloatArray();
          assertEquals(expected.length, found.length);
          for (int i = 0; i < found.length; i++) {
            // float sums in another order: a few float ulps of the terms' magnitudes (a wrong tap would be O(1))
            assertEquals(expected[i], found[i], 1e-6 * reference[1][i] + 1e-6, k + ", " + threads + " threads, output " + i);
          }
        }
      }
    }
  }

  @Test
  void nanWinsAndTheReluOfMinusZeroIsPlusZero() {
    // one input channel, one filter of a single 1 with no bias, so that the outputs are the inputs
    for (int cout : new int[] {2 * LANES, 1}) {
      for (Window2d pool : cout == 1 ? new Window2d[] {Window2d.square(2, 2, 0)}
          : new Window2d[] {null, Window2d.square(2, 2, 0)}) {
        try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
          int side = 2 * LANES;
          float[] x = new float[side * side];
          java.util.Arrays.fill(x, -1f);
          x[0] = Float.NaN;
          x[2] = -0f;
          float[] w = new float[cout];
          java.util.Arrays.fill(w, 1f);
          Tensor y = s.allocate(DType.FLOAT32, pool == null ? Shape.of(1, cout, side, side)
              : Shape.of(1, cout, side / 2, side / 2));
          assertTrue(be.conv2dScoring(s.of(DType.FLOAT32, Shape.of(1, 1, side, side), x),
              s.of(DType.FLOAT32, Shape.of(cout, 1, 1, 1), w), null, Window2d.square(1, 1, 0), true, pool, y));
          float[] found = y.toFloatArray();
          assertTrue(Float.isNaN(found[0]), "a NaN in the window, cout " + cout + ", pool " + pool);
          int zero = pool == null ? 2 : 1;
          assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(found[zero]),
              "relu(-0) and relu(-1) are +0, cout " + cout + ", pool " + pool);
        }
      }
    }
  }

  @Test
  void declinesWhatNoKernelTakesAndChecksShapes() {
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      // a few channels, a stride across: neither kernel
      Tensor x = s.zeros(DType.FLOAT32, Shape.of(1, 1, 8, 3 * LANES));
      Tensor w = s.zeros(DType.FLOAT32, Shape.of(4, 1, 3, 3));
      Window2d strided = Window2d.square(3, 2, 1);
      Tensor y = s.zeros(DType.FLOAT32, Shape.of(1, 4, 4, 3 * LANES / 2));
      assertFalse(be.conv2dScoring(x, w, null, strided, false, null, y));
      // rows shorter than a vector
      Tensor narrow = s.zeros(DType.FLOAT32, Shape.of(1, 1, 8, 8));
      assertFalse(be.conv2dScoring(narrow, w, null, Window2d.square(3, 1, 1), false, Window2d.square(2, 2, 0),
          s.zeros(DType.FLOAT32, Shape.of(1, 4, 4, 4))));
      // a few channels without a 2x2 pooling of stride 2 after them
      Tensor wide = s.zeros(DType.FLOAT32, Shape.of(1, 1, 8, 2 * LANES));
      assertFalse(be.conv2dScoring(wide, w, null, Window2d.square(3, 1, 1), true, null,
          s.zeros(DType.FLOAT32, Shape.of(1, 4, 8, 2 * LANES))));
      assertFalse(be.conv2dScoring(wide, w, null, Window2d.square(3, 1, 1), true, Window2d.square(3, 2, 0),
          s.zeros(DType.FLOAT32, Shape.of(1, 4, 3, LANES - 1))));
      // float64 runs the layers one by one
      assertFalse(be.conv2dScoring(s.zeros(DType.FLOAT64, Shape.of(1, 1, 8, 8)), s.zeros(DType.FLOAT64,
          Shape.of(2 * LANES, 1, 3, 3)), null, Window2d.square(3, 1, 1), false, null,
          s.zeros(DType.FLOAT64, Shape.of(1, 2 * LANES, 8, 8))));
      IllegalArgumentException wrongOutput = assertThrows(IllegalArgumentException.class,
          () -> be.conv2dScoring(narrow, w, null, Window2d.square(3, 1, 1), false, Window2d.square(2, 2, 0),
              s.zeros(DType.FLOAT32, Shape.of(1, 4, 8, 8))));
      assertTrue(wrongOutput.getMessage().contains("[1, 4, 4, 4]"), wrongOutput.getMessage());
      IllegalArgumentException wrongWeights = assertThrows(IllegalArgumentException.class,
          () -> be.conv2dScoring(narrow, s.zeros(DType.FLOAT32, Shape.of(4, 2, 3, 3)), null, Window2d.square(3, 1, 1),
              false, null, s.zeros(DType.FLOAT32, Shape.of(1, 4, 8, 8))));
      assertTrue(wrongWeights.getMessage().contains("[4, 2, 3, 3]"), wrongWeights.getMessage());
    }
  }

  private static Shape outputShape(Case k) {
    int oh = k.win().outputHeight(k.h());
    int ow = k.win().outputWidth(k.w());
    return k.pool() == null ? Shape.of(k.n(), k.cout(), oh, ow)
        : Shape.of(k.n(), k.cout(), k.pool().outputHeight(oh), k.pool().outputWidth(ow));
  }

  /**
   * The convolution, ReLU and max pooling of {@code k} in double, by their definitions; second, for
   * each output, the largest sum of the terms' magnitudes among its window's convolution outputs.
   */
  private static double[][] reference(Case k, float[] x, float[] w, float[] b) {
    Window2d win = k.win();
    int oh = win.outputHeight(k.h());
    int ow = win.outputWidth(k.w());
    double[] conv = new double[k.n() * k.cout() * oh * ow];
    double[] magnitude = new double[conv.length];
    for (int e = 0; e < k.n(); e++) {
      for (int o = 0; o < k.cout(); o++) {
        for (int r = 0; r < oh; r++) {
          for (int q = 0; q < ow; q++) {
            double sum = b == null ? 0 : b[o];
            double abs = Math.abs(sum);
            for (int ch = 0; ch < k.c(); ch++) {
              for (int i = 0; i < win.kernelH(); i++) {
                for (int j = 0; j < win.kernelW(); j++) {
                  int ih = r * win.strideH() - win.padTop() + i * win.dilationH();
                  int iw = q * win.strideW() - win.padLeft() + j * win.dilationW();
                  if (ih >= 0 && ih < k.h() && iw >= 0 && iw < k.w()) {
                    double term = (double) w[((o * k.c() + ch) * win.kernelH() + i) * win.kernelW() + j]
                        * x[((e * k.c() + ch) * k.h() + ih) * k.w() + iw];
                    sum += term;
                    abs += Math.abs(term);
                  }
                }
              }
            }
            conv[((e * k.cout() + o) * oh + r) * ow + q] = k.relu() ? Math.max(sum, 0) : sum;
            magnitude[((e * k.cout() + o) * oh + r) * ow + q] = abs;
          }
        }
      }
    }
    if (k.pool() == null) {
      return new double[][] {conv, magnitude};
    }
    Window2d p = k.pool();
    int ph = p.outputHeight(oh);
    int pw = p.outputWidth(ow);
    double[] pooled = new double[k.n() * k.cout() * ph * pw];
    double[] pooledMagnitude = new double[pooled.length];
    for (int plane = 0; plane < k.n() * k.cout(); plane++) {
      for (int a = 0; a < ph; a++) {
        for (int c = 0; c < pw; c++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < p.kernelH(); i++) {
            for (int j = 0; j < p.kernelW(); j++) {
              int r = a * p.strideH() - p.padTop() + i;
              int q = c * p.strideW() - p.padLeft() + j;
              if (r >= 0 && r < oh && q >= 0 && q < ow) {
                m = Math.max(m, conv[(plane * oh + r) * ow + q]);
                pooledMagnitude[(plane * ph + a) * pw + c] = Math.max(pooledMagnitude[(plane * ph + a) * pw + c],
                    magnitude[(plane * oh + r) * ow + q]);
              }
            }
          }
          pooled[(plane * ph + a) * pw + c] = m;
        }
      }
    }
    return new double[][] {pooled, pooledMagnitude};
  }

  private static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
