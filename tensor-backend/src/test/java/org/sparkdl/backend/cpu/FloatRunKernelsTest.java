package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The float32 fast paths of the elementwise kernels and reductions (heap-array chunks) and of max
 * pooling and its gradient give, bit for bit, what the reference functions give element by element: contiguous operands and
 * one value broadcast along a run, runs longer than a chunk and shorter than a vector, odd offsets,
 * and NaN, infinities, signed zeros and subnormals among the values.
 */
class FloatRunKernelsTest {
  private static final float[] SPECIAL = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-40f};

  @BeforeAll
  static void simdIsOn() {
    assertTrue(Simd.AVAILABLE, "the test JVM runs with --add-modules=jdk.incubator.vector");
  }

  @Test
  void binaryOpsOverContiguousAndBroadcastRunsEqualTheReference() {
    int[][][] shapes = {
        {{5, 37}, {5, 37}},          // both contiguous
        {{5, 37}, {37}},             // b repeats along the rows, contiguous within a run
        {{4, 3, 37}, {3, 1}},        // b one value per run (a per-channel scale)
        {{3, 1}, {4, 3, 37}},        // a one value per run
        {{4, 3, 5}, {3, 1}},         // runs too short for the fast path
        {{2, 2100}, {2, 1}},         // runs over several chunks, one value each
        {{2, 2100}, {2100}},
    };
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      for (BinaryOp op : BinaryOp.values()) {
        for (int[][] shape : shapes) {
          Tensor a = filled(s, Shape.of(shape[0]), 1);
          Tensor b = filled(s, Shape.of(shape[1]), 2);
          Shape outShape = Shape.broadcast(a.shape(), b.shape());
          Tensor out = s.allocate(DType.FLOAT32, outShape);
          be.zip(op, a, b, out);
          float[] expected = reference(op, a, b, outShape);
          assertArrayEquals(expected, out.toFloatArray(), op + " of " + a.shape() + " and " + b.shape());
        }
      }
    }
  }

  @Test
  void reluAndBroadcastCopyEqualTheReference() {
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      Tensor x = filled(s, Shape.of(3, 41), 3);
      Tensor y = s.allocate(DType.FLOAT32, Shape.of(3, 41));
      be.map(UnaryOp.RELU, x, y, 0);
      float[] in = x.toFloatArray();
      float[] expected = new float[in.length];
      for (int i = 0; i < in.length; i++) {
        expected[i] = Math.max(in[i], 0f);
      }
      assertArrayEquals(expected, y.toFloatArray());

      Tensor bias = filled(s, Shape.of(4, 1), 4);
      Tensor rows = s.allocate(DType.FLOAT32, Shape.of(4, 29));
      be.copy(bias, rows);
      float[] b = bias.toFloatArray();
      float[] got = rows.toFloatArray();
      for (int i = 0; i < got.length; i++) {
        assertEquals(b[i / 29], got[i], i);
      }
    }
  }

  @Test
  void unaryOpsAndTheirGradientsEqualTheReference() {
    // 3 x 41: rows long enough for the fast path; 2 x 2100: over several chunks; 4 x 5 read transposed: strided
    int[][] shapes = {{3, 41}, {2, 2100}, {4, 5}};
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      for (UnaryOp op : UnaryOp.values()) {
        double p = op == UnaryOp.LOG ? 1e-3 : 0.37;
        for (int[] shape : shapes) {
          Tensor x = shape[1] == 5 ? filled(s, Shape.of(5, 4), 6).transpose(0, 1) : filled(s, Shape.of(shape), 6);
          Tensor y = s.allocate(DType.FLOAT32, x.shape());
          be.map(op, x, y, p);
          float[] in = x.toFloatArray();
          float[] out = y.toFloatArray();
          for (int i = 0; i < in.length; i++) {
            assertEquals((float) op.apply(in[i], p), out[i], i, op + " of " + x.shape());
          }
          Tensor gy = filled(s, x.shape(), 7);
          Tensor gx = s.allocate(DType.FLOAT32, x.shape());
          be.mapBackward(op, x, y, gy, gx, p);
          float[] g = gy.toFloatArray();
          float[] got = gx.toFloatArray();
          for (int i = 0; i < in.length; i++) {
            assertEquals((float) (g[i] * op.derivative(in[i], out[i], p)), got[i], i, op + " gradient of " + x.shape());
          }
        }
      }
    }
  }

  @Test
  void reductionsOfContiguousRunsEqualTheSequentialDoubleSum() {
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      for (ReduceOp op : ReduceOp.values()) {
        // [4, 3, 1100] -> [3, 1]: runs of 1,100 into one value per channel (a batch normalisation's sums)
        Tensor x = filled(s, Shape.of(4, 3, 1100), 8);
        Tensor perChannel = s.allocate(DType.FLOAT32, Shape.of(3, 1));
        be.reduce(op, x, perChannel);
        float[] in = x.toFloatArray();
        float[] got = perChannel.toFloatArray();
        for (int c = 0; c < 3; c++) {
          float acc = (float) start(op);
          for (int n = 0; n < 4; n++) {
            double run = start(op);
            for (int j = 0; j < 1100; j++) {
              run = accumulate(op, run, in[(n * 3 + c) * 1100 + j]);
            }
            acc = (float) (op == ReduceOp.MAX ? Math.max(acc, run) : acc + run);
          }
          assertEquals(finish(op, acc, 4400), got[c], c, op + " per channel");
        }
        // [5, 1300] -> [1, 1300]: each row added into the run of outputs (a bias gradient)
        Tensor rows = filled(s, Shape.of(5, 1300), 9);
        Tensor perColumn = s.allocate(DType.FLOAT32, Shape.of(1, 1300));
        be.reduce(op, rows, perColumn);
        float[] r = rows.toFloatArray();
        float[] cols = perColumn.toFloatArray();
        for (int j = 0; j < 1300; j++) {
          float acc = (float) start(op);
          for (int i = 0; i < 5; i++) {
            acc = (float) accumulate(op, acc, r[i * 1300 + j]);
          }
          assertEquals(finish(op, acc, 5), cols[j], j, op + " per column");
        }
      }
    }
  }

  @Test
  void maxPoolingGradientGoesToTheFirstMaximumOfEachWindow() {
    Window2d[] windows = {
        Window2d.square(2, 2, 0),                        // windows that tile the plane, its last row and column left over
        new Window2d(3, 2, 3, 2, 1, 1, 0, 0, 0, 0),     // tiling with 3x2 windows
        Window2d.square(3, 1, 1),                        // overlapping and padded: gradients add up
        new Window2d(2, 3, 2, 1, 1, 1, 0, 0, 0, 0),
    };
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      for (Window2d w : windows) {
        int h = 9;
        int wd = 11;
        float[] v = filled(s, Shape.of(2, 3, h, wd), 10).toFloatArray();
        for (int i = 0; i < v.length; i += 3) {
          v[i] = v[i + 1];                             // ties: the first of equal maxima takes the gradient
        }
        Tensor x = s.of(DType.FLOAT32, Shape.of(2, 3, h, wd), v);
        int oh = w.outputHeight(h);
        int ow = w.outputWidth(wd);
        Tensor y = s.allocate(DType.FLOAT32, Shape.of(2, 3, oh, ow));
        be.maxPool2d(x, w, y);
        Tensor gy = filled(s, y.shape(), 11);
        Tensor gx = s.allocate(DType.FLOAT32, x.shape());
        be.maxPool2dBackward(x, y, gy, w, gx);
        float[] g = gy.toFloatArray();
        double[] expected = new double[v.length];
        for (int plane = 0; plane < 6; plane++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              // the reference: the window's maximum (NaN if it holds one), then its first element equal to it or NaN
              float m = Float.NaN;
              int best = -1;
              for (int pass = 0; pass < 2; pass++) {
                for (int u = 0; u < w.kernelH(); u++) {
                  for (int t = 0; t < w.kernelW(); t++) {
                    int r = i * w.strideH() - w.padTop() + u;
                    int c = j * w.strideW() - w.padLeft() + t;
                    if (r < 0 || r >= h || c < 0 || c >= wd) {
                      continue;
                    }
                    float e = v[plane * h * wd + r * wd + c];
                    if (pass == 0) {
                      m = best++ < 0 ? e : Math.max(m, e);
                    } else if (best < 0 && (e == m || e != e)) {
                      best = plane * h * wd + r * wd + c;
                    }
                  }
                }
                if (pass == 0) {
                  best = -1;
                }
              }
              expected[best] += g[(plane * oh + i) * ow + j];
            }
          }
        }
        float[] got = gx.toFloatArray();
        for (int i = 0; i < got.length; i++) {
          assertEquals((float) expected[i], got[i], i, w.toString());
        }
      }
    }
  }

  @Test
  void unpaddedMaxPoolingEqualsTheWindowByWindowMaximum() {
    Window2d[] windows = {
        Window2d.square(2, 2, 0),
        Window2d.square(3, 1, 0),
        new Window2d(2, 3, 2, 1, 1, 1, 0, 0, 0, 0),
        new Window2d(3, 2, 1, 3, 1, 1, 0, 0, 0, 0),
    };
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      for (Window2d w : windows) {
        assertTrue(FloatPool.covers(w), w.toString());
        Tensor x = filled(s, Shape.of(2, 3, 13, 27), 5);
        int oh = w.outputHeight(13);
        int ow = w.outputWidth(27);
        Tensor y = s.allocate(DType.FLOAT32, Shape.of(2, 3, oh, ow));
        be.maxPool2d(x, w, y);
        float[] in = x.toFloatArray();
        float[] expected = new float[2 * 3 * oh * ow];
        for (int plane = 0; plane < 6; plane++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              float m = in[plane * 13 * 27 + i * w.strideH() * 27 + j * w.strideW()];
              for (int u = 0; u < w.kernelH(); u++) {
                for (int v = 0; v < w.kernelW(); v++) {
                  m = Math.max(m, in[plane * 13 * 27 + (i * w.strideH() + u) * 27 + j * w.strideW() + v]);
                }
              }
              expected[(plane * oh + i) * ow + j] = m;
            }
          }
        }
        assertArrayEquals(expected, y.toFloatArray(), w.toString());
      }
    }
  }

  /** Normal values with the special ones sprinkled in, at an odd offset into a larger buffer. */
  private static Tensor filled(Scope s, Shape shape, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[shape.size() + 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(8) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 3);
    }
    return s.of(DType.FLOAT32, Shape.of(v.length), v).slice(0, 3, v.length).reshape(shape.toArray());
  }

  /** {@code op} element by element in double, narrowed: the reference definition. */
  private static float[] reference(BinaryOp op, Tensor a, Tensor b, Shape out) {
    float[] av = a.toFloatArray();
    float[] bv = b.toFloatArray();
    float[] r = new float[out.size()];
    int rank = out.rank();
    int[] idx = new int[rank];
    for (int e = 0; e < r.length; e++) {
      int rem = e;
      for (int d = rank - 1; d >= 0; d--) {
        idx[d] = rem % out.dim(d);
        rem /= out.dim(d);
      }
      r[e] = (float) op.apply(av[flat(a.shape(), idx, rank)], bv[flat(b.shape(), idx, rank)]);
    }
    return r;
  }

  /** The element of a tensor of {@code shape} that index {@code idx} of the broadcast shape reads. */
  private static int flat(Shape shape, int[] idx, int rank) {
    int lead = rank - shape.rank();
    int f = 0;
    for (int d = 0; d < shape.rank(); d++) {
      f = f * shape.dim(d) + (shape.dim(d) == 1 ? 0 : idx[lead + d]);
    }
    return f;
  }

  private static void assertEquals(float expected, float actual, int index) {
    assertEquals(expected, actual, index, "");
  }

  private static void assertEquals(float expected, float actual, int index, String what) {
    org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
        what + ", element " + index + ": expected " + expected + ", found " + actual);
  }

  /** Where the reference reduction starts: minus infinity for a maximum, else zero. */
  private static double start(ReduceOp op) {
    return op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
  }

  /** The reference reduction's result from its accumulated {@code acc} over {@code count} values. */
  private static float finish(ReduceOp op, float acc, int count) {
    return op == ReduceOp.MEAN ? (float) (acc / (double) count) : acc;
  }

  /** One step of the reference reduction, in double. */
  private static double accumulate(ReduceOp op, double acc, double v) {
    return switch (op) {
      case SUM, MEAN -> acc + v;
      case SUM_SQUARES -> acc + v * v;
      case MAX -> Math.max(acc, v);
    };
  }
}
