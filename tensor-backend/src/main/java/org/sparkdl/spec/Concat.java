package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Concatenation of two or more nodes along one axis.
 *
 * <p>Shapes: the axis counts over the per-example dimensions only (the batch dimension is not
 * included), so for inputs of shape {@code [a]} and {@code [b]} axis 0 (or -1) gives {@code [a + b]}.
 * Negative axes count from the end, {@code -1} being the last. All inputs must have the same rank
 * and the same size in every dimension except {@code axis}; the output's {@code axis} dimension is
 * the sum of the inputs'.
 *
 * @param name unique layer name
 * @param inputs two or more node names
 * @param axis the dimension to concatenate along, in {@code [-rank, rank)}
 */
public record Concat(String name, List<String> inputs, int axis) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "concat";
  /** Axis used when none is given: the last one. */
  public static final int DEFAULT_AXIS = -1;

  /**
   * Validates the fields and makes {@code inputs} immutable; the axis is checked against the input
   * rank in {@link #outputShape}.
   */
  public Concat {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 2, Integer.MAX_VALUE);
  }

  /** A concat layer along {@code axis} reading the given nodes. */
  public Concat(String name, int axis, String... inputs) {
    this(name, inputs == null ? null : Arrays.asList(inputs), axis);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Sums the {@code axis} dimension; every other dimension must match. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> first = inputShapes.get(0);
    int rank = first.size();
    if (axis < -rank || axis >= rank) {
      throw SpecChecks.layerError(name, "axis " + axis + " is out of range for input shape " + first
          + "; use " + (-rank) + " to " + (rank - 1) + " (the batch dimension is not counted).");
    }
    int a = axis < 0 ? axis + rank : axis;
    long total = first.get(a);
    for (int i = 1; i < inputShapes.size(); i++) {
      List<Integer> other = inputShapes.get(i);
      String pair = "input shapes " + first + " ('" + inputs.get(0) + "') and " + other + " ('" + inputs.get(i) + "')";
      if (other.size() != rank) {
        throw SpecChecks.layerError(name, pair + " have different ranks; concat needs equal ranks.");
      }
      for (int d = 0; d < rank; d++) {
        if (d != a && !other.get(d).equals(first.get(d))) {
          throw SpecChecks.layerError(name, pair + " differ outside axis " + axis
              + "; concat needs equal sizes in every other dimension.");
        }
      }
      total += other.get(a);
    }
    List<Integer> out = new ArrayList<>(first);
    if (total > SpecChecks.MAX_ELEMENTS
        || SpecChecks.elementCount(first) / first.get(a) * total > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "output has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    out.set(a, (int) total);
    return List.copyOf(out);
  }
}
