package org.sparkdl.spec;

import java.util.Arrays;
import java.util.List;

/**
 * A network input: a named value fed per example, of the given shape (batch dimension excluded;
 * a feature vector of width 784 has shape {@code [784]}).
 *
 * <p>A <em>sparse</em> input ({@code "sparse": true} in JSON) is a vector fed as sparse rows (the
 * non-zeros of each row and their positions, e.g. a bag of words or one-hot ids out of 10^6),
 * never as a dense tensor; only dense layers may read it, and each of them keeps its weight by
 * input, {@code [in, out]} (see {@link Dense}), so that a step reads and updates only the rows
 * of the weight that the batch's non-zeros name.
 *
 * @param name unique node name that layers read, e.g. {@code "features"}
 * @param shape rank 1 to 8, every dimension &gt; 0; rank 1 when sparse
 * @param sparse whether rows come as sparse rows
 */
public record InputSpec(String name, List<Integer> shape, boolean sparse) {

  /** Validates the name and shape and makes the shape immutable. */
  public InputSpec {
    SpecChecks.checkName("Input", name);
    shape = SpecChecks.checkShape("Input '" + name + "': ", shape);
    if (sparse && shape.size() != 1) {
      throw new SpecException("Input '" + name + "' is sparse, so its shape must be one width, e.g. [1000000]; found "
          + shape + ".");
    }
  }

  /** A dense input of the given shape. */
  public InputSpec(String name, List<Integer> shape) {
    this(name, shape, false);
  }

  /** A dense input of the given name and dimensions. */
  public static InputSpec of(String name, int... shape) {
    return new InputSpec(name, shape == null ? null : Arrays.stream(shape).boxed().toList());
  }

  /** A sparse input of the given width. */
  public static InputSpec sparse(String name, int width) {
    return new InputSpec(name, List.of(width), true);
  }
}
