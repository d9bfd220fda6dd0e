package org.sparkdl.nn;

import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Tensor;

/**
 * Softmax cross-entropy on class indices: {@code l_i = -log softmax(z_i)[y_i]} for logits
 * {@code z [B, C]} and labels {@code y [B]} holding integers in {@code [0, C)}. Fused: the softmax
 * is computed once and its gradient is {@code softmax(z) - onehot(y)}.
 */
public final class SoftmaxCrossEntropy implements Loss {
  @Override
  public String name() {
    return "softmax_cross_entropy";
  }

  @Override
  public Var perSample(Var logits, Tensor labels) {
    return Ops.softmaxCrossEntropy(logits, labels);
  }
}
