package org.sparkdl.autograd;

import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * A value in a {@link Tape}'s graph: its tensor, whether gradients flow to it, and (after {@link
 * Tape#backward}) its gradient. Created by the tape and by the functions in {@link Ops}.
 */
public final class Var {
  final Tape tape;
  final Tensor value;
  final boolean requiresGrad;
  final boolean externalGrad;
  Tensor grad;
  /** True while {@link #grad} is a tensor some other Var or op also refers to (copy on write). */
  boolean gradShared;

  Var(Tape tape, Tensor value, boolean requiresGrad, Tensor externalGrad) {
    this.tape = tape;
    this.value = value;
    this.requiresGrad = requiresGrad;
    this.externalGrad = externalGrad != null;
    this.grad = externalGrad;
  }

  /** The tape this value was recorded on. */
  public Tape tape() {
    return tape;
  }

  /** The forward value. */
  public Tensor value() {
    return value;
  }

  /** The gradient after {@link Tape#backward}, or {@code null} when none reached this value. */
  public Tensor grad() {
    return grad;
  }

  /** Whether gradients are computed for this value. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  public Shape shape() {
    return value.shape();
  }

  public DType dtype() {
    return value.dtype();
  }

  @Override
  public String toString() {
    return "Var(" + value.dtype() + " " + value.shape() + (requiresGrad ? ", grad" : "") + ")";
  }
}
