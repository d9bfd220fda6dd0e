package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * Flattens each example to a vector, in row-major order. Shapes: input {@code [d1, ..., dn]} gives
 * output {@code [d1 * ... * dn]}; the batch dimension is kept.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 */
public record Flatten(String name, List<String> inputs) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "flatten";

  /** Validates the fields and makes {@code inputs} immutable. */
  public Flatten {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
  }

  /** A flatten layer reading one node. */
  public Flatten(String name, String input) {
    this(name, Collections.singletonList(input));
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [d1, ..., dn] -> [d1 * ... * dn]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    return List.of((int) SpecChecks.elementCount(inputShapes.get(0)));
  }
}
