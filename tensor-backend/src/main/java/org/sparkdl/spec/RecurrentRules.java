package org.sparkdl.spec;

import java.util.List;

/** The field and shape rules {@link Lstm} and {@link Gru} share, worded once. */
final class RecurrentRules {
  /** Most stacked layers; deeper stacks are almost certainly a mistake. */
  static final int MAX_LAYERS = 64;

  private RecurrentRules() {}

  /** Checks the fields and returns the inputs (the sequence, then optionally the lengths) as an immutable list. */
  static List<String> checkFields(String name, String type, List<String> inputs, int hiddenSize, int numLayers) {
    SpecChecks.checkName("Layer", name);
    List<String> copy = SpecChecks.checkInputs(name, type, inputs, 1, 2);
    if (hiddenSize <= 0 || hiddenSize > Dense.MAX_UNITS) {
      throw SpecChecks.layerError(name, "hidden_size must be in [1, " + Dense.MAX_UNITS + "], found " + hiddenSize
          + ".");
    }
    if (numLayers < 1 || numLayers > MAX_LAYERS) {
      throw SpecChecks.layerError(name, "num_layers must be in [1, " + MAX_LAYERS + "], found " + numLayers + ".");
    }
    return copy;
  }

  /**
   * {@code [T, F]} (and lengths {@code [1]}) to {@code [T, D H]} or {@code [D H]}, {@code D} = 2 when
   * bidirectional.
   */
  static List<Integer> outputShape(LayerSpec layer, List<List<Integer>> inputShapes, int gates, int hiddenSize,
      boolean bidirectional, boolean returnSequences) {
    SpecChecks.checkShapeCount(layer, inputShapes);
    String name = layer.name();
    List<Integer> in = inputShapes.get(0);
    if (in.size() != 2) {
      throw SpecChecks.layerError(name, layer.type() + " reads sequences of shape [steps, features]; found input shape "
          + in + " ('" + layer.inputs().get(0) + "'). Reshape it first, e.g. [784] to [28, 28].");
    }
    if (inputShapes.size() > 1 && !inputShapes.get(1).equals(List.of(1))) {
      throw SpecChecks.layerError(name, "the lengths input '" + layer.inputs().get(1)
          + "' must have shape [1], one length per example; found " + inputShapes.get(1) + ".");
    }
    int width = (bidirectional ? 2 : 1) * hiddenSize;
    long rows = (long) gates * hiddenSize;
    if (rows * Math.max(in.get(1), width) > SpecChecks.MAX_ELEMENTS
        || (long) in.get(0) * width > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "weights [" + rows + ", " + Math.max(in.get(1), width) + "] or output ["
          + in.get(0) + ", " + width + "] have more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    return returnSequences ? List.of(in.get(0), width) : List.of(width);
  }
}
