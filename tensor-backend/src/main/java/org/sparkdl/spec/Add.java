package org.sparkdl.spec;

import java.util.Arrays;
import java.util.List;

/**
 * Elementwise sum of two or more nodes, as in a residual connection. Shapes: every input must have
 * the same shape {@code s} (no broadcasting); the output has shape {@code s}.
 *
 * @param name unique layer name
 * @param inputs two or more node names (the same node may appear more than once)
 */
public record Add(String name, List<String> inputs) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "add";

  /** Validates the fields and makes {@code inputs} immutable. */
  public Add {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 2, Integer.MAX_VALUE);
  }

  /** An add layer reading the given nodes. */
  public Add(String name, String... inputs) {
    this(name, inputs == null ? null : Arrays.asList(inputs));
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** All input shapes equal; output the same shape. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> first = inputShapes.get(0);
    for (int i = 1; i < inputShapes.size(); i++) {
      List<Integer> other = inputShapes.get(i);
      if (!other.equals(first)) {
        throw SpecChecks.layerError(name, "input shapes " + first + " ('" + inputs.get(0) + "') and " + other
            + " ('" + inputs.get(i) + "') differ; add needs equal shapes.");
      }
    }
    return List.copyOf(first);
  }
}
