package org.sparkdl.spec;

import java.util.List;

/**
 * The convention for sequences of different lengths padded to {@code T} steps: a network input of
 * shape {@code [1]} holds each example's valid length (a whole number in {@code [1, T]}, stored as
 * a float), and a layer that honours it lists that input second.
 */
final class SequenceLengths {
  /** The per-example shape of a lengths input. */
  static final List<Integer> SHAPE = List.of(1);

  private SequenceLengths() {}

  /** Checks that the layer's optional second input, if any, has the shape of a lengths input. */
  static void check(LayerSpec layer, List<List<Integer>> inputShapes) {
    if (inputShapes.size() > 1 && !inputShapes.get(1).equals(SHAPE)) {
      throw SpecChecks.layerError(layer.name(), "its second input '" + layer.inputs().get(1) + "' holds the sequence"
          + " lengths and must have shape " + SHAPE + " (one length per example); found " + inputShapes.get(1) + ".");
    }
  }
}
