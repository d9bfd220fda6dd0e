package org.sparkdl.backend;

/**
 * Hyper-parameters of the fused optimizer updates a backend runs over flat parameter buffers. Each
 * update first forms {@code g = grad * gradScale} (the scale carries the 1/total-weight
 * normalisation and any clipping factor), then applies the rule.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /**
   * SGD with momentum (PyTorch's form): {@code g += wd p; buf = momentum buf + g; step = nesterov ?
   * g + momentum buf : buf; p -= lr step}. With momentum 0 the buffer is unused.
   */
  public record Sgd(double lr, double momentum, boolean nesterov, double weightDecay, double gradScale) {}

  /**
   * Adam and AdamW: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m/(1-b1^t)) /
   * (sqrt(v/(1-b2^t)) + eps)}; weight decay is added to g (L2, Adam) or applied as {@code p -= lr
   * wd p} (decoupled, AdamW). {@code step} is t, counted from 1.
   */
  public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay,
      boolean decoupled, long step, double gradScale) {}

  /**
   * RMSProp (PyTorch's form, uncentred): {@code g += wd p; sq = alpha sq + (1-alpha) g^2; buf =
   * momentum buf + g / (sqrt(sq) + eps); p -= lr buf} (without momentum, {@code p -= lr g /
   * (sqrt(sq) + eps)}).
   */
  public record RmsProp(double lr, double alpha, double eps, double momentum, double weightDecay, double gradScale) {}
}
