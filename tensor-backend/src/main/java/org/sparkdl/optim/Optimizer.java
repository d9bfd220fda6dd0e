package org.sparkdl.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.nn.Parameter;
import org.sparkdl.nn.ParameterStore;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Updates a flat parameter buffer from its flat gradient buffer by the rule of an {@link
 * OptimizerSpec}, with the learning-rate schedule and global-norm clipping applied. The whole
 * network is updated by one fused kernel call.
 *
 * <p><b>Lazy rows.</b> Created over a {@link ParameterStore} with {@linkplain Parameter#rowSparse
 * row-sparse} parameters (the weight of a dense layer that reads sparse rows), a step updates the
 * store's dense part whole and, of each row-sparse parameter, only the rows touched since the
 * gradients were last zeroed, with their state (TensorFlow's LazyAdam semantics): a row no batch
 * touched keeps its value and its momentum or moments, rather than drifting on momentum and
 * weight decay as a zero gradient would make it. Plain SGD without weight decay is the same
 * either way; Adam, momentum and decay differ from a dense update only on untouched rows. Bias
 * correction and the learning-rate schedule follow the global step count.
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
  private final List<Lazy> lazy;
  private final int denseSize;
  private long steps;

  /** A row-sparse parameter and where it starts in the flat buffers. */
  private record Lazy(Parameter parameter, int offset) {}

  Optimizer(OptimizerSpec spec, Tensor params, Tensor grads) {
    this(spec, params, grads, List.of(), params.size());
  }

  /**
   * An optimizer of {@code store}'s parameters that train: values from {@link
   * ParameterStore#frozenSize()} on, so that frozen parameters have no state and never change.
   */
  Optimizer(OptimizerSpec spec, ParameterStore store) {
    this(spec, trainable(store.values(), store.frozenSize()), trainable(store.grads(), store.frozenSize()),
        store.rowSparse().stream().map(p -> new Lazy(p, store.offset(p) - store.frozenSize())).toList(),
        store.denseSize() - store.frozenSize());
  }

  private static Tensor trainable(Tensor flat, int frozen) {
    if (frozen == flat.size()) {
      throw new IllegalArgumentException("Every parameter is frozen; an optimizer needs at least one that trains.");
    }
    return frozen == 0 ? flat : flat.slice(0, frozen, flat.size());
  }

  private Optimizer(OptimizerSpec spec, Tensor params, Tensor grads, List<Lazy> lazy, int denseSize) {
    if (!params.shape().equals(grads.shape()) || params.rank() != 1) {
      throw new IllegalArgumentException("Optimizer needs flat parameter and gradient buffers of one shape; found "
          + params.shape() + " and " + grads.shape() + ".");
    }
    this.spec = spec;
    this.schedule = spec.parsedSchedule();
    this.params = params;
    this.grads = grads;
    this.lazy = lazy;
    this.denseSize = denseSize;
    this.scope = Backend.of(params).openScope("optimizer-" + spec.kind());
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
    Backend be = Backend.of(params);
    double norm = spec.clipNorm() > 0 ? gradientNorm * Math.abs(gradScale) : Double.NaN;
    double scale = clippedScale(gradScale, gradientNorm);
    steps++;
    int n = denseSize;
    Tensor p = part(params, 0, n);
    Tensor g = part(grads, 0, n);
    switch (spec.kind()) {
      case "sgd" -> be.sgdStep(p, g, part(state.get("momentum"), 0, n), sgd(scale, steps));
      case "adam", "adamw" -> be.adamStep(p, g, part(state.get("m"), 0, n), part(state.get("v"), 0, n), adam(scale, steps));
      case "rmsprop" -> be.rmsPropStep(p, g, part(state.get("square_avg"), 0, n), part(state.get("momentum"), 0, n),
          rmsProp(scale, steps));
      default -> throw new IllegalStateException(spec.kind());
    }
    updateRows(scale, steps);
    return norm;
  }

  /**
   * {@code gradScale} times the clipping factor for a gradient of L2 norm {@code gradientNorm}
   * (unscaled): 1 when clipping is off or the scaled norm is within {@code clipNorm}.
   */
  public double clippedScale(double gradScale, double gradientNorm) {
    if (spec.clipNorm() > 0) {
      double norm = gradientNorm * Math.abs(gradScale);
      if (norm > spec.clipNorm()) {
        return gradScale * spec.clipNorm() / (norm + 1e-12);
      }
    }
    return gradScale;
  }

  /**
   * The lazy update of the row-sparse parameters' touched rows alone, as the {@code step}-th
   * update, with {@code scale} already holding any clipping factor ({@link #clippedScale}): for
   * a worker whose dense part another optimizer updates (a shard of it); the step count is not
   * changed.
   */
  public void stepRows(double scale, long step) {
    updateRows(scale, step);
  }

  /** The squared L2 norm of the row-sparse parameters' touched gradient rows (the others are 0). */
  public double rowGradientSquares() {
    Backend be = Backend.of(grads);
    double sum = 0;
    try (Scope tmp = scope.child("row-norm")) {
      Tensor sq = tmp.allocate(grads.dtype(), Shape.scalar());
      for (Lazy l : lazy) {
        int[] touched = l.parameter().touchedRows();
        if (touched.length > 0) {
          be.reduce(ReduceOp.SUM_SQUARES, touchedGradients(l, touched, tmp), sq);
          sum += sq.item();
        }
      }
    }
    return sum;
  }

  private void updateRows(double scale, long step) {
    Backend be = Backend.of(params);
    for (Lazy l : lazy) {
      int[] touched = l.parameter().touchedRows();
      if (touched.length == 0) {
        continue;
      }
      Shape shape = l.parameter().shape();
      int from = l.offset();
      int to = from + shape.size();
      try (Scope tmp = scope.child("lazy-rows")) {
        Tensor rows = rowIndices(touched, tmp);
        Tensor rowGrads = touchedGradients(l, touched, tmp);
        Tensor table = l.parameter().value();
        switch (spec.kind()) {
          case "sgd" -> be.sgdRowsStep(table, rows, rowGrads, matrix(state.get("momentum"), from, to, shape), sgd(scale, step));
          case "adam", "adamw" -> be.adamRowsStep(table, rows, rowGrads, matrix(state.get("m"), from, to, shape),
              matrix(state.get("v"), from, to, shape), adam(scale, step));
          case "rmsprop" -> be.rmsPropRowsStep(table, rows, rowGrads, matrix(state.get("square_avg"), from, to, shape),
              matrix(state.get("momentum"), from, to, shape), rmsProp(scale, step));
          default -> throw new IllegalStateException(spec.kind());
        }
      }
    }
  }

  private Tensor rowIndices(int[] rows, Scope tmp) {
    return tmp.of(params.dtype(), Shape.of(rows.length), Arrays.stream(rows).asDoubleStream().toArray());
  }

  /** The gradient rows of a row-sparse parameter that were touched, gathered into {@code [rows, width]}. */
  private Tensor touchedGradients(Lazy l, int[] touched, Scope tmp) {
    Tensor rowGrads = tmp.allocate(grads.dtype(), Shape.of(touched.length, l.parameter().shape().dim(1)));
    Backend.of(grads).gatherRows(l.parameter().grad(), rowIndices(touched, tmp), rowGrads);
    return rowGrads;
  }

  private double learningRate(long step) {
    return spec.learningRate() * schedule.factor(step);
  }

  private OptimizerKernels.Sgd sgd(double scale, long step) {
    return new OptimizerKernels.Sgd(learningRate(step), spec.momentum(), spec.nesterov(), spec.weightDecay(), scale);
  }

  private OptimizerKernels.Adam adam(double scale, long step) {
    return new OptimizerKernels.Adam(learningRate(step), spec.beta1(), spec.beta2(), spec.eps(), spec.weightDecay(),
        spec.kind().equals("adamw"), step, scale);
  }

  private OptimizerKernels.RmsProp rmsProp(double scale, long step) {
    return new OptimizerKernels.RmsProp(learningRate(step), spec.alpha(), spec.eps(), spec.momentum(), spec.weightDecay(),
        scale);
  }

  /** The L2 norm of the unscaled gradient buffer (of a row-sparse parameter, its touched rows: the others are 0). */
  public double gradientNorm() {
    try (Scope tmp = scope.child("norm")) {
      Tensor sq = tmp.allocate(grads.dtype(), Shape.scalar());
      Backend.of(grads).reduce(ReduceOp.SUM_SQUARES, part(grads, 0, denseSize), sq);
      return Math.sqrt(sq.item() + rowGradientSquares());
    }
  }

  /** Elements {@code [from, to)} of a flat buffer (itself when that is all of it; null stays null). */
  private static Tensor part(Tensor flat, int from, int to) {
    return flat == null || (from == 0 && to == flat.size()) ? flat : flat.slice(0, from, to);
  }

  /** Elements {@code [from, to)} of a flat buffer as a matrix of {@code shape} (null stays null). */
  private static Tensor matrix(Tensor flat, int from, int to, Shape shape) {
    return flat == null ? null : flat.slice(0, from, to).reshape(shape.toArray());
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
      Backend.of(e.getValue()).copy(src.reshape(e.getValue().shape().toArray()), e.getValue());
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
