package org.sparkdl.autograd;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Records the operations of one forward pass and runs them backwards (reverse-mode autodiff).
 *
 * <p>Operations are recorded in the order they run, which is a topological order of the graph, so
 * {@link #backward} simply visits them in reverse: several inputs, shared sub-graphs, residual adds
 * and concatenations need nothing special. A value's gradient is the sum of what every consumer
 * sends it.
 *
 * <p><b>Memory.</b> Every intermediate value and gradient is allocated in the tape's {@link Scope}
 * and freed when that scope closes. Parameters are leaves whose gradient tensor is supplied by the
 * caller ({@link #parameter}); backward adds into it, so the caller zeroes it between steps.
 */
public final class Tape {
  private final Scope scope;
  private final List<Entry> entries = new ArrayList<>();
  private final boolean training;
  /** False on an {@link #inference} tape: parameters join as constants and nothing is recorded. */
  private final boolean gradients;
  private final long seed;
  private long seedCounter;

  /** A backward rule: given the output's gradient, send gradients to the inputs. */
  @FunctionalInterface
  interface Backward {
    void apply(Tensor gradOut);
  }

  private record Entry(Var output, Backward backward) {}

  /**
   * @param scope where intermediates live; the tape is done when it closes
   * @param training whether layers behave as in training (dropout active)
   * @param seed base seed for random layers; each draws its own stream in recording order
   */
  public Tape(Scope scope, boolean training, long seed) {
    this(scope, training, true, seed);
  }

  private Tape(Scope scope, boolean training, boolean gradients, long seed) {
    this.scope = scope;
    this.training = training;
    this.gradients = gradients;
    this.seed = seed;
  }

  /**
   * A tape for scoring: layers behave as at inference, and nothing on it is differentiated, so
   * parameters join as constants, no backward rule is kept, and layers may compute in whatever
   * form is fastest without gradients (a convolution with the following batch normalisation
   * folded into its weights).
   */
  public static Tape inference(Scope scope) {
    return new Tape(scope, false, false, 0);
  }

  /** False on an {@link #inference} tape, where nothing can be differentiated. */
  public boolean recordsGradients() {
    return gradients;
  }

  public Scope scope() {
    return scope;
  }

  public Backend backend() {
    return Backend.of(scope);
  }

  /** True when recording a training pass. */
  public boolean isTraining() {
    return training;
  }

  /** A fresh seed for the next random operation, deterministic in recording order. */
  public long nextSeed() {
    return seed * 0x2545F4914F6CDD1DL + (++seedCounter);
  }

  /** A value that receives no gradient (input data, targets). */
  public Var constant(Tensor value) {
    return new Var(this, value, false, null);
  }

  /** Sparse rows as an input (no gradient): only a dense layer may read it ({@link Ops#sparseLinear}). */
  public Var sparse(CsrMatrix rows) {
    return new Var(this, null, rows, false, null);
  }

  /** A value whose gradient is wanted but held by the tape (e.g. an input under a gradient check). */
  public Var variable(Tensor value) {
    return new Var(this, value, true, null);
  }

  /** A parameter: backward adds its gradient into {@code grad}, which the caller owns and zeroes. */
  public Var parameter(Tensor value, Tensor grad) {
    if (!gradients) {
      return constant(value);
    }
    if (!grad.shape().equals(value.shape())) {
      throw new IllegalArgumentException("Gradient " + grad.shape() + " does not match parameter " + value.shape() + ".");
    }
    return new Var(this, value, true, grad);
  }

  /** Allocates an intermediate in the tape's scope. */
  public Tensor allocate(DType dtype, Shape shape) {
    return scope.allocate(dtype, shape);
  }

  /** Records an op's output; it requires a gradient when any input does. */
  Var record(Tensor value, Backward backward, Var... inputs) {
    boolean grad = false;
    for (Var v : inputs) {
      if (v.tape != this) {
        throw new IllegalArgumentException("A value from another tape was passed to this one.");
      }
      grad |= v.requiresGrad;
    }
    Var out = new Var(this, value, grad, null);
    if (grad) {
      entries.add(new Entry(out, backward));
    }
    return out;
  }

  /** Backpropagates from a one-element value (a loss), seeding its gradient with 1. */
  public void backward(Var loss) {
    if (loss.value.size() != 1) {
      throw new IllegalArgumentException("backward() needs a scalar; found shape " + loss.shape()
          + ". Pass a seed gradient for other shapes.");
    }
    Tensor seedGrad = allocate(loss.dtype(), loss.shape());
    backend().fill(seedGrad, 1.0);
    backward(loss, seedGrad);
  }

  /** Backpropagates from {@code out} with gradient {@code seedGrad}. */
  public void backward(Var out, Tensor seedGrad) {
    if (!out.requiresGrad) {
      throw new IllegalArgumentException("Nothing to differentiate: " + out + " does not depend on any parameter.");
    }
    accumulate(out, seedGrad, true);
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      if (e.output.grad != null) {
        e.backward.apply(e.output.grad);
      }
    }
    entries.clear();
  }

  /** True when {@code v} already holds a gradient to add into (parameters always do). */
  boolean hasGrad(Var v) {
    return v.grad != null;
  }

  /**
   * The tensor to accumulate {@code v}'s gradient in place: its existing (unshared) gradient, or a
   * new uninitialised one, which the caller must overwrite rather than add to ({@link #hasGrad}
   * tells which, asked before this call).
   */
  Tensor gradTarget(Var v) {
    if (v.grad == null) {
      v.grad = allocate(v.dtype(), v.shape());
      v.gradShared = false;
    } else if (v.gradShared) {
      Tensor own = allocate(v.dtype(), v.shape());
      backend().copy(v.grad, own);
      v.grad = own;
      v.gradShared = false;
    }
    return v.grad;
  }

  /**
   * Adds {@code g} to {@code v}'s gradient. {@code g} of {@code v}'s shape is adopted without a
   * copy when {@code v} has none yet; {@code shared} says whether something else also refers to it.
   */
  void accumulate(Var v, Tensor g, boolean shared) {
    if (!v.requiresGrad) {
      return;
    }
    if (v.grad == null && !v.externalGrad) {
      v.grad = g;
      v.gradShared = shared;
      return;
    }
    Tensor target = gradTarget(v);
    backend().zip(BinaryOp.ADD, target, g, target);
  }
}
