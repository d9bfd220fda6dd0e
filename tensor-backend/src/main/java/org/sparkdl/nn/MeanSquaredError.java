package org.sparkdl.nn;

import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.Tensor;

/** Mean squared error per row: {@code l = mean((p - t)^2)} over the row's outputs. */
public final class MeanSquaredError implements Loss {
  @Override
  public String name() {
    return "mse";
  }

  @Override
  public Var perSample(Var prediction, Tensor target) {
    Var d = Ops.sub(prediction, prediction.tape().constant(target));
    return Ops.meanPerSample(Ops.map(UnaryOp.SQUARE, d, 0));
  }
}
