package org.sparkdl.ml;

import java.util.Map;
import org.sparkdl.backend.Backend;
import org.sparkdl.collective.Collective;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.tensor.Tensor;

/**
 * A task's share of the optimizer step in gradient mode: the gradients are reduce-scattered, each
 * task updates only its own part of the parameters (with its own part of the optimizer state),
 * and the parts are all-gathered, so that no task repeats the others' update. The same bytes move
 * as in an allreduce of the gradients, and the update is the same element by element as the whole
 * one (clipping uses the norm of the whole gradient, summed over the parts).
 *
 * <p>Row-sparse parameters (a dense layer reading sparse rows) are not sharded: the flat buffers
 * given are the network's dense part, their gradients are summed by {@link SparseRows}, and every
 * task applies the same lazy update to the same touched rows through its whole optimizer.
 *
 * <p>The worker's own optimizer keeps the whole state for checkpoints and the driver: {@link #load}
 * takes this task's part of it at the start, {@link #store} gathers the parts back into it.
 * Owns the part's state tensors; close it after the fit.
 */
final class ShardedUpdate implements AutoCloseable {
  private final Optimizer whole;
  private final Optimizer part;
  private final Tensor grads;
  private final int size;
  private final int lo;
  private final int hi;

  /** Over {@code params} and {@code grads}: the dense part that trains of the whole optimizer's buffers (their first values). */
  ShardedUpdate(Optimizer whole, Tensor params, Tensor grads, Collective c) {
    long[] owned = c.owned(params.size());
    this.whole = whole;
    this.grads = grads;
    this.size = params.size();
    this.lo = (int) owned[0];
    this.hi = (int) owned[1];
    this.part = whole.spec().create(params.slice(0, lo, hi), grads.slice(0, lo, hi));
  }

  /** Takes this task's part of the whole optimizer's state and its step count. */
  void load() {
    Map<String, Tensor> from = whole.state();
    part.state().forEach((name, t) -> Backend.of(t).copy(from.get(name).slice(0, lo, hi), t));
    part.setSteps(whole.steps());
  }

  /** Puts every task's part of the state back into each task's whole optimizer (an allgather per state tensor). */
  void store(Collective c) {
    Map<String, Tensor> to = whole.state();
    part.state().forEach((name, t) -> Backend.of(t).copy(t, to.get(name).slice(0, lo, hi)));
    for (Tensor t : FlatState.states(whole)) {
      // the dense part; the row-sparse rows' state is the same on every task already
      c.allgather(t.size() == size ? t : t.slice(0, 0, size));
    }
    whole.setSteps(part.steps());
  }

  /**
   * The step on this task's part after the reduce-scatter: gradients scaled by {@code gradScale};
   * with clipping on, the whole gradient's norm is summed over the tasks first.
   */
  void step(double gradScale, Collective c) {
    double norm = Double.NaN;
    if (part.spec().clipNorm() > 0) {
      double partNorm = part.gradientNorm();
      double[] squares = {partNorm * partNorm};
      c.allreduce(squares);
      // the summed row-sparse rows are the same on every task: counted once, after the sum
      norm = Math.sqrt(squares[0] + whole.rowGradientSquares());
    }
    part.step(gradScale, norm);
    whole.stepRows(whole.clippedScale(gradScale, norm), part.steps());
  }

  /** The gradients, whose part {@code [lo, hi)} this task owns after a reduce-scatter. */
  Tensor grads() {
    return grads;
  }

  @Override
  public void close() {
    part.close();
  }
}
