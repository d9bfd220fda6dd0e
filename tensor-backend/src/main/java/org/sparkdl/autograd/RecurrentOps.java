package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * One direction of one LSTM or GRU layer over a batch of sequences, as a single differentiable op
 * with backpropagation through time written beside it.
 *
 * <p><b>Forward.</b> The input projections of every step come from one gemm, {@code x W_ihᵀ} over
 * all {@code T B} rows (time-major, so each step's rows are contiguous); then each step runs one
 * gemm for the recurrent projection {@code h W_hhᵀ} and one fused cell kernel ({@link
 * Backend#lstmCell}, {@link Backend#gruCell}). Every state is kept for the backward pass.
 *
 * <p><b>Backward.</b> Walks the steps in reverse: per step the cell's backward kernel and one gemm
 * {@code gGates W_hh} for the gradient reaching the previous state. The weight and input gradients
 * then come from three gemms over all steps at once.
 *
 * <p><b>Masks.</b> An optional {@code mask [T, B]} (1 for a real step, 0 past the end of a
 * sequence) freezes a row's state at masked steps and zeroes its output there. A reversed pass
 * visits {@code t = T-1 .. 0}, so its state stays at zero through the padding and starts at each
 * row's last real step, as PyTorch's packed sequences do.
 */
public final class RecurrentOps {
  private RecurrentOps() {}

  /** The cell of a recurrent layer and its number of gate blocks. */
  public enum Cell {
    /** Gates {@code i, f, g, o}; state {@code (h, c)}. */
    LSTM(4),
    /** Gates {@code r, z, n} with PyTorch's reset applied to {@code W_hn h + b_hn}; state {@code h}. */
    GRU(3);

    private final int gates;

    Cell(int gates) {
      this.gates = gates;
    }

    /** Gate blocks per hidden unit: 4 for LSTM, 3 for GRU. */
    public int gates() {
      return gates;
    }
  }

  /**
   * Runs {@code cell} over {@code x [B, T, F]} with PyTorch's parameters of one layer and direction:
   * {@code wIh [G H, F]}, {@code wHh [G H, H]}, {@code bIh} and {@code bHh [G H]} ({@code G} gate
   * blocks), from a zero initial state.
   *
   * @param mask {@code [T, B]} of 1 (real step) and 0 (padding), or null when every step is real
   * @param reverse visit the steps from last to first
   * @param sequences return every step's output {@code [B, T, H]} (zero at masked steps) rather than
   *     the final state {@code [B, H]}
   */
  public static Var run(Cell cell, Var x, Tensor mask, Var wIh, Var wHh, Var bIh, Var bHh, boolean reverse,
      boolean sequences) {
    Shape xs = x.shape();
    int g = cell.gates();
    int hidden = wHh.shape().rank() == 2 ? wHh.shape().dim(1) : -1;
    checkShapes(cell, xs, mask, wIh.shape(), wHh.shape(), bIh.shape(), bHh.shape(), hidden);
    Tape tape = x.tape;
    Backend be = tape.backend();
    DType dt = x.dtype();
    int batch = xs.dim(0);
    int steps = xs.dim(1);
    int features = xs.dim(2);
    int width = g * hidden;
    int rows = steps * batch;

    Tensor xt = tape.allocate(dt, Shape.of(steps, batch, features));
    be.copy(x.value.transpose(0, 1), xt);
    boolean training = x.requiresGrad || wIh.requiresGrad || wHh.requiresGrad || bIh.requiresGrad || bHh.requiresGrad;
    if (cell == Cell.LSTM && !training) {
      return tape.record(lstmInference(tape, xt, mask, wIh.value, wHh.value, bIh.value, bHh.value, reverse, sequences),
          gOut -> {
            throw new IllegalStateException("An LSTM run without gradients has no backward pass.");
          }, x, wIh, wHh, bIh, bHh);
    }
    // input projections of all steps at once; the cells overwrite them with activations. An LSTM cell adds both biases
    // as it reads its gates (a broadcast of them into every step's gates would be written and read again in full);
    // a GRU's gates start as the input bias, its recurrent projections as the recurrent one
    Tensor gates = tape.allocate(dt, Shape.of(steps, batch, width));
    Tensor recurrent = null;
    Tensor bias = null;
    if (cell == Cell.LSTM) {
      bias = tape.allocate(dt, Shape.of(width));
      be.zip(BinaryOp.ADD, bIh.value, bHh.value, bias);
    } else {
      be.copy(bIh.value, gates);
      recurrent = tape.allocate(dt, Shape.of(steps, batch, width));
      be.copy(bHh.value, recurrent);
    }
    be.gemm(xt.reshape(rows, features), false, wIh.value, true, gates.reshape(rows, width), 1, cell == Cell.LSTM ? 0 : 1);

    // states in time order: forwards, step t reads slot t and writes t + 1; reversed, it reads t + 1 and writes t
    Tensor h = tape.allocate(dt, Shape.of(steps + 1, batch, hidden));
    Tensor c = cell == Cell.LSTM ? tape.allocate(dt, Shape.of(steps + 1, batch, hidden)) : null;
    int first = reverse ? steps : 0;
    be.fill(step(h, first), 0);
    if (c != null) {
      be.fill(step(c, first), 0);
    }
    Tensor y = sequences ? tape.allocate(dt, Shape.of(steps, batch, hidden)) : null;
    for (int s = 0; s < steps; s++) {
      int t = reverse ? steps - 1 - s : s;
      int in = reverse ? t + 1 : t;
      int out = reverse ? t : t + 1;
      Tensor hPrev = step(h, in);
      Tensor m = mask == null ? null : mask.slice(0, t, t + 1).reshape(batch);
      Tensor yt = y == null ? null : step(y, t);
      if (cell == Cell.LSTM) {
        Tensor gt = step(gates, t);
        be.gemm(hPrev, false, wHh.value, true, gt, 1, 1);
        be.lstmCell(gt, bias, step(c, in), hPrev, m, step(c, out), step(h, out), yt);
      } else {
        Tensor rt = step(recurrent, t);
        be.gemm(hPrev, false, wHh.value, true, rt, 1, 1);
        be.gruCell(step(gates, t), rt, hPrev, m, step(h, out), yt);
      }
    }
    Tensor result;
    if (sequences) {
      result = tape.allocate(dt, Shape.of(batch, steps, hidden));
      be.copy(y.transpose(0, 1), result);
    } else {
      result = step(h, reverse ? 0 : steps);
    }

    Tensor recurrentGates = recurrent;
    return tape.record(result, gOut -> {
      Tensor gy = null;
      Tensor gh = tape.allocate(dt, Shape.of(batch, hidden));
      if (sequences) {
        gy = tape.allocate(dt, Shape.of(steps, batch, hidden));
        be.copy(gOut.transpose(0, 1), gy);
        be.fill(gh, 0);
      } else {
        be.copy(gOut, gh);
      }
      Tensor gc = null;
      if (c != null) {
        gc = tape.allocate(dt, Shape.of(batch, hidden));
        be.fill(gc, 0);
      }
      // gradients of the input projections and (GRU only, else the same) of the recurrent ones
      Tensor gx = tape.allocate(dt, Shape.of(steps, batch, width));
      Tensor gr = cell == Cell.LSTM ? gx : tape.allocate(dt, Shape.of(steps, batch, width));
      for (int s = steps - 1; s >= 0; s--) {
        int t = reverse ? steps - 1 - s : s;
        int in = reverse ? t + 1 : t;
        int out = reverse ? t : t + 1;
        Tensor m = mask == null ? null : mask.slice(0, t, t + 1).reshape(batch);
        Tensor gyt = gy == null ? null : step(gy, t);
        if (cell == Cell.LSTM) {
          be.lstmCellBackward(step(gates, t), step(c, in), step(c, out), m, gyt, gh, gc, step(gx, t));
        } else {
          be.gruCellBackward(step(gates, t), step(recurrentGates, t), step(h, in), m, gyt, gh, step(gx, t),
              step(gr, t));
        }
        if (s > 0) {
          be.gemm(step(gr, t), false, wHh.value, false, gh, 1, 1);
        }
      }
      Tensor gxAll = gx.reshape(rows, width);
      Tensor grAll = gr.reshape(rows, width);
      if (wHh.requiresGrad) {
        // the state each step read, in time order
        Tensor prev = h.slice(0, reverse ? 1 : 0, reverse ? steps + 1 : steps).reshape(rows, hidden);
        double beta = tape.hasGrad(wHh) ? 1 : 0;
        be.gemm(grAll, true, prev, false, tape.gradTarget(wHh), 1, beta);
      }
      if (wIh.requiresGrad) {
        double beta = tape.hasGrad(wIh) ? 1 : 0;
        be.gemm(gxAll, true, xt.reshape(rows, features), false, tape.gradTarget(wIh), 1, beta);
      }
      if (bIh.requiresGrad || bHh.requiresGrad) {
        // the bias gradients are column sums, taken as a product with a row of ones so that BLAS does them
        Tensor ones = tape.allocate(dt, Shape.of(1, rows));
        be.fill(ones, 1);
        sendColumnSums(bIh, ones, gxAll);
        sendColumnSums(bHh, ones, grAll);
      }
      if (x.requiresGrad) {
        Tensor gxt = tape.allocate(dt, Shape.of(steps, batch, features));
        be.gemm(gxAll, false, wIh.value, false, gxt.reshape(rows, features), 1, 0);
        Tensor gInput = tape.allocate(dt, xs);
        be.copy(gxt.transpose(0, 1), gInput);
        tape.accumulate(x, gInput, false);
      }
    }, x, wIh, wHh, bIh, bHh);
  }

  /**
   * An LSTM's forward pass when no gradient will be asked for: each step's gates come from one
   * gemm of {@code [x_t, h]} with {@code [W_ih, W_hh]} into one step's buffer, and {@link
   * Backend#lstmStep} forms the states, so no tensor of every step's gates is written and read
   * again (for a batch of 512 rows over 28 steps of 512 gates, 29 MB, well past the caches).
   */
  private static Tensor lstmInference(Tape tape, Tensor xt, Tensor mask, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
      boolean reverse, boolean sequences) {
    Backend be = tape.backend();
    DType dt = xt.dtype();
    int steps = xt.dim(0);
    int batch = xt.dim(1);
    int features = xt.dim(2);
    int hidden = wHh.dim(1);
    int width = 4 * hidden;
    Tensor weights = tape.allocate(dt, Shape.of(width, features + hidden));
    be.copy(wIh, weights.slice(1, 0, features));
    be.copy(wHh, weights.slice(1, features, features + hidden));
    Tensor bias = tape.allocate(dt, Shape.of(width));
    be.zip(BinaryOp.ADD, bIh, bHh, bias);
    Tensor in = tape.allocate(dt, Shape.of(batch, features + hidden));
    Tensor gates = tape.allocate(dt, Shape.of(batch, width));
    // two slots of state, read and written in turn
    Tensor h = tape.allocate(dt, Shape.of(2, batch, hidden));
    Tensor c = tape.allocate(dt, Shape.of(2, batch, hidden));
    be.fill(step(h, 0), 0);
    be.fill(step(c, 0), 0);
    Tensor y = sequences ? tape.allocate(dt, Shape.of(steps, batch, hidden)) : null;
    for (int s = 0; s < steps; s++) {
      int t = reverse ? steps - 1 - s : s;
      Tensor hPrev = step(h, s % 2);
      be.copy(step(xt, t), in.slice(1, 0, features));
      be.copy(hPrev, in.slice(1, features, features + hidden));
      be.gemm(in, false, weights, true, gates, 1, 0);
      Tensor m = mask == null ? null : mask.slice(0, t, t + 1).reshape(batch);
      be.lstmStep(gates, bias, step(c, s % 2), hPrev, m, step(c, (s + 1) % 2), step(h, (s + 1) % 2),
          y == null ? null : step(y, t));
    }
    if (!sequences) {
      return step(h, steps % 2);
    }
    Tensor result = tape.allocate(dt, Shape.of(batch, steps, hidden));
    be.copy(y.transpose(0, 1), result);
    return result;
  }

  /** Step {@code t} of a time-major {@code [T, B, K]} tensor, as a contiguous {@code [B, K]} view. */
  private static Tensor step(Tensor timeMajor, int t) {
    return timeMajor.slice(0, t, t + 1).reshape(timeMajor.dim(1), timeMajor.dim(2));
  }

  /** Adds {@code ones · rows} (the sum of the rows) to the gradient of {@code bias}. */
  private static void sendColumnSums(Var bias, Tensor ones, Tensor rows) {
    if (!bias.requiresGrad) {
      return;
    }
    Tape tape = bias.tape;
    double beta = tape.hasGrad(bias) ? 1 : 0;
    tape.backend().gemm(ones, false, rows, false, tape.gradTarget(bias).reshape(1, rows.dim(1)), 1, beta);
  }

  private static void checkShapes(Cell cell, Shape x, Tensor mask, Shape wIh, Shape wHh, Shape bIh, Shape bHh,
      int hidden) {
    String op = cell.name().toLowerCase(java.util.Locale.ROOT);
    if (x.rank() != 3) {
      throw new IllegalArgumentException(op + " needs an input [batch, steps, features]; found " + x + ".");
    }
    int width = cell.gates() * hidden;
    if (hidden < 1 || !wHh.equals(Shape.of(width, hidden)) || !wIh.equals(Shape.of(width, x.dim(2)))
        || !bIh.equals(Shape.of(width)) || !bHh.equals(Shape.of(width))) {
      throw new IllegalArgumentException(op + " over an input " + x + ": weights " + wIh + ", " + wHh + " and biases "
          + bIh + ", " + bHh + " do not fit; with H = W_hh's second dimension they must be [" + cell.gates()
          + " H, features], [" + cell.gates() + " H, H], [" + cell.gates() + " H] and [" + cell.gates() + " H].");
    }
    if (mask != null && !mask.shape().equals(Shape.of(x.dim(1), x.dim(0)))) {
      throw new IllegalArgumentException(op + " over an input " + x + ": the mask must be [steps, batch] = "
          + Shape.of(x.dim(1), x.dim(0)) + "; found " + mask.shape() + ".");
    }
  }
}
