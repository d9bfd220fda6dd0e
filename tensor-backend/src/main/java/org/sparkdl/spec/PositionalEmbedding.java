package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * A learned positional embedding: adds a trainable tensor shaped as one example to every example,
 * {@code y[t, :] = x[t, :] + weight[t, :]}, so that layers blind to order (attention) can tell the
 * steps of a sequence apart.
 *
 * <p>Shapes: output shape equals input shape (usually {@code [T, D]}). Parameter: {@code weight},
 * shaped as the input, drawn from {@code init}.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param init initializer of the weight, one of {@link Dense#INITS} (default {@value #DEFAULT_INIT})
 */
public record PositionalEmbedding(String name, List<String> inputs, String init) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "positional_embedding";
  /** Initializer used when none is given: N(0, 0.05). */
  public static final String DEFAULT_INIT = "normal";

  /** Validates the fields and makes {@code inputs} immutable. */
  public PositionalEmbedding {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (init == null || !Dense.INITS.contains(init)) {
      throw SpecChecks.layerError(name, "unknown init '" + init + "'; known inits: " + String.join(", ", Dense.INITS)
          + ".");
    }
  }

  /** A positional embedding with the default initializer. */
  public PositionalEmbedding(String name, String input) {
    this(name, Collections.singletonList(input), DEFAULT_INIT);
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
