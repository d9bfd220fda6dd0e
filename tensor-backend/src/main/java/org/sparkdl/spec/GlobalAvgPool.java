package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * Global average pooling: the mean of each channel over all its positions. Shapes: input {@code
 * [C, ...]} of rank 2 or more (an image {@code [C, H, W]} or a sequence {@code [C, L]}) gives
 * {@code [C]}. No parameters.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 */
public record GlobalAvgPool(String name, List<String> inputs) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "global_avg_pool";

  /** Validates the fields. */
  public GlobalAvgPool {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
  }

  /** Global average pooling of one node. */
  public GlobalAvgPool(String name, String input) {
    this(name, Collections.singletonList(input));
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [C, ...] -> [C]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    if (in.size() < 2) {
      throw SpecChecks.layerError(name, "global_avg_pool needs an input [channels, ...] with at least one spatial"
          + " axis (batch excluded), found " + in + ".");
    }
    return List.of(in.get(0));
  }
}
