package org.sparkdl.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Updates a flat parameter buffer from its flat gradient buffer by the rule of an {@link
 * OptimizerSpec}, with the learning-rate schedule and global-norm clipping applied. The whole
 * network is updated by one fused kernel call.
 *
 * <p>The optimizer owns its state buffers (momentum, Adam's moments) and frees them on {@link
 * #close()}. {@link #state()} exposes them by name, and {@link #restore} puts saved values back,
 * so that a resumed run continues exactly.
 */
public final class Optimizer implements AutoCloseable {
  private final OptimizerSpec spec;
  private final LearningRateSchedule schedule;
  private final Tensor params;
  private final Tensor grads;
  private final Scope scope;
  private final Map<String, Tensor> state = new LinkedHashMap<>();
  private long steps;

  Optimizer(OptimizerSpec spec, Tensor params, Tensor grads) {
    if (!params.shape().equals(grads.shape()) || params.rank() != 1) {
      throw new IllegalArgumentException("Optimizer needs flat parameter and gradient buffers of one shape; found "
          + params.shape() + " and " + grads.shape() + ".");
    }
    this.spec = spec;
    this.schedule = spec.parsedSchedule();
    this.params = params;
    this.grads = grads;
    this.scope = params.backend().openScope("optimizer-" + spec.kind());
    for (String name : stateNames(spec)) {
      state.put(name, scope.zeros(params.dtype(), params.shape()));
    }
  }

  static List<String> stateNames(OptimizerSpec spec) {
    return switch (spec.kind()) {
      case "sgd" -> spec.momentum() > 0 ? List.of("momentum") : List.of();
      case "adam", "adamw" -> List.of("m", "v");
      case "rmsprop" -> spec.momentum() > 0 ? List.of("square_avg", "momentum") : List.of("square_avg");
      default -> throw new IllegalStateException(spec.kind());
    };
  }

  public OptimizerSpec spec() {
    return spec;
  }

  /** Updates taken so far. */
  public long steps() {
    return steps;
  }

  /** Sets the count of updates taken, for state restored in place (see {@link #state()}). */
  public void setSteps(long stepCount) {
    if (stepCount < 0) {
      throw new IllegalArgumentException("Step count must be >= 0, found " + stepCount + ".");
    }
    steps = stepCount;
  }

  /** The learning rate the next step will use. */
  public double currentLearningRate() {
    return spec.learningRate() * schedule.factor(steps + 1);
  }

  /**
   * One update from the current gradients, multiplied by {@code gradScale} first (e.g. {@code 1 /
   * total weight} to turn summed gradients into a mean).
   *
   * @return the L2 norm of the scaled gradient before clipping (NaN when clipping is off, to save a
   *     pass over the buffer)
   */
  public double step(double gradScale) {
    return step(gradScale, spec.clipNorm() > 0 ? gradientNorm() : Double.NaN);
  }

  /**
   * As {@link #step(double)}, with the L2 norm of the unscaled gradient given: for an optimizer
   * that updates one shard of a model whose gradient is spread over several workers, the norm of
   * the whole gradient (clipping needs it; ignored when {@code clipNorm} is 0).
   */
  public double step(double gradScale, double gradientNorm) {
    Backend be = params.backend();
    double scale = gradScale;
    double norm = Double.NaN;
    if (spec.clipNorm() > 0) {
      norm = gradientNorm * Math.abs(gradScale);
      if (norm > spec.clipNorm()) {
        scale *= spec.clipNorm() / (norm + 1e-12);
      }
    }
    steps++;
    double lr = spec.learningRate() * schedule.factor(steps);
    switch (spec.kind()) {
      case "sgd" -> be.sgdStep(params, grads, state.get("momentum"),
          new OptimizerKernels.Sgd(lr, spec.momentum(), spec.nesterov(), spec.weightDecay(), scale));
      case "adam", "adamw" -> be.adamStep(params, grads, state.get("m"), state.get("v"),
          new OptimizerKernels.Adam(lr, spec.beta1(), spec.beta2(), spec.eps(), spec.weightDecay(),
              spec.kind().equals("adamw"), steps, scale));
      case "rmsprop" -> be.rmsPropStep(params, grads, state.get("square_avg"), state.get("momentum"),
          new OptimizerKernels.RmsProp(lr, spec.alpha(), spec.eps(), spec.momentum(), spec.weightDecay(), scale));
      default -> throw new IllegalStateException(spec.kind());
    }
    return norm;
  }

  /** The L2 norm of the unscaled gradient buffer. */
  public double gradientNorm() {
    try (Scope tmp = scope.child("norm")) {
      Tensor sq = tmp.allocate(grads.dtype(), Shape.scalar());
      grads.backend().reduce(ReduceOp.SUM_SQUARES, grads, sq);
      return Math.sqrt(sq.item());
    }
  }

  /** State buffers by name ({@code m}, {@code v}, {@code momentum}, {@code square_avg}); views owned by the optimizer. */
  public Map<String, Tensor> state() {
    return Map.copyOf(state);
  }

  /**
   * Puts saved state back: every buffer of {@link #state()} by name, and the step count.
   *
   * @throws IllegalArgumentException naming a missing or mis-sized buffer
   */
  public void restore(Map<String, Tensor> saved, long stepCount) {
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      Tensor src = saved.get(e.getKey());
      if (src == null) {
        throw new IllegalArgumentException("Saved " + spec.kind() + " state lacks '" + e.getKey() + "'; found " + saved.keySet() + ".");
      }
      if (src.size() != e.getValue().size()) {
        throw new IllegalArgumentException("Saved " + spec.kind() + " state '" + e.getKey() + "' has " + src.size()
            + " values; the network has " + e.getValue().size() + " parameters.");
      }
      e.getValue().backend().copy(src.reshape(e.getValue().shape().toArray()), e.getValue());
    }
    if (stepCount < 0) {
      throw new IllegalArgumentException("Saved step count must be >= 0, found " + stepCount + ".");
    }
    steps = stepCount;
  }

  @Override
  public void close() {
    scope.close();
  }
}
