package org.sparkdl.spec;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Reinterprets each example's elements with a new shape, in row-major order.
 *
 * <p>Shapes: input {@code s} gives output {@code shape}, where one entry of {@code shape} may be
 * {@code -1}, meaning "whatever makes the element counts match". The element count of {@code s}
 * must equal that of the output. The batch dimension is not part of {@code shape}, so reshaping
 * {@code [784]} to {@code [1, 28, 28]} gives a single-channel 28x28 image per example.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param shape target shape, rank 1 to 8, dims &gt; 0 except at most one {@code -1}
 */
public record Reshape(String name, List<String> inputs, List<Integer> shape) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "reshape";

  /** Validates the fields and makes the lists immutable. */
  public Reshape {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    String prefix = "Layer '" + name + "': ";
    shape = SpecChecks.copyDims(prefix, shape);
    int wildcards = 0;
    for (int d : shape) {
      if (d == -1) {
        wildcards++;
      } else if (d <= 0) {
        throw new SpecException(prefix + "shape dims must be > 0 or -1, found " + shape + ".");
      }
    }
    if (wildcards > 1) {
      throw new SpecException(prefix + "shape may contain at most one -1, found " + shape + ".");
    }
    if (SpecChecks.elementCount(shape) > SpecChecks.MAX_ELEMENTS) {
      throw new SpecException(prefix + "shape " + shape + " has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
  }

  /** A reshape of one node to the given dimensions. */
  public Reshape(String name, String input, int... shape) {
    this(name, Collections.singletonList(input), shape == null ? null : Arrays.stream(shape).boxed().toList());
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The target shape with any {@code -1} resolved; element counts must match. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    long count = SpecChecks.elementCount(in);
    long known = SpecChecks.elementCount(shape);
    int wildcard = shape.indexOf(-1);
    if (wildcard < 0) {
      if (known != count) {
        throw SpecChecks.layerError(name, "cannot reshape " + in + " (" + count + " elements) to " + shape
            + " (" + known + " elements).");
      }
      return shape;
    }
    if (count % known != 0) {
      throw SpecChecks.layerError(name, "cannot reshape " + in + " (" + count + " elements) to " + shape
          + "; " + count + " is not a multiple of " + known + ".");
    }
    Integer[] out = shape.toArray(new Integer[0]);
    out[wildcard] = (int) (count / known);
    return List.of(out);
  }
}
