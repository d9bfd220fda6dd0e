package org.sparkdl.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/**
 * Convolution, pooling and normalisation ops against float64 central differences, for every
 * option, and convolution against a direct loop. Two threads, so that the kernels' split of the
 * batch is exercised too.
 */
class ConvOpsGradientTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(2, 5);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  private Tensor rand(int... dims) {
    return randScaled(1, dims);
  }

  /**
   * Normal values of standard deviation {@code sd}. Weights get {@code 1 / sqrt(fan-in)}, as after
   * initialisation, so that outputs stay near 1: the finite differences' rounding error grows with
   * the size of the checked sum.
   */
  private Tensor randScaled(double sd, int... dims) {
    return ws.scaledNormal(sd, dims);
  }

  private Tensor weight(int... dims) {
    return randScaled(1 / Math.sqrt(Shape.of(dims).size() / (double) dims[0]), dims);
  }

  /** name, input [N, C, H, W], weight [Cout, C/g, kh, kw], window, groups. */
  static Stream<Arguments> conv2dCases() {
    return Stream.of(
        Arguments.of("plain 3x3", new int[] {2, 2, 4, 5}, new int[] {3, 2, 3, 3}, new Window2d(3, 3, 1, 1, 1, 1, 0, 0, 0, 0), 1),
        Arguments.of("stride 2, padding 1", new int[] {2, 2, 6, 7}, new int[] {3, 2, 3, 3},
            new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 1),
        Arguments.of("stride 2x1, kernel 3x2, padding 2x1", new int[] {1, 2, 5, 5}, new int[] {2, 2, 3, 2},
            new Window2d(3, 2, 2, 1, 1, 1, 2, 2, 1, 1), 1),
        Arguments.of("asymmetric same padding, stride 2", new int[] {2, 2, 6, 5}, new int[] {2, 2, 3, 3},
            new Window2d(3, 3, 2, 2, 1, 1, 0, 1, 1, 1), 1),
        Arguments.of("dilation 2", new int[] {2, 2, 7, 7}, new int[] {3, 2, 3, 3}, new Window2d(3, 3, 1, 1, 2, 2, 1, 1, 1, 1), 1),
        Arguments.of("dilation 2x1, stride 1x3", new int[] {1, 2, 7, 8}, new int[] {2, 2, 2, 3},
            new Window2d(2, 3, 1, 3, 2, 1, 0, 0, 2, 2), 1),
        Arguments.of("2 groups", new int[] {2, 4, 5, 5}, new int[] {6, 2, 3, 3}, new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 2),
        Arguments.of("depthwise", new int[] {2, 3, 5, 5}, new int[] {3, 1, 3, 3}, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 3),
        Arguments.of("1x1", new int[] {3, 4, 3, 3}, new int[] {2, 4, 1, 1}, new Window2d(1, 1, 1, 1, 1, 1, 0, 0, 0, 0), 1),
        Arguments.of("kernel larger than the stride's step, padding past the image", new int[] {1, 1, 2, 2},
            new int[] {2, 1, 3, 3}, new Window2d(3, 3, 1, 1, 1, 1, 2, 2, 2, 2), 1));
  }

  /**
   * {@link #conv2dCases} and wider ones: 16 input channels times a kernel width of 2 or more,
   * which scoring unfolds by kernel row when the vertical stride is 1 (too wide for float64 central
   * differences to stay within the gradient check's tolerance).
   */
  static Stream<Arguments> conv2dForwardCases() {
    return Stream.concat(conv2dCases(), Stream.of(
        Arguments.of("16 channels, kernel 3x3, padding 1", new int[] {2, 16, 5, 6}, new int[] {3, 16, 3, 3},
            new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 1),
        Arguments.of("16 channels, kernel 2x4, dilation 2x1, stride 1x2, uneven padding", new int[] {2, 16, 6, 9},
            new int[] {2, 16, 2, 4}, new Window2d(2, 4, 1, 2, 2, 1, 0, 1, 2, 1), 1),
        Arguments.of("16 channels, kernel 3x3, stride 2", new int[] {1, 16, 7, 7}, new int[] {4, 16, 3, 3},
            new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conv2dCases")
  void conv2dGradientsWithRespectToInputWeightAndBias(String name, int[] xs, int[] ws, Window2d w, int groups) {
    GradCheck.check(be, List.of(rand(xs), weight(ws), randScaled(0.1, ws[0])),
        (t, in) -> ConvOps.conv2d(in.get(0), in.get(1), in.get(2), w, groups));
    GradCheck.check(be, List.of(rand(xs), weight(ws)), (t, in) -> ConvOps.conv2d(in.get(0), in.get(1), null, w, groups));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conv2dForwardCases")
  void conv2dMatchesADirectLoopInBothDtypes(String name, int[] xs, int[] ws, Window2d w, int groups) {
    Tensor x = rand(xs);
    Tensor wt = rand(ws);
    Tensor b = rand(ws[0]);
    double[] expected = directConv(x.toDoubleArray(), xs, wt.toDoubleArray(), ws, b.toDoubleArray(), w, groups);
    double[] unbiased = directConv(x.toDoubleArray(), xs, wt.toDoubleArray(), ws, new double[ws[0]], w, groups);
    // constants on two threads take the batch-wide path; on one, scoring's example-by-example path
    for (int threads : new int[] {2, 1}) {
      be.setThreads(threads);
      for (DType dt : DType.values()) {
        try (Scope s = scope.child("forward")) {
          Tape tape = new Tape(s, false, 0);
          Tensor xc = s.allocate(dt, x.shape());
          Tensor wc = s.allocate(dt, wt.shape());
          Tensor bc = s.allocate(dt, b.shape());
          be.copy(x, xc);
          be.copy(wt, wc);
          be.copy(b, bc);
          double tolerance = dt == DType.FLOAT32 ? 1e-5 : 1e-12;
          assertClose(expected, ConvOps.conv2d(tape.constant(xc), tape.constant(wc), tape.constant(bc), w, groups)
              .value().toDoubleArray(), tolerance);
          assertClose(unbiased, ConvOps.conv2d(tape.constant(xc), tape.constant(wc), null, w, groups).value()
              .toDoubleArray(), tolerance);
        }
      }
    }
    be.setThreads(2);
  }

  static double[] directConv(double[] x, int[] xs, double[] w, int[] ws, double[] b, Window2d win, int groups) {
    int n = xs[0];
    int c = xs[1];
    int h = xs[2];
    int wd = xs[3];
    int cout = ws[0];
    int cg = ws[1];
    int oh = win.outputHeight(h);
    int ow = win.outputWidth(wd);
    double[] y = new double[n * cout * oh * ow];
    for (int s = 0; s < n; s++) {
      for (int o = 0; o < cout; o++) {
        int g = o / (cout / groups);
        for (int p = 0; p < oh; p++) {
          for (int q = 0; q < ow; q++) {
            double acc = b[o];
            for (int ci = 0; ci < cg; ci++) {
              for (int i = 0; i < win.kernelH(); i++) {
                for (int j = 0; j < win.kernelW(); j++) {
                  int ih = p * win.strideH() - win.padTop() + i * win.dilationH();
                  int iw = q * win.strideW() - win.padLeft() + j * win.dilationW();
                  if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                    int cin = g * cg + ci;
                    acc += x[((s * c + cin) * h + ih) * wd + iw] * w[((o * cg + ci) * win.kernelH() + i) * win.kernelW() + j];
                  }
                }
              }
            }
            y[((s * cout + o) * oh + p) * ow + q] = acc;
          }
        }
      }
    }
    return y;
  }

  private static void assertClose(double[] expected, double[] found, double tol) {
    assertEquals(expected.length, found.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], found[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
    }
  }

  @Test
  void conv1dWithStridePaddingDilationAndGroups() {
    GradCheck.check(be, List.of(rand(2, 4, 9), weight(6, 2, 3), randScaled(0.1, 6)),
        (t, in) -> ConvOps.conv1d(in.get(0), in.get(1), in.get(2), 2, 1, 2, 2, 2));
    GradCheck.check(be, List.of(rand(3, 2, 5), weight(3, 2, 2)),
        (t, in) -> ConvOps.conv1d(in.get(0), in.get(1), null, 1, 0, 0, 1, 1));
  }

  static Stream<Arguments> poolWindows() {
    return Stream.of(
        Arguments.of("2x2 stride 2", new int[] {2, 3, 6, 6}, Window2d.square(2, 2, 0)),
        Arguments.of("3x3 stride 2 padding 1", new int[] {2, 2, 7, 6}, Window2d.square(3, 2, 1)),
        Arguments.of("overlapping 3x2 stride 1x2", new int[] {1, 2, 5, 6}, new Window2d(3, 2, 1, 2, 1, 1, 0, 0, 0, 0)),
        Arguments.of("asymmetric same padding", new int[] {2, 2, 5, 5}, new Window2d(2, 2, 2, 2, 1, 1, 0, 1, 0, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("poolWindows")
  void poolingGradients(String name, int[] xs, Window2d w) {
    GradCheck.check(be, List.of(rand(xs)), (t, in) -> ConvOps.maxPool2d(in.get(0), w));
    GradCheck.check(be, List.of(rand(xs)), (t, in) -> ConvOps.avgPool2d(in.get(0), w, true));
    GradCheck.check(be, List.of(rand(xs)), (t, in) -> ConvOps.avgPool2d(in.get(0), w, false));
  }

  @Test
  void poolingValuesOnAKnownPlane() {
    Tensor x = scope.of(DType.FLOAT64, Shape.of(1, 1, 3, 3), new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    Tape tape = new Tape(scope, false, 0);
    Window2d w = Window2d.square(2, 2, 1);
    assertArrayEquals(new double[] {1, 3, 7, 9}, ConvOps.maxPool2d(tape.constant(x), w).value().toDoubleArray());
    assertArrayEquals(new double[] {0.25, 1.25, 2.75, 7},
        ConvOps.avgPool2d(tape.constant(x), w, true).value().toDoubleArray());
    assertArrayEquals(new double[] {1, 2.5, 5.5, 7}, ConvOps.avgPool2d(tape.constant(x), w, false).value().toDoubleArray());
    assertArrayEquals(new double[] {5}, ConvOps.globalAvgPool(tape.constant(x)).value().toDoubleArray());
  }

  @Test
  void globalAveragePoolingOfImagesAndSequences() {
    GradCheck.check(be, List.of(rand(2, 3, 4, 5)), (t, in) -> ConvOps.globalAvgPool(in.get(0)));
    GradCheck.check(be, List.of(rand(2, 3, 7)), (t, in) -> ConvOps.globalAvgPool(in.get(0)));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void batchNormGradientsInTrainingAndInference(boolean training) {
    for (int[] xs : new int[][] {{4, 3}, {3, 2, 5}, {2, 3, 3, 2}}) {
      int c = xs[1];
      Tensor mean = rand(c);
      Tensor var = scope.of(DType.FLOAT64, Shape.of(c), new double[c]);
      be.fill(var, 1.7);
      Tensor x = rand(xs);
      GradCheck.Fn fn = (t, in) -> NormOps.batchNorm(in.get(0), in.get(1), in.get(2), mean, var, 0.1, 1e-5);
      List<Tensor> inputs = List.of(x, rand(c), rand(c));
      if (training) {
        GradCheck.check(be, inputs, List.of(), fn);
      } else {
        GradCheck.checkInference(be, inputs, List.of(), fn);
      }
    }
  }

  @Test
  void layerNormOverOneAndTwoTrailingAxes() {
    GradCheck.check(be, List.of(rand(3, 5), rand(5), rand(5)),
        (t, in) -> NormOps.layerNorm(in.get(0), 1, in.get(1), in.get(2), 1e-5));
    GradCheck.check(be, List.of(rand(2, 3, 2, 4), rand(2, 4), rand(2, 4)),
        (t, in) -> NormOps.layerNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5));
  }

  @Test
  void shapeErrorsNameTheShapes() {
    Tape tape = new Tape(scope, false, 0);
    Var x = tape.constant(rand(2, 3, 5, 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConvOps.conv2d(x, tape.constant(rand(4, 2, 3, 3)), null, Window2d.square(3, 1, 0), 2));
    assertEquals("conv2d with 2 groups: input [2, 3, 5, 5] and weight [4, 2, 3, 3] do not agree; input channels and"
        + " output channels must divide into the groups, and the weight's second dimension must be input channels /"
        + " groups.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ConvOps.conv2d(x, tape.constant(rand(4, 3, 7, 7)), null, Window2d.square(7, 1, 0), 1));
    assertEquals("im2col: the window (kernel 7x7, stride 1x1, dilation 1x1, padding (top 0, bottom 0, left 0, right 0))"
        + " spans 7x7, more than the padded input 5x5 of [2, 3, 5, 5].", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ConvOps.maxPool2d(x, Window2d.square(2, 2, 2)));
    assertEquals("maxPool2d: padding must be smaller than the kernel on every side, so that every window overlaps the"
        + " input; found kernel 2x2, stride 2x2, dilation 1x1, padding (top 2, bottom 2, left 2, right 2).", e.getMessage());
  }
}
