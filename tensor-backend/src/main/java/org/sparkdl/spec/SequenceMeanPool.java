package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The mean over the steps of a sequence, {@code y = sum_{t < L} x[t, ...] / L}, where {@code L} is
 * the example's valid length when a lengths input is given (see {@link SequenceLengths}) and the
 * number of steps otherwise. Turns what a sequence model made of the steps into one vector, e.g.
 * for a classifier after a Transformer encoder.
 *
 * <p>Shapes: input {@code [T, ...]} of rank 2 or more gives {@code [...]}; the optional second
 * input has shape {@code [1]}. No parameters.
 *
 * @param name unique layer name
 * @param inputs the sequence, and optionally the lengths
 */
public record SequenceMeanPool(String name, List<String> inputs) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "sequence_mean_pool";

  /** Validates the fields and makes {@code inputs} immutable. */
  public SequenceMeanPool {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 2);
  }

  /** The mean over all steps of one node. */
  public SequenceMeanPool(String name, String input) {
    this(name, Collections.singletonList(input));
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [T, ...] -> [...]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    if (in.size() < 2) {
      throw SpecChecks.layerError(name, TYPE + " needs an input [steps, ...] of rank 2 or more (batch excluded),"
          + " found " + in + ".");
    }
    SequenceLengths.check(this, inputShapes);
    return List.copyOf(new ArrayList<>(in.subList(1, in.size())));
  }
}
