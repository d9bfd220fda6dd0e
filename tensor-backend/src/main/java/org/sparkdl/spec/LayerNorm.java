package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * Layer normalisation over the last {@code axes} per-example axes: each example (and each position
 * of the axes before them) is normalised by its own mean and variance over those axes, then scaled
 * and shifted elementwise, {@code y = (x - mean) / sqrt(var + epsilon) * gamma + beta}. The same in
 * training and inference.
 *
 * <p>Shapes: output shape equals input shape; {@code axes} is at most the input rank. Parameters:
 * {@code weight} (gamma, ones) and {@code bias} (beta, zeros), both shaped as the last {@code axes}
 * dimensions of the input (PyTorch's {@code normalized_shape}).
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param axes how many trailing axes to normalise over, &gt;= 1 (default 1)
 * @param epsilon added to the variance, &gt; 0 (default {@value BatchNorm#DEFAULT_EPSILON})
 */
public record LayerNorm(String name, List<String> inputs, int axes, double epsilon) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "layer_norm";

  /** Validates the fields; {@code axes} is checked against the input rank in {@link #outputShape}. */
  public LayerNorm {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (axes < 1) {
      throw SpecChecks.layerError(name, "axes must be >= 1, found " + axes + ".");
    }
    if (!(epsilon > 0 && Double.isFinite(epsilon))) {
      throw SpecChecks.layerError(name, "epsilon must be finite and > 0, found " + epsilon + ".");
    }
  }

  /** Layer normalisation over the last axis with the default epsilon. */
  public LayerNorm(String name, String input) {
    this(name, Collections.singletonList(input), 1, BatchNorm.DEFAULT_EPSILON);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The trailing dimensions normalised together (PyTorch's {@code normalized_shape}) for an input shape. */
  public List<Integer> normalizedShape(List<Integer> inputShape) {
    return List.copyOf(inputShape.subList(inputShape.size() - axes, inputShape.size()));
  }

  /** Shape unchanged; {@code axes} must not exceed the input rank. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    if (axes > in.size()) {
      throw SpecChecks.layerError(name, "axes " + axes + " exceeds the rank of input shape " + in
          + " (the batch dimension is not counted).");
    }
    return List.copyOf(in);
  }
}
