package org.sparkdl.optim;

import java.util.Locale;
import org.sparkdl.nn.ParameterStore;
import org.sparkdl.tensor.Tensor;

/**
 * Everything that defines an optimizer, as a value: kind and hyper-parameters, with the defaults
 * of PyTorch. Create one with a factory and adjust it with the {@code with...} methods:
 *
 * <pre>{@code OptimizerSpec.adamW(1e-3, 0.01).withClipNorm(1.0).withSchedule("warmup:500+cosine:10000")}</pre>
 *
 * @param kind {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
 * @param weightDecay L2 penalty added to the gradient (sgd, adam, rmsprop) or decoupled decay
 *     (adamw)
 * @param clipNorm if > 0, gradients are scaled so their global L2 norm is at most this
 * @param schedule learning-rate schedule in its string form (see {@link LearningRateSchedule})
 */
public record OptimizerSpec(String kind, double learningRate, double momentum, boolean nesterov,
    double beta1, double beta2, double eps, double alpha, double weightDecay, double clipNorm, String schedule)
    implements java.io.Serializable {

  public OptimizerSpec {
    kind = kind.toLowerCase(Locale.ROOT);
    if (!(kind.equals("sgd") || kind.equals("adam") || kind.equals("adamw") || kind.equals("rmsprop"))) {
      throw new IllegalArgumentException("Unknown optimizer '" + kind + "'; known: sgd, adam, adamw, rmsprop.");
    }
    check(learningRate > 0, "learningRate must be > 0", learningRate);
    check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)", momentum);
    check(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0", momentum);
    check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1)", beta1);
    check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1)", beta2);
    check(eps > 0, "eps must be > 0", eps);
    check(alpha >= 0 && alpha < 1, "alpha must be in [0, 1)", alpha);
    check(weightDecay >= 0, "weightDecay must be >= 0", weightDecay);
    check(clipNorm >= 0, "clipNorm must be >= 0 (0 disables clipping)", clipNorm);
    schedule = LearningRateSchedule.parse(schedule).toString();
  }

  private static void check(boolean ok, String what, double found) {
    if (!ok) {
      throw new IllegalArgumentException("Optimizer: " + what + ", found " + found + ".");
    }
  }

  /** Plain SGD. */
  public static OptimizerSpec sgd(double lr) {
    return new OptimizerSpec("sgd", lr, 0, false, 0.9, 0.999, 1e-8, 0.99, 0, 0, "constant");
  }

  /** Adam (Kingma &amp; Ba) with betas (0.9, 0.999), eps 1e-8. */
  public static OptimizerSpec adam(double lr) {
    return new OptimizerSpec("adam", lr, 0, false, 0.9, 0.999, 1e-8, 0.99, 0, 0, "constant");
  }

  /** AdamW (Loshchilov &amp; Hutter): Adam with decoupled weight decay. */
  public static OptimizerSpec adamW(double lr, double weightDecay) {
    return new OptimizerSpec("adamw", lr, 0, false, 0.9, 0.999, 1e-8, 0.99, weightDecay, 0, "constant");
  }

  /** RMSProp with alpha 0.99, eps 1e-8. */
  public static OptimizerSpec rmsProp(double lr) {
    return new OptimizerSpec("rmsprop", lr, 0, false, 0.9, 0.999, 1e-8, 0.99, 0, 0, "constant");
  }

  /** The named kind with default hyper-parameters and the given rate. */
  public static OptimizerSpec of(String kind, double lr) {
    return new OptimizerSpec(kind, lr, 0, false, 0.9, 0.999, 1e-8, 0.99, kind.equalsIgnoreCase("adamw") ? 0.01 : 0, 0, "constant");
  }

  public OptimizerSpec withLearningRate(double lr) {
    return new OptimizerSpec(kind, lr, momentum, nesterov, beta1, beta2, eps, alpha, weightDecay, clipNorm, schedule);
  }

  public OptimizerSpec withMomentum(double m, boolean useNesterov) {
    return new OptimizerSpec(kind, learningRate, m, useNesterov, beta1, beta2, eps, alpha, weightDecay, clipNorm, schedule);
  }

  public OptimizerSpec withBetas(double b1, double b2) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, b1, b2, eps, alpha, weightDecay, clipNorm, schedule);
  }

  public OptimizerSpec withEps(double e) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, beta1, beta2, e, alpha, weightDecay, clipNorm, schedule);
  }

  public OptimizerSpec withAlpha(double a) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, beta1, beta2, eps, a, weightDecay, clipNorm, schedule);
  }

  public OptimizerSpec withWeightDecay(double wd) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, beta1, beta2, eps, alpha, wd, clipNorm, schedule);
  }

  public OptimizerSpec withClipNorm(double norm) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, beta1, beta2, eps, alpha, weightDecay, norm, schedule);
  }

  public OptimizerSpec withSchedule(String s) {
    return new OptimizerSpec(kind, learningRate, momentum, nesterov, beta1, beta2, eps, alpha, weightDecay, clipNorm, s);
  }

  /** The parsed schedule. */
  public LearningRateSchedule parsedSchedule() {
    return LearningRateSchedule.parse(schedule);
  }

  /** Buffers of the parameters' size this optimizer keeps (Adam's two moments, momentum's one, ...). */
  public int stateBuffers() {
    return Optimizer.stateNames(this).size();
  }

  /**
   * An optimizer of this spec over a network's parameter store: its row-sparse parameters are
   * updated lazily (see {@link Optimizer}).
   */
  public Optimizer create(ParameterStore store) {
    return new Optimizer(this, store);
  }

  /** An optimizer of this spec over flat parameter and gradient buffers, every element updated every step. */
  public Optimizer create(Tensor params, Tensor grads) {
    return new Optimizer(this, params, grads);
  }
}
