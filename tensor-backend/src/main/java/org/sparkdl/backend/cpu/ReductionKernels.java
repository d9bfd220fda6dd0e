package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * Reductions, softmax and the fused softmax cross-entropy on the CPU. Accumulation is in double;
 * float32 runs that are contiguous in the input and in the output, or that reduce into one output,
 * are read over heap-array chunks ({@link FloatRuns}) with the same arithmetic in the same order.
 */
final class ReductionKernels {
  private ReductionKernels() {}

  static void reduce(ReduceOp op, Tensor x, Tensor out) {
    HostView xv = HostView.of(x);
    HostView ov = HostView.of(out);
    int rank = x.rank();
    int lead = rank - out.rank();
    long[] outStrides = new long[rank];
    for (int i = lead; i < rank; i++) {
      boolean reduced = out.dim(i - lead) == 1 && x.dim(i) != 1;
      outStrides[i] = reduced ? 0 : out.stride(i - lead);
    }
    ElementwiseKernels.fill(out, op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0);
    long[][] strides = {x.strides(), outStrides};
    boolean f32 = x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32;
    FloatBuffer xf = f32 ? xv.floats() : null;
    FloatBuffer of = f32 ? ov.floats() : null;
    FloatRuns.Scratch scratch = new FloatRuns.Scratch(x.size());
    StridedLoop.run(x.shape().toArray(), strides, new long[] {x.offset(), out.offset()}, (st, n, sp) -> {
      int i = st[0];
      int o = st[1];
      if (f32 && sp[0] == 1 && sp[1] == 0 && n >= FloatRuns.MIN_RUN) {
        // a contiguous run into one output (a batch normalisation's channel, a row's sum)
        double acc = FloatRuns.reduceRun(op, xf, i, n, scratch);
        of.put(o, (float) (op == ReduceOp.MAX ? Math.max(of.get(o), acc) : of.get(o) + acc));
        return;
      }
      if (f32 && sp[0] == 1 && sp[1] == 1 && n >= FloatRuns.MIN_RUN) {
        // a contiguous run into a run of outputs (a bias gradient, summed over the rows)
        FloatRuns.reduceInto(op, xf, i, of, o, n, scratch);
        return;
      }
      if (sp[1] == 0) {
        double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
        for (int j = 0; j < n; j++, i += sp[0]) {
          double v = xv.get(i);
          acc = accumulate(op, acc, v);
        }
        ov.set(o, op == ReduceOp.MAX ? Math.max(ov.get(o), acc) : ov.get(o) + acc);
      } else {
        for (int j = 0; j < n; j++, i += sp[0], o += sp[1]) {
          ov.set(o, accumulate(op, ov.get(o), xv.get(i)));
        }
      }
    });
    if (op == ReduceOp.MEAN) {
      double count = out.size() == 0 ? 1 : (double) x.size() / out.size();
      StridedLoop.run(out.shape(), new Tensor[] {out}, (st, n, sp) -> {
        int o = st[0];
        for (int j = 0; j < n; j++, o += sp[0]) {
          ov.set(o, ov.get(o) / count);
        }
      });
    }
  }

  private static double accumulate(ReduceOp op, double acc, double v) {
    return switch (op) {
      case SUM, MEAN -> acc + v;
      case SUM_SQUARES -> acc + v * v;
      case MAX -> Math.max(acc, v);
    };
  }

  /** Softmax or log-softmax over the last axis of contiguous tensors. */
  static void softmax(Tensor x, Tensor out, boolean log) {
    HostView xv = HostView.of(x);
    HostView ov = HostView.of(out);
    int c = x.dim(-1);
    int rows = c == 0 ? 0 : x.size() / c;
    int xo = (int) x.offset();
    int oo = (int) out.offset();
    for (int r = 0; r < rows; r++) {
      int xi = xo + r * c;
      int oi = oo + r * c;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        max = Math.max(max, xv.get(xi + j));
      }
      double sum = 0;
      for (int j = 0; j < c; j++) {
        sum += Math.exp(xv.get(xi + j) - max);
      }
      double logSum = Math.log(sum);
      for (int j = 0; j < c; j++) {
        double z = xv.get(xi + j) - max;
        ov.set(oi + j, log ? z - logSum : Math.exp(z) / sum);
      }
    }
  }

  /**
   * Softmax: {@code gx = y (gy - sum(gy y))}; log-softmax: {@code gx = gy - exp(y) sum(gy)}, per
   * row of contiguous tensors.
   */
  static void softmaxBackward(Tensor y, Tensor gy, Tensor gx, boolean log) {
    HostView yv = HostView.of(y);
    HostView gv = HostView.of(gy);
    HostView ov = HostView.of(gx);
    int c = y.dim(-1);
    int rows = c == 0 ? 0 : y.size() / c;
    for (int r = 0; r < rows; r++) {
      int yi = (int) y.offset() + r * c;
      int gi = (int) gy.offset() + r * c;
      int oi = (int) gx.offset() + r * c;
      double dot = 0;
      for (int j = 0; j < c; j++) {
        dot += log ? gv.get(gi + j) : gv.get(gi + j) * yv.get(yi + j);
      }
      for (int j = 0; j < c; j++) {
        double yj = yv.get(yi + j);
        double g = gv.get(gi + j);
        ov.set(oi + j, log ? g - Math.exp(yj) * dot : yj * (g - dot));
      }
    }
  }

  static void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor losses, Tensor probs) {
    softmax(logits, probs, false);
    HostView lv = HostView.of(labels);
    HostView outv = HostView.of(losses);
    int rows = logits.dim(0);
    int c = logits.dim(1);
    HostView zv = HostView.of(logits);
    for (int r = 0; r < rows; r++) {
      int y = classOf(lv.get((int) (labels.offset() + r * labels.stride(0))), r, c);
      // -log softmax computed from the logits, not log(prob), so it stays finite for confident rows
      int zi = (int) logits.offset() + r * c;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        max = Math.max(max, zv.get(zi + j));
      }
      double sum = 0;
      for (int j = 0; j < c; j++) {
        sum += Math.exp(zv.get(zi + j) - max);
      }
      outv.set((int) (losses.offset() + r * losses.stride(0)), Math.log(sum) + max - zv.get(zi + y));
    }
  }

  static void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, Tensor gLoss, Tensor gLogits) {
    HostView pv = HostView.of(probs);
    HostView lv = HostView.of(labels);
    HostView gv = HostView.of(gLoss);
    HostView ov = HostView.of(gLogits);
    int rows = probs.dim(0);
    int c = probs.dim(1);
    for (int r = 0; r < rows; r++) {
      int y = classOf(lv.get((int) (labels.offset() + r * labels.stride(0))), r, c);
      double g = gv.get((int) (gLoss.offset() + r * gLoss.stride(0)));
      int pi = (int) probs.offset() + r * c;
      int oi = (int) gLogits.offset() + r * c;
      for (int j = 0; j < c; j++) {
        ov.set(oi + j, g * (pv.get(pi + j) - (j == y ? 1 : 0)));
      }
    }
  }

  private static int classOf(double label, int row, int classes) {
    if (!(label >= 0 && label < classes && label == Math.rint(label))) {
      throw new IllegalArgumentException("Label " + label + " in row " + row + " is not a class index in [0, "
          + classes + ").");
    }
    return (int) label;
  }
}
