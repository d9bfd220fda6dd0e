package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Differentiable operations. Each records its output on the inputs' {@link Tape} together with
 * its backward rule, written beside the forward computation.
 */
public final class Ops {
  private Ops() {}

  // ---------------------------------------------------------------- elementwise

  /** {@code a + b} with broadcasting. */
  public static Var add(Var a, Var b) {
    return binary(BinaryOp.ADD, a, b);
  }

  /** {@code a - b} with broadcasting. */
  public static Var sub(Var a, Var b) {
    return binary(BinaryOp.SUB, a, b);
  }

  /** {@code a * b} elementwise with broadcasting. */
  public static Var mul(Var a, Var b) {
    return binary(BinaryOp.MUL, a, b);
  }

  /** {@code a / b} elementwise with broadcasting. */
  public static Var div(Var a, Var b) {
    return binary(BinaryOp.DIV, a, b);
  }

  private static Var binary(BinaryOp op, Var a, Var b) {
    Tape tape = a.tape;
    Backend be = tape.backend();
    Tensor out = tape.allocate(a.dtype(), Shape.broadcast(a.shape(), b.shape()));
    be.zip(op, a.value, b.value, out);
    return tape.record(out, g -> {
      switch (op) {
        case ADD -> {
          sendReduced(a, g, true);
          sendReduced(b, g, true);
        }
        case SUB -> {
          sendReduced(a, g, true);
          if (b.requiresGrad) {
            Tensor n = tape.allocate(g.dtype(), g.shape());
            be.map(UnaryOp.NEG, g, n, 0);
            sendReduced(b, n, false);
          }
        }
        case MUL -> {
          sendProduct(a, g, b.value);
          sendProduct(b, g, a.value);
        }
        case DIV -> {
          // d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2 = -out/b
          if (a.requiresGrad) {
            Tensor ga = tape.allocate(g.dtype(), g.shape());
            be.zip(BinaryOp.DIV, g, b.value, ga);
            sendReduced(a, ga, false);
          }
          if (b.requiresGrad) {
            Tensor gb = tape.allocate(g.dtype(), g.shape());
            be.zip(BinaryOp.MUL, g, out, gb);
            be.zip(BinaryOp.DIV, gb, b.value, gb);
            be.map(UnaryOp.NEG, gb, gb, 0);
            sendReduced(b, gb, false);
          }
        }
        default -> throw new IllegalStateException("No gradient for " + op + ".");
      }
    }, a, b);
  }

  private static void sendProduct(Var target, Tensor g, Tensor other) {
    if (!target.requiresGrad) {
      return;
    }
    Tensor p = target.tape.allocate(g.dtype(), g.shape());
    target.tape.backend().zip(BinaryOp.MUL, g, other, p);
    sendReduced(target, p, false);
  }

  /** Sends {@code g} to {@code v}, summed over the axes along which {@code v} was broadcast. */
  private static void sendReduced(Var v, Tensor g, boolean shared) {
    if (!v.requiresGrad) {
      return;
    }
    if (g.shape().equals(v.shape())) {
      v.tape.accumulate(v, g, shared);
      return;
    }
    Tensor r = v.tape.allocate(g.dtype(), v.shape());
    v.tape.backend().reduce(ReduceOp.SUM, g, r);
    v.tape.accumulate(v, r, false);
  }

  /** {@code f(x; p)} elementwise for any {@link UnaryOp} (activations, exp, log, ...). */
  public static Var map(UnaryOp op, Var x, double p) {
    Tape tape = x.tape;
    Tensor out = tape.allocate(x.dtype(), x.shape());
    tape.backend().map(op, x.value, out, p);
    return tape.record(out, g -> {
      Tensor gx = tape.allocate(g.dtype(), g.shape());
      tape.backend().mapBackward(op, x.value, out, g, gx, p);
      tape.accumulate(x, gx, false);
    }, x);
  }

  /** {@code x * s}. */
  public static Var scale(Var x, double s) {
    return map(UnaryOp.SCALE, x, s);
  }

  // ---------------------------------------------------------------- matrices

