package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A fully connected layer, {@code y = x W + b}, applied over the last axis.
 *
 * <p>Shapes: input {@code [..., in]} (rank &ge; 1, usually {@code [in]}) gives output
 * {@code [..., units]}. Parameters: weight {@code [in, units]} and, when {@link #bias()} is true,
 * bias {@code [units]} (initialized to zeros).
 *
 * <p>Weight initializers ({@code fan_in = in}, {@code fan_out = units}):
 * {@code glorot_uniform} U(&plusmn;sqrt(6 / (fan_in + fan_out))), {@code glorot_normal}
 * N(0, 2 / (fan_in + fan_out)), {@code he_uniform} U(&plusmn;sqrt(6 / fan_in)), {@code he_normal}
 * N(0, 2 / fan_in), {@code uniform} U(&plusmn;0.05), {@code normal} N(0, 0.05&sup2;), {@code zeros}.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param units output width, 1 to {@link #MAX_UNITS}
 * @param bias whether to add a learned bias
 * @param init weight initializer, one of {@link #INITS}
 */
public record Dense(String name, List<String> inputs, int units, boolean bias, String init) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "dense";
  /** Initializer used when none is given. */
  public static final String DEFAULT_INIT = "glorot_uniform";
  /** Known weight initializers, sorted. */
  public static final List<String> INITS =
      List.of("glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "normal", "uniform", "zeros");
  /** Largest allowed {@code units}; anything bigger is almost certainly a mistake. */
  public static final int MAX_UNITS = 1 << 24;

  /** Validates the fields and makes {@code inputs} immutable. */
  public Dense {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (units <= 0) {
      throw SpecChecks.layerError(name, "units must be > 0, found " + units + ".");
    }
    if (units > MAX_UNITS) {
      throw SpecChecks.layerError(name, "units must be at most " + MAX_UNITS + ", found " + units + ".");
    }
    if (init == null || !INITS.contains(init)) {
      throw SpecChecks.layerError(name, "unknown init '" + init + "'; known inits: " + String.join(", ", INITS) + ".");
    }
  }

  /** A dense layer with bias and the default initializer. */
  public Dense(String name, String input, int units) {
    this(name, Collections.singletonList(input), units, true, DEFAULT_INIT);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [..., in] -> [..., units]}; rejects weight matrices too large to index. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    long fanIn = in.get(in.size() - 1);
    if (fanIn * units > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "weight [" + fanIn + ", " + units + "] for input shape " + in
          + " has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    List<Integer> out = new ArrayList<>(in);
    out.set(out.size() - 1, units);
    if (SpecChecks.elementCount(out) > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "output shape " + out + " has more than " + SpecChecks.MAX_ELEMENTS
          + " elements.");
    }
    return List.copyOf(out);
  }
}
