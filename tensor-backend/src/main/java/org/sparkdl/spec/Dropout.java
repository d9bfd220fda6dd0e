package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * Inverted dropout: during training each element is zeroed with probability {@code rate} and the
 * rest are scaled by {@code 1 / (1 - rate)}; at inference it is the identity. Shapes: output shape
 * equals input shape.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param rate drop probability, {@code 0 <= rate < 1}
 */
public record Dropout(String name, List<String> inputs, double rate) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "dropout";

  /** Validates the fields and makes {@code inputs} immutable. */
  public Dropout {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (!(rate >= 0.0 && rate < 1.0)) {
      throw SpecChecks.layerError(name, "rate must be in [0, 1), found " + rate + ".");
    }
    // -0.0 would print differently from 0.0 and break exact JSON round trips.
    rate = rate + 0.0;
  }

  /** A dropout layer reading one node. */
  public Dropout(String name, String input, double rate) {
    this(name, Collections.singletonList(input), rate);
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
