package org.sparkdl.nn;

import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.Tensor;

/**
 * Huber loss per row, averaged over the row's outputs: for {@code d = p - t}, {@code 0.5 d^2} when
 * {@code |d| <= delta}, else {@code delta (|d| - delta / 2)}. Quadratic near zero, linear for
 * outliers.
 */
public final class Huber implements Loss {
  private final double delta;

  public Huber(double delta) {
    if (!(delta > 0)) {
      throw new IllegalArgumentException("Huber delta must be > 0, found " + delta + ".");
    }
    this.delta = delta;
  }

  public double delta() {
    return delta;
  }

  @Override
  public String name() {
    return delta == 1.0 ? "huber" : "huber:" + delta;
  }

  @Override
  public Var perSample(Var prediction, Tensor target) {
    Var d = Ops.sub(prediction, prediction.tape().constant(target));
    return Ops.meanPerSample(Ops.map(UnaryOp.HUBER, d, delta));
  }
}
