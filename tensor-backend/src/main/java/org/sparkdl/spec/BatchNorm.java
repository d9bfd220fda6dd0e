package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * Batch normalisation over the first per-example axis (the channels): {@code y = (x - mean) /
 * sqrt(var + epsilon) * gamma + beta} per channel. Training uses the batch's statistics and updates
 * running ones, {@code running = (1 - momentum) running + momentum batch} (PyTorch's convention:
 * Keras' {@code momentum = 0.99} is {@code 0.01} here); inference uses the running statistics.
 *
 * <p>Shapes: input {@code [C]}, {@code [C, L]} or {@code [C, H, W]}; output the same. Parameters:
 * {@code weight} (gamma, ones) and {@code bias} (beta, zeros), both {@code [C]}; non-trainable
 * buffers {@code running_mean} (zeros) and {@code running_var} (ones), saved with the weights.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param momentum weight of the batch statistics in the running ones, in [0, 1] (default {@value #DEFAULT_MOMENTUM})
 * @param epsilon added to the variance, &gt; 0 (default {@value #DEFAULT_EPSILON})
 */
public record BatchNorm(String name, List<String> inputs, double momentum, double epsilon) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "batch_norm";
  /** PyTorch's default momentum. */
  public static final double DEFAULT_MOMENTUM = 0.1;
  /** PyTorch's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-5;

  /** Validates the fields. */
  public BatchNorm {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw SpecChecks.layerError(name, "momentum must be in [0, 1], found " + momentum + ".");
    }
    if (!(epsilon > 0 && Double.isFinite(epsilon))) {
      throw SpecChecks.layerError(name, "epsilon must be finite and > 0, found " + epsilon + ".");
    }
    // -0.0 would print differently from 0.0 and break exact JSON round trips.
    momentum = momentum + 0.0;
  }

  /** Batch normalisation with the default momentum and epsilon. */
  public BatchNorm(String name, String input) {
    this(name, Collections.singletonList(input), DEFAULT_MOMENTUM, DEFAULT_EPSILON);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Shape unchanged. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    return List.copyOf(inputShapes.get(0));
  }
}
