package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Differentiable convolution and pooling over NCHW (and, for 1-D, NCW) tensors, each with its
 * backward rule beside it.
 *
 * <p>A convolution unfolds the whole batch once ({@link Backend#im2col}, columns {@code [C kh kw,
 * N OH OW]}) and multiplies each group's weights with its rows of the columns in one gemm, so the
 * gemm sees the batch as one wide matrix rather than many thin ones. Backward reuses the columns for
 * the weight gradient ({@code gW = gY colsᵀ}) and folds {@code Wᵀ gY} back with {@link
 * Backend#col2im} for the input gradient, which is skipped when the input needs none (the first
 * layer's data). Scoring, where nothing needs a gradient, runs a convolution together with the ReLU
 * and max pooling after it ({@link #conv2dScoring}): in the backend's fused kernel where it has one,
 * else on one CPU thread one example at a time (see {@code conv2dPerExample}).
 */
public final class ConvOps {
  private ConvOps() {}

  /** The fewest values per kernel row ({@code C kw}) at which scoring unfolds an example by kernel row. */
  static final int MIN_ROW_DEPTH = 32;

  /**
   * 2-D cross-correlation (what deep-learning libraries call convolution): {@code x [N, C, H, W]},
   * {@code w [Cout, C / groups, kh, kw]}, {@code b [Cout]} or {@code null}; gives {@code [N, Cout,
   * OH, OW]}. Input channel group {@code g} feeds output channels {@code [g Cout/groups, (g+1)
   * Cout/groups)}.
   *
   * @param window stride, padding and dilation; its kernel size must be {@code w}'s
   */
  public static Var conv2d(Var x, Var w, Var b, Window2d window, int groups) {
    Shape xs = x.shape();
    Shape ws = w.shape();
    checkConv(xs, ws, b, window, groups);
    Tape tape = x.tape;
    Backend be = tape.backend();
    int n = xs.dim(0);
    int c = xs.dim(1);
    int cout = ws.dim(0);
    int oh = window.outputHeight(xs.dim(2));
    int ow = window.outputWidth(xs.dim(3));
    int spatial = oh * ow;
    int k = ws.dim(1) * window.kernelSize();
    int coutG = cout / groups;
    if (groups == 1 && be.isHost() && be.threads() == 1 && !x.requiresGrad && !w.requiresGrad && (b == null || !b.requiresGrad)) {
      Tensor out = tape.allocate(x.dtype(), Shape.of(n, cout, oh, ow));
      conv2dPerExample(be, tape, x.value, w.value, b == null ? null : b.value, window, null, out);
      return tape.record(out, gy -> {}, b == null ? new Var[] {x, w} : new Var[] {x, w, b});
    }
    Tensor w2 = w.value.contiguous(tape.scope()).reshape(cout, k);
    Tensor cols = tape.allocate(x.dtype(), Shape.of(c * window.kernelSize(), n * spatial));
    be.im2col(x.value, window, cols);
    // [Cout, N OH OW]: the layout the gemm writes; permuted to [N, Cout, OH, OW] below
    Tensor outT = tape.allocate(x.dtype(), Shape.of(cout, n * spatial));
    double beta = 0;
    if (b != null) {
      be.copy(b.value.reshape(cout, 1), outT);
      beta = 1;
    }
    multiply(be, w2, cols, outT, groups, beta);
    Tensor out = tape.allocate(x.dtype(), Shape.of(n, cout, oh, ow));
    be.copy(outT.reshape(cout, n, spatial).transpose(0, 1), out.reshape(n, cout, spatial));
    Var[] inputs = b == null ? new Var[] {x, w} : new Var[] {x, w, b};
    return tape.record(out, gy -> {
      Tensor gT = tape.allocate(gy.dtype(), Shape.of(cout, n * spatial));
      be.copy(gy.contiguous(tape.scope()).reshape(n, cout, spatial).transpose(0, 1), gT.reshape(cout, n, spatial));
      if (w.requiresGrad) {
        double bw = tape.hasGrad(w) ? 1 : 0;
        Tensor gw = tape.gradTarget(w).reshape(cout, k);
        for (int g = 0; g < groups; g++) {
          be.gemm(gT.slice(0, g * coutG, (g + 1) * coutG), false, cols.slice(0, g * k, (g + 1) * k), true,
              gw.slice(0, g * coutG, (g + 1) * coutG), 1, bw);
        }
      }
      if (b != null && b.requiresGrad) {
        Tensor gb = tape.allocate(gy.dtype(), Shape.of(cout, 1));
        be.reduce(ReduceOp.SUM, gT, gb);
        tape.accumulate(b, gb.reshape(cout), false);
      }
      if (x.requiresGrad) {
        Tensor gcols = tape.allocate(gy.dtype(), cols.shape());
        for (int g = 0; g < groups; g++) {
          be.gemm(w2.slice(0, g * coutG, (g + 1) * coutG), true, gT.slice(0, g * coutG, (g + 1) * coutG), false,
              gcols.slice(0, g * k, (g + 1) * k), 1, 0);
        }
        Tensor gx = tape.allocate(gy.dtype(), xs);
        be.col2im(gcols, window, gx);
        tape.accumulate(x, gx, false);
      }
    }, inputs);
  }

  /**
   * A convolution for scoring, where nothing needs a gradient, with what follows it in the network:
   * {@code maxPool(relu(conv2d(x, w, b)))}, the ReLU only when {@code relu}, the pooling only when
   * {@code maxPool} is not null (a ReLU commutes with a maximum, so which of the two came first
   * does not matter). The backend's fused kernel ({@link Backend#conv2dScoring}) runs it where it
   * has one; on one CPU thread without one, each example's convolution goes to a scratch output
   * that is pooled while it is in cache; otherwise the layers run one by one.
   */
  public static Var conv2dScoring(Var x, Var w, Var b, Window2d window, int groups, boolean relu, Window2d maxPool) {
    checkConv(x.shape(), w.shape(), b, window, groups);
    if (x.requiresGrad || w.requiresGrad || (b != null && b.requiresGrad)) {
      throw new IllegalArgumentException("conv2dScoring computes no gradients; an input requires one.");
    }
    Tape tape = x.tape;
    Backend be = tape.backend();
    Var[] inputs = b == null ? new Var[] {x, w} : new Var[] {x, w, b};
    if (groups == 1) {
      Shape conv = Shape.of(x.shape().dim(0), w.shape().dim(0), window.outputHeight(x.shape().dim(2)),
          window.outputWidth(x.shape().dim(3)));
      Shape pooled = maxPool == null ? conv : Shape.of(conv.dim(0), conv.dim(1), maxPool.outputHeight(conv.dim(2)),
          maxPool.outputWidth(conv.dim(3)));
      Tensor y = tape.allocate(x.dtype(), pooled);
      if (be.conv2dScoring(x.value, w.value, b == null ? null : b.value, window, relu, maxPool, y)) {
        return tape.record(y, gy -> {}, inputs);
      }
      if (be.isHost() && be.threads() == 1) {
        conv2dPerExample(be, tape, x.value, w.value, b == null ? null : b.value, window, maxPool, y);
        Var out = tape.record(y, gy -> {}, inputs);
        return relu ? Ops.map(UnaryOp.RELU, out, 0) : out;
      }
    }
    Var y = conv2d(x, w, b, window, groups);
    if (maxPool != null) {
      y = maxPool2d(y, maxPool);
    }
    return relu ? Ops.map(UnaryOp.RELU, y, 0) : y;
  }

  /**
   * The forward pass of a full (ungrouped) convolution on one CPU thread when nothing needs a
   * gradient (scoring in a Spark task): one example at a time, so that its columns stay in the
   * core's cache between the unfolding and the gemm, which writes the example's {@code [Cout, OH
   * OW]} output in place in {@code out} (no columns for the whole batch, no layout change
   * afterwards); with a max pooling {@code maxPool} after it, the output goes to a scratch example
   * that is pooled into {@code out} while in cache. Grouped convolutions (depthwise ones among them) keep the batch-wide
   * path: per example, their many small gemms would be as many more calls.
   *
   * <p>With a vertical stride of 1 and at least {@link #MIN_ROW_DEPTH} values per kernel row, the
   * example is unfolded by kernel row rather than by tap: a 1-row window gives {@code [C kw, Hp OW]}
   * ({@code Hp} the padded height), and kernel row {@code i}'s columns are the rows {@code i dh} to
   * {@code i dh + OH - 1} of it, a strided view. {@code kh} gemms of depth {@code C kw} then add up
   * the output: {@code kh} times less to unfold (45 KB instead of 160 KB an example for a LeNet's
   * second layer, whose unfolding took a third of the layer's time) for the same multiply-adds.
   */
  private static void conv2dPerExample(Backend be, Tape tape, Tensor x, Tensor w, Tensor b, Window2d window,
      Window2d maxPool, Tensor out) {
    int n = x.shape().dim(0);
    int c = x.shape().dim(1);
    int cout = w.shape().dim(0);
    int oh = window.outputHeight(x.shape().dim(2));
    int ow = window.outputWidth(x.shape().dim(3));
    int kh = window.kernelH();
    int rowDepth = w.shape().dim(1) * window.kernelW();
    boolean byRow = window.strideH() == 1 && kh > 1 && rowDepth >= MIN_ROW_DEPTH;
    Window2d unfold = byRow ? new Window2d(1, window.kernelW(), 1, window.strideW(), 1, window.dilationW(),
        window.padTop(), window.padBottom(), window.padLeft(), window.padRight()) : window;
    int rows = unfold.outputHeight(x.shape().dim(2));
    int depth = c * unfold.kernelSize();
    // with a bias, the columns end in a row of ones and the first product's weights in a column of the bias: the
    // product adds it, where broadcasting it into each example's output first wrote and read the output once more
    Tensor cols = tape.allocate(x.dtype(), Shape.of(depth + (b == null ? 0 : 1), rows * ow));
    Tensor unfolded = cols.slice(0, 0, depth);
    // byRow: the weights as [kh, Cout, C kw], one matrix per kernel row
    Tensor weights = byRow
        ? w.transpose(1, 2).transpose(0, 1).contiguous(tape.scope()).reshape(kh, cout, rowDepth)
        : w.contiguous(tape.scope()).reshape(1, cout, w.shape().size() / cout);
    Tensor first = weights.slice(0, 0, 1).reshape(cout, depth);
    if (b != null) {
      be.fill(cols.slice(0, depth, depth + 1), 1);
      Tensor withBias = tape.allocate(x.dtype(), Shape.of(cout, depth + 1));
      be.copy(first, withBias.slice(1, 0, depth));
      be.copy(b.reshape(cout, 1), withBias.slice(1, depth, depth + 1));
      first = withBias;
    }
    // with a pooling after it, each example's convolution goes to scratch and is pooled into the output from cache
    Tensor scratch = maxPool == null ? null : tape.allocate(x.dtype(), Shape.of(1, cout, oh, ow));
    for (int e = 0; e < n; e++) {
      be.im2col(x.slice(0, e, e + 1), unfold, unfolded);
      Tensor y = (maxPool == null ? out.slice(0, e, e + 1) : scratch).reshape(cout, oh * ow);
      for (int i = 0; i < weights.shape().dim(0); i++) {
        int from = i * window.dilationH() * ow;
        Tensor rowsOf = i == 0 ? cols : unfolded;
        multiply(be, i == 0 ? first : weights.slice(0, i, i + 1).reshape(cout, depth),
            byRow ? rowsOf.slice(1, from, from + oh * ow) : rowsOf, y, 1, i == 0 ? 0 : 1);
      }
      if (maxPool != null) {
        be.maxPool2d(scratch, maxPool, out.slice(0, e, e + 1));
      }
    }
  }

  /** {@code out = w2 cols + beta out}, group by group: group g's weight rows times its rows of the columns. */
  private static void multiply(Backend be, Tensor w2, Tensor cols, Tensor out, int groups, double beta) {
    int coutG = w2.shape().dim(0) / groups;
    int k = w2.shape().dim(1);
    for (int g = 0; g < groups; g++) {
      be.gemm(w2.slice(0, g * coutG, (g + 1) * coutG), false, cols.slice(0, g * k, (g + 1) * k), false,
          out.slice(0, g * coutG, (g + 1) * coutG), 1, beta);
    }
  }

  /** The 2-D window of a 1-D convolution over {@code [N, C, 1, L]}: one row, the kernel along the length. */
  public static Window2d window1d(int kernel, int stride, int padLeft, int padRight, int dilation) {
    return new Window2d(1, kernel, 1, stride, 1, dilation, 0, 0, padLeft, padRight);
  }

  /**
   * 1-D cross-correlation: {@code x [N, C, L]}, {@code w [Cout, C / groups, k]}, {@code b [Cout]}
   * or {@code null}; gives {@code [N, Cout, OL]}. Runs as a 2-D convolution of height 1.
   *
   * @param padLeft zeros before the sequence
   * @param padRight zeros after it
   */
  public static Var conv1d(Var x, Var w, Var b, int stride, int padLeft, int padRight, int dilation, int groups) {
    if (x.shape().rank() != 3 || w.shape().rank() != 3) {
      throw new IllegalArgumentException("conv1d needs an input [batch, channels, length] and a weight [out, in / groups,"
          + " kernel]; found " + x.shape() + " and " + w.shape() + ".");
    }
    Shape xs = x.shape();
    Shape ws = w.shape();
    Window2d window = window1d(ws.dim(2), stride, padLeft, padRight, dilation);
    Var y = conv2d(Ops.reshape(x, xs.dim(0), xs.dim(1), 1, xs.dim(2)), Ops.reshape(w, ws.dim(0), ws.dim(1), 1, ws.dim(2)),
        b, window, groups);
    return Ops.reshape(y, xs.dim(0), ws.dim(0), y.shape().dim(3));
  }

  private static void checkConv(Shape xs, Shape ws, Var b, Window2d window, int groups) {
    if (xs.rank() != 4 || ws.rank() != 4) {
      throw new IllegalArgumentException("conv2d needs an input [batch, channels, height, width] and a weight [out, in /"
          + " groups, kh, kw]; found " + xs + " and " + ws + ".");
    }
    if (groups < 1 || xs.dim(1) % groups != 0 || ws.dim(0) % groups != 0 || ws.dim(1) * groups != xs.dim(1)) {
      throw new IllegalArgumentException("conv2d with " + groups + " groups: input " + xs + " and weight " + ws
          + " do not agree; input channels and output channels must divide into the groups, and the weight's second"
          + " dimension must be input channels / groups.");
    }
    if (ws.dim(2) != window.kernelH() || ws.dim(3) != window.kernelW()) {
      throw new IllegalArgumentException("conv2d: weight " + ws + " does not match the window's kernel "
          + window.kernelH() + "x" + window.kernelW() + ".");
    }
    if (b != null && !b.shape().equals(Shape.of(ws.dim(0)))) {
      throw new IllegalArgumentException("conv2d: bias " + b.shape() + " does not match " + ws.dim(0)
          + " output channels.");
    }
  }

  /** Max pooling of {@code x [N, C, H, W]} over {@code window} (padding never wins); gives {@code [N, C, OH, OW]}. */
  public static Var maxPool2d(Var x, Window2d window) {
    Tape tape = x.tape;
    Backend be = tape.backend();
    Tensor out = tape.allocate(x.dtype(), poolShape(x, window));
    be.maxPool2d(x.value, window, out);
    return tape.record(out, gy -> {
      Tensor gx = tape.allocate(gy.dtype(), x.shape());
      be.maxPool2dBackward(x.value, out, gy, window, gx);
      tape.accumulate(x, gx, false);
    }, x);
  }

  /**
   * Average pooling of {@code x [N, C, H, W]} over {@code window}; gives {@code [N, C, OH, OW]}.
   *
   * @param countPadding divide by the whole window (padding counts as zeros) rather than by the
   *     input elements it covers
   */
  public static Var avgPool2d(Var x, Window2d window, boolean countPadding) {
    Tape tape = x.tape;
    Backend be = tape.backend();
    Tensor out = tape.allocate(x.dtype(), poolShape(x, window));
    be.avgPool2d(x.value, window, countPadding, out);
    return tape.record(out, gy -> {
      Tensor gx = tape.allocate(gy.dtype(), x.shape());
      be.avgPool2dBackward(gy, window, countPadding, gx);
      tape.accumulate(x, gx, false);
    }, x);
  }

  private static Shape poolShape(Var x, Window2d window) {
    Shape s = x.shape();
    if (s.rank() != 4) {
      throw new IllegalArgumentException("2-D pooling needs an input [batch, channels, height, width]; found " + s + ".");
    }
    return Shape.of(s.dim(0), s.dim(1), Math.max(0, window.outputHeight(s.dim(2))),
        Math.max(0, window.outputWidth(s.dim(3))));
  }

  /** The mean over every axis after the first two: {@code [N, C, ...] -> [N, C]}. */
  public static Var globalAvgPool(Var x) {
    Shape s = x.shape();
    if (s.rank() < 3) {
      throw new IllegalArgumentException("Global average pooling needs an input [batch, channels, ...]; found " + s + ".");
    }
    int n = s.dim(0);
    int c = s.dim(1);
    int spatial = s.size() / Math.max(1, n * c);
    Var sum = Ops.sumTo(Ops.reshape(x, n, c, spatial), Shape.of(n, c, 1));
    return Ops.scale(Ops.reshape(sum, n, c), 1.0 / Math.max(1, spatial));
  }
}
