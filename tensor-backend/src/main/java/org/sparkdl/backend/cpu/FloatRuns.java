package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;

/**
 * Float32 runs of the elementwise kernels ({@link ElementwiseKernels}) and reductions ({@link
 * ReductionKernels}) over heap-array chunks: a binary op over two operands each either contiguous or
 * one value broadcast along the run (a bias, a batch normalisation's per-channel scale), a unary op
 * and its gradient over contiguous runs, a run reduced into one value or added into a run of
 * outputs, and a run filled with one value. Each chunk is copied in bulk from the direct buffer
 * into a heap array, computed by a plain loop that HotSpot compiles to SIMD instructions by itself,
 * and copied out in bulk.
 *
 * <p>Not the Vector API: in a JVM that also runs the Vector API cell kernels ({@link
 * SimdCellKernels}), Vector API code here, sharing the library's generic methods and their
 * profiles, left those kernels compiled with boxed vectors (an LSTM scored 1.8x slower in Spark
 * tasks). Results equal the reference functions bit for bit: float {@code + - * /} round exactly as
 * the double reference narrowed, {@link Math#max}/{@link Math#min} of floats pick the same value,
 * and whatever else is computed in double as the reference computes it, in the same order.
 */
final class FloatRuns {
  /** Runs shorter than this stay element by element in the callers: a chunk's bulk copies would cost more. */
  static final int MIN_RUN = 16;
  /** Elements per chunk: three chunks stay in the core's L1 cache. */
  private static final int CHUNK = 1024;

  private FloatRuns() {}

  /**
   * Heap scratch of one kernel call: two operand chunks and a result chunk, allocated on first use
   * and no larger than the call's {@code elements} need, so that calls on small tensors, or whose
   * runs never take these paths, allocate nothing.
   */
  static final class Scratch {
    private final int size;
    private float[] a;
    private float[] b;
    private float[] c;
    private float[] o;

    Scratch(int elements) {
      size = Math.min(CHUNK, elements);
    }

    float[] a() {
      return a != null ? a : (a = new float[size]);
    }

    float[] b() {
      return b != null ? b : (b = new float[size]);
    }

    float[] c() {
      return c != null ? c : (c = new float[size]);
    }

    float[] o() {
      return o != null ? o : (o = new float[size]);
    }
  }

  /**
   * {@code o[oi + j] = op(a[ai + j * as], b[bi + j * bs])} for {@code j < n}, where each of {@code
   * as} and {@code bs} is 0 or 1 and the output run is contiguous.
   */
  static void zip(BinaryOp op, FloatBuffer a, int ai, int as, FloatBuffer b, int bi, int bs, FloatBuffer o, int oi,
      int n, Scratch s) {
    float[] x = s.a();
    float[] y = s.b();
    float[] r = s.o();
    int first = Math.min(n, x.length);
    if (as == 0) {
      Arrays.fill(x, 0, first, a.get(ai));
    }
    if (bs == 0) {
      Arrays.fill(y, 0, first, b.get(bi));
    }
    for (int from = 0; from < n; from += x.length) {
      int len = Math.min(x.length, n - from);
      if (as != 0) {
        a.get(ai + from, x, 0, len);
      }
      if (bs != 0) {
        b.get(bi + from, y, 0, len);
      }
      apply(op, x, y, r, len);
      o.put(oi + from, r, 0, len);
    }
  }

  private static void apply(BinaryOp op, float[] x, float[] y, float[] r, int len) {
    switch (op) {
      case ADD -> {
        for (int t = 0; t < len; t++) {
          r[t] = x[t] + y[t];
        }
      }
      case SUB -> {
        for (int t = 0; t < len; t++) {
          r[t] = x[t] - y[t];
        }
      }
      case MUL -> {
        for (int t = 0; t < len; t++) {
          r[t] = x[t] * y[t];
        }
      }
      case DIV -> {
        for (int t = 0; t < len; t++) {
          r[t] = x[t] / y[t];
        }
      }
      case MAX -> {
        for (int t = 0; t < len; t++) {
          r[t] = Math.max(x[t], y[t]);
        }
      }
      case MIN -> {
        for (int t = 0; t < len; t++) {
          r[t] = Math.min(x[t], y[t]);
        }
      }
    }
  }

  /**
   * {@code o[oi + j] = (float) op.apply(x[xi + j], p)} for {@code j < n}: the reference function,
   * narrowed, with loops of their own for the ops a training step runs over whole activations
   * (negation and squares in the backward pass of a subtraction and of batch normalisation).
   */
  static void map(UnaryOp op, FloatBuffer x, int xi, FloatBuffer o, int oi, int n, double p, Scratch s) {
    float[] in = s.a();
    float[] out = s.o();
    for (int from = 0; from < n; from += in.length) {
      int len = Math.min(in.length, n - from);
      x.get(xi + from, in, 0, len);
      map(op, in, out, len, p);
      o.put(oi + from, out, 0, len);
    }
  }

