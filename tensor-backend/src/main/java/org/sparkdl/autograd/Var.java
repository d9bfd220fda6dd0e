package org.sparkdl.autograd;

import org.sparkdl.tensor.CsrMatrix;
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
  /** Sparse rows instead of a tensor: an input that only a dense layer reads (then {@link #value} is null). */
  final CsrMatrix sparse;
  final boolean requiresGrad;
  final boolean externalGrad;
  Tensor grad;
  /** True while {@link #grad} is a tensor some other Var or op also refers to (copy on write). */
  boolean gradShared;

  Var(Tape tape, Tensor value, boolean requiresGrad, Tensor externalGrad) {
    this(tape, value, null, requiresGrad, externalGrad);
  }

  Var(Tape tape, Tensor value, CsrMatrix sparse, boolean requiresGrad, Tensor externalGrad) {
    this.tape = tape;
    this.value = value;
    this.sparse = sparse;
    this.requiresGrad = requiresGrad;
    this.externalGrad = externalGrad != null;
    this.grad = externalGrad;
  }

  /** The tape this value was recorded on. */
  public Tape tape() {
    return tape;
  }

  /**
   * The forward value.
   *
   * @throws IllegalStateException for sparse rows, which have no dense value ({@link #sparse()})
   */
  public Tensor value() {
    if (sparse != null) {
      throw new IllegalStateException("This value is sparse rows " + sparse.shape() + "; only a dense layer reads them.");
    }
    return value;
  }

  /** The sparse rows this value stands for, or null for a dense value. */
  public CsrMatrix sparse() {
    return sparse;
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
    return sparse != null ? sparse.shape() : value.shape();
  }

  public DType dtype() {
    return sparse != null ? sparse.dtype() : value.dtype();
  }

  @Override
  public String toString() {
    return "Var(" + dtype() + " " + shape() + (sparse != null ? ", sparse" : "") + (requiresGrad ? ", grad" : "") + ")";
  }
}