  /**
   * {@code op(a) op(b)} for matrices or equally batched matrices, {@code op} transposing when asked.
   */
  public static Var matmul(Var a, boolean transA, Var b, boolean transB) {
    if (a.shape().rank() != b.shape().rank()) {
      throw new IllegalArgumentException("matmul needs operands of equal rank; found " + a.shape() + " and " + b.shape() + ".");
    }
    Tape tape = a.tape;
    Backend be = tape.backend();
    int m = transA ? a.shape().dim(-1) : a.shape().dim(-2);
    int n = transB ? b.shape().dim(-2) : b.shape().dim(-1);
    Shape outShape = a.shape().rank() == 3 ? Shape.of(a.shape().dim(0), m, n) : Shape.of(m, n);
    Tensor out = tape.allocate(a.dtype(), outShape);
    be.gemm(a.value, transA, b.value, transB, out, 1, 0);
    return tape.record(out, g -> {
      if (a.requiresGrad) {
        double beta = tape.hasGrad(a) ? 1 : 0;
        Tensor ga = tape.gradTarget(a);
        if (!transA) {
          be.gemm(g, false, b.value, !transB, ga, 1, beta);
        } else {
          be.gemm(b.value, transB, g, true, ga, 1, beta);
        }
      }
      if (b.requiresGrad) {
        double beta = tape.hasGrad(b) ? 1 : 0;
        Tensor gb = tape.gradTarget(b);
        if (!transB) {
          be.gemm(a.value, !transA, g, false, gb, 1, beta);
        } else {
          be.gemm(g, true, a.value, transA, gb, 1, beta);
        }
      }
    }, a, b);
  }

  /**
   * The affine map of a dense layer, {@code y = x wᵀ + b}: {@code x [B, in]}, {@code w [out, in]},
   * {@code b [out]} or {@code null}; gives {@code [B, out]}.
   */
  public static Var linear(Var x, Var w, Var b) {
    Tape tape = x.tape;
    Backend be = tape.backend();
    int batch = x.shape().dim(0);
    int outF = w.shape().dim(0);
    if (x.shape().rank() != 2 || w.shape().rank() != 2 || x.shape().dim(1) != w.shape().dim(1)) {
      throw new IllegalArgumentException("linear: input " + x.shape() + " does not match weight " + w.shape()
          + " (expected [batch, " + w.shape().dim(1) + "]).");
    }
    Tensor out = tape.allocate(x.dtype(), Shape.of(batch, outF));
    double beta = 0;
    if (b != null) {
      // broadcast the bias into every row, then let gemm add the product onto it (beta = 1)
      be.copy(b.value, out);
      beta = 1;
    }
    be.gemm(x.value, false, w.value, true, out, 1, beta);
    Var[] inputs = b == null ? new Var[] {x, w} : new Var[] {x, w, b};
    return tape.record(out, g -> {
      if (x.requiresGrad) {
        double bx = tape.hasGrad(x) ? 1 : 0;
        be.gemm(g, false, w.value, false, tape.gradTarget(x), 1, bx);
      }
      if (w.requiresGrad) {
        double bw = tape.hasGrad(w) ? 1 : 0;
        be.gemm(g, true, x.value, false, tape.gradTarget(w), 1, bw);
      }
      if (b != null && b.requiresGrad) {
        sendReduced(b, g, true);
      }
    }, inputs);
  }

  /**
   * {@code x w + b} for sparse rows {@code x [B, K]} (data: no gradient flows to it) and a weight
   * {@code w [K, N]} laid out by input, row {@code j} being what input {@code j} adds to every
   * output; {@code b [N]} may be null. Costs the entries of {@code x}, not {@code K}: only the rows
   * of {@code w} that {@code x} names are read, and only they receive a gradient (the others'
   * gradient is 0, written only when {@code w} has no gradient yet).
   */
  public static Var sparseLinear(CsrMatrix x, Var w, Var b) {
    Tape tape = w.tape;
    Backend be = tape.backend();
    if (w.shape().rank() != 2 || w.shape().dim(0) != x.width()) {
      throw new IllegalArgumentException("sparseLinear: sparse input " + x.shape() + " does not match weight " + w.shape()
          + " (expected [" + x.width() + ", outputs]).");
    }
    Tensor out = tape.allocate(w.dtype(), Shape.of(x.rows(), w.shape().dim(1)));
    be.sparseMatmul(x, w.value, out);
    if (b != null) {
      be.zip(BinaryOp.ADD, out, b.value, out);
    }
    Var[] inputs = b == null ? new Var[] {w} : new Var[] {w, b};
    return tape.record(out, g -> {
      if (w.requiresGrad) {
        boolean add = tape.hasGrad(w);
        Tensor gw = tape.gradTarget(w);
        if (!add) {
          be.fill(gw, 0);
        }
        be.sparseMatmulTransposedAdd(x, g, gw);
      }
      if (b != null && b.requiresGrad) {
        sendReduced(b, g, true);
      }
    }, inputs);
  }

  // ---------------------------------------------------------------- reductions

  /** The sum of all elements (a scalar). */
  public static Var sum(Var x) {
    return sumTo(x, Shape.scalar());
  }

  /** The mean of all elements (a scalar). */
  public static Var mean(Var x) {
    return scale(sum(x), 1.0 / Math.max(1, x.shape().size()));
  }

  /** The mean over every axis but the first: {@code [B, ...] -> [B]}; a {@code [B]} input is returned as is. */
  public static Var meanPerSample(Var x) {
    Shape s = x.shape();
    if (s.rank() == 1) {
      return x;
    }
    int rows = s.dim(0);
    int per = rows == 0 ? 0 : s.size() / rows;
    Var flat = reshape(x, rows, per);
    return scale(reshape(sumTo(flat, Shape.of(rows, 1)), rows), 1.0 / Math.max(1, per));
  }

