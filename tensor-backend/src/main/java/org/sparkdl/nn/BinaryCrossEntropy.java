package org.sparkdl.nn;

import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.Tensor;

/**
 * Binary cross-entropy on logits, averaged over each row's outputs: {@code l = mean(softplus(z) -
 * t z)}, the stable form of {@code -(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))}. Targets
 * {@code t} in {@code [0, 1]}, shaped like the logits.
 */
public final class BinaryCrossEntropy implements Loss {
  @Override
  public String name() {
    return "binary_cross_entropy";
  }

  @Override
  public Var perSample(Var logits, Tensor target) {
    Var t = logits.tape().constant(target);
    Var elementwise = Ops.sub(Ops.map(UnaryOp.SOFTPLUS, logits, 0), Ops.mul(t, logits));
    return Ops.meanPerSample(elementwise);
  }
}
