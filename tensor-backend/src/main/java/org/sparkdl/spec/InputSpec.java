package org.sparkdl.spec;

import java.util.Arrays;
import java.util.List;

/**
 * A network input: a named value fed per example, of the given shape (batch dimension excluded;
 * a feature vector of width 784 has shape {@code [784]}).
 *
 * @param name unique node name that layers read, e.g. {@code "features"}
 * @param shape rank 1 to 8, every dimension &gt; 0
 */
public record InputSpec(String name, List<Integer> shape) {

  /** Validates the name and shape and makes the shape immutable. */
  public InputSpec {
    SpecChecks.checkName("Input", name);
    shape = SpecChecks.checkShape("Input '" + name + "': ", shape);
  }

  /** An input of the given name and dimensions. */
  public static InputSpec of(String name, int... shape) {
    return new InputSpec(name, shape == null ? null : Arrays.stream(shape).boxed().toList());
  }
}