  private static void map(UnaryOp op, float[] x, float[] r, int len, double p) {
    switch (op) {
      case IDENTITY -> System.arraycopy(x, 0, r, 0, len);
      case NEG -> {
        for (int t = 0; t < len; t++) {
          r[t] = -x[t];
        }
      }
      case SQUARE -> {
        // the double product of two floats is exact, so narrowing it rounds as the float product does
        for (int t = 0; t < len; t++) {
          r[t] = x[t] * x[t];
        }
      }
      case RELU -> {
        for (int t = 0; t < len; t++) {
          r[t] = Math.max(x[t], 0f);
        }
      }
      case SCALE -> {
        for (int t = 0; t < len; t++) {
          r[t] = (float) (x[t] * p);
        }
      }
      case ADD_SCALAR -> {
        for (int t = 0; t < len; t++) {
          r[t] = (float) (x[t] + p);
        }
      }
      default -> {
        for (int t = 0; t < len; t++) {
          r[t] = (float) op.apply(x[t], p);
        }
      }
    }
  }

  /**
   * {@code gx[oi + j] = (float) (gy[gi + j] * op.derivative(x[xi + j], y[yi + j], p))} for {@code j
   * < n}: the reference, narrowed.
   */
  static void mapBackward(UnaryOp op, FloatBuffer x, int xi, FloatBuffer y, int yi, FloatBuffer gy, int gi,
      FloatBuffer gx, int oi, int n, double p, Scratch s) {
    float[] xs = s.a();
    float[] ys = op == UnaryOp.RELU || op == UnaryOp.SQUARE ? null : s.b();
    float[] gs = s.c();
    float[] out = s.o();
    for (int from = 0; from < n; from += xs.length) {
      int len = Math.min(xs.length, n - from);
      x.get(xi + from, xs, 0, len);
      if (ys != null) {
        y.get(yi + from, ys, 0, len);
      }
      gy.get(gi + from, gs, 0, len);
      switch (op) {
        case RELU -> {
          for (int t = 0; t < len; t++) {
            out[t] = gs[t] * reluSlope(xs[t]);
          }
        }
        case SQUARE -> {
          for (int t = 0; t < len; t++) {
            out[t] = (float) (gs[t] * (2.0 * xs[t]));
          }
        }
        default -> {
          for (int t = 0; t < len; t++) {
            out[t] = (float) (gs[t] * op.derivative(xs[t], ys[t], p));
          }
        }
      }
      gx.put(oi + from, out, 0, len);
    }
  }

  /**
   * ReLU's derivative as the reference has it, {@code x > 0 ? 1 : 0}, without a branch (one on the
   * sign of real activations mispredicts about every other element): {@code x > 0} exactly when its
   * bits less one lie in {@code [0, bits(+inf))}, which excludes the zeros, negatives and NaN.
   * Multiplying by it rather than masking the gradient's bits keeps a NaN gradient NaN and the sign
   * of a zero, as the reference does.
   */
  private static float reluSlope(float x) {
    int t = Float.floatToRawIntBits(x) - 1;
    int positive = ((t - 0x7f800000) & ~t) >> 31;
    return Float.intBitsToFloat(positive & 0x3f800000);
  }

  /**
   * The sum (or sum of squares, or maximum) of {@code x[xi, xi + n)} accumulated in double in index
   * order, as the reference reduction accumulates one run into one output.
   */
  static double reduceRun(ReduceOp op, FloatBuffer x, int xi, int n, Scratch s) {
    float[] in = s.a();
    double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
    for (int from = 0; from < n; from += in.length) {
      int len = Math.min(in.length, n - from);
      x.get(xi + from, in, 0, len);
      switch (op) {
        case SUM, MEAN -> {
          for (int t = 0; t < len; t++) {
            acc += in[t];
          }
        }
        case SUM_SQUARES -> {
          for (int t = 0; t < len; t++) {
            acc += (double) in[t] * in[t];
          }
        }
        case MAX -> {
          for (int t = 0; t < len; t++) {
            acc = Math.max(acc, in[t]);
          }
        }
      }
    }
    return acc;
  }

  /**
   * {@code o[oi + j] = (float) op(o[oi + j], x[xi + j])} for {@code j < n}, accumulating in double
   * and narrowing, as the reference reduction adds a run into a run of outputs (a sum over rows).
   */
  static void reduceInto(ReduceOp op, FloatBuffer x, int xi, FloatBuffer o, int oi, int n, Scratch s) {
    float[] in = s.a();
    float[] acc = s.o();
    for (int from = 0; from < n; from += in.length) {
      int len = Math.min(in.length, n - from);
      x.get(xi + from, in, 0, len);
      o.get(oi + from, acc, 0, len);
      switch (op) {
        case SUM, MEAN -> {
          for (int t = 0; t < len; t++) {
            acc[t] = (float) (acc[t] + (double) in[t]);
          }
        }
        case SUM_SQUARES -> {
          for (int t = 0; t < len; t++) {
            acc[t] = (float) (acc[t] + (double) in[t] * in[t]);
          }
        }
        case MAX -> {
          for (int t = 0; t < len; t++) {
            acc[t] = (float) Math.max((double) acc[t], in[t]);
          }
        }
      }
      o.put(oi + from, acc, 0, len);
    }
  }

  /** {@code o[oi + j] = value} for {@code j < n}. */
  static void fill(FloatBuffer o, int oi, int n, float value, Scratch s) {
    float[] chunk = s.o();
    Arrays.fill(chunk, 0, Math.min(n, chunk.length), value);
    for (int from = 0; from < n; from += chunk.length) {
      o.put(oi + from, chunk, 0, Math.min(chunk.length, n - from));
    }
  }
}