  /** Sums {@code x} down to {@code shape} (see {@link Backend#reduce}). */
  public static Var sumTo(Var x, Shape shape) {
    Tape tape = x.tape;
    Tensor out = tape.allocate(x.dtype(), shape);
    tape.backend().reduce(ReduceOp.SUM, x.value, out);
    return tape.record(out, g -> {
      Tensor gx = tape.allocate(g.dtype(), x.shape());
      tape.backend().copy(g, gx);
      tape.accumulate(x, gx, false);
    }, x);
  }

  // ---------------------------------------------------------------- shapes

  /** A view with another shape (batch dimension included). */
  public static Var reshape(Var x, int... dims) {
    Tape tape = x.tape;
    Tensor src = x.value.contiguous(tape.scope());
    Tensor out = src.reshape(dims);
    return tape.record(out, g -> tape.accumulate(x, g.contiguous(tape.scope()).reshape(x.shape().toArray()), true), x);
  }

  /** Concatenation along {@code axis} (of the full shape, batch included; negative from the end). */
  public static Var concat(int axis, Var... xs) {
    if (xs.length == 0) {
      throw new IllegalArgumentException("concat needs at least one input.");
    }
    Tape tape = xs[0].tape;
    Shape first = xs[0].shape();
    int ax = first.axis(axis);
    int total = 0;
    for (Var v : xs) {
      Shape s = v.shape();
      if (s.rank() != first.rank() || !s.with(ax, 1).equals(first.with(ax, 1))) {
        throw new IllegalArgumentException("concat along axis " + axis + ": shapes " + first + " and " + s + " differ elsewhere.");
      }
      total += s.dim(ax);
    }
    Tensor out = tape.allocate(xs[0].dtype(), first.with(ax, total));
    int[] starts = new int[xs.length];
    int at = 0;
    for (int i = 0; i < xs.length; i++) {
      starts[i] = at;
      int d = xs[i].shape().dim(ax);
      tape.backend().copy(xs[i].value, out.slice(ax, at, at + d));
      at += d;
    }
    return tape.record(out, g -> {
      for (int i = 0; i < xs.length; i++) {
        int d = xs[i].shape().dim(ax);
        tape.accumulate(xs[i], g.slice(ax, starts[i], starts[i] + d), true);
      }
    }, xs);
  }

  // ---------------------------------------------------------------- normalised outputs

  /** Softmax over the last axis. */
  public static Var softmax(Var x) {
    return softmax(x, false);
  }

  /** Log-softmax over the last axis. */
  public static Var logSoftmax(Var x) {
    return softmax(x, true);
  }

  private static Var softmax(Var x, boolean log) {
    Tape tape = x.tape;
    Tensor out = tape.allocate(x.dtype(), x.shape());
    tape.backend().softmax(x.value, out, log);
    return tape.record(out, g -> {
      Tensor gx = tape.allocate(g.dtype(), g.shape());
      tape.backend().softmaxBackward(out, g, gx, log);
      tape.accumulate(x, gx, false);
    }, x);
  }

  /**
   * Inverted dropout: in training, zeroes each element with probability {@code rate} and scales the
   * rest by {@code 1/(1-rate)}; otherwise the identity.
   */
  public static Var dropout(Var x, double rate) {
    Tape tape = x.tape;
    if (!tape.isTraining() || rate == 0) {
      return x;
    }
    if (!(rate > 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), found " + rate + ".");
    }
    Tensor mask = tape.allocate(x.dtype(), x.shape());
    tape.backend().random(mask, Distribution.BERNOULLI, 1 - rate, 1 / (1 - rate), tape.nextSeed());
    return mul(x, tape.constant(mask));
  }

  /**
   * Per-row softmax cross-entropy of {@code logits [B, C]} against class indices {@code labels [B]};
   * gives {@code [B]}.
   */
  public static Var softmaxCrossEntropy(Var logits, Tensor labels) {
    Tape tape = logits.tape;
    Backend be = tape.backend();
    Shape s = logits.shape();
    if (s.rank() != 2) {
      throw new IllegalArgumentException("softmaxCrossEntropy needs logits [batch, classes]; found " + s + ".");
    }
    Tensor losses = tape.allocate(logits.dtype(), Shape.of(s.dim(0)));
    Tensor probs = tape.allocate(logits.dtype(), s);
    be.softmaxCrossEntropy(logits.value, labels, losses, probs);
    return tape.record(losses, g -> {
      Tensor gz = tape.allocate(g.dtype(), s);
      be.softmaxCrossEntropyBackward(probs, labels, g, gz);
      tape.accumulate(logits, gz, false);
    }, logits);
  }
}
