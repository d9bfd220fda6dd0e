package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;

/**
 * Layers that join branches of a graph: {@link #add} sums inputs of equal shape (residual
 * connections), {@link #concat} joins them along an axis of the per-sample shape.
 */
public final class Merge implements Layer {
  private final String name;
  private final Integer concatAxis;

  private Merge(String name, Integer concatAxis) {
    this.name = name;
    this.concatAxis = concatAxis;
  }

  /** Elementwise sum of two or more inputs of equal shape. */
  public static Merge add(String name) {
    return new Merge(name, null);
  }

  /**
   * Concatenation along {@code axis} of the per-sample shape (0 is the first axis after the batch;
   * negative counts from the end).
   */
  public static Merge concat(String name, int axis) {
    return new Merge(name, axis);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Var forward(List<Var> inputs) {
    if (concatAxis == null) {
      Var sum = inputs.get(0);
      for (int i = 1; i < inputs.size(); i++) {
        sum = Ops.add(sum, inputs.get(i));
      }
      return sum;
    }
    int rank = inputs.get(0).shape().rank();
    int axis = concatAxis < 0 ? rank + concatAxis : concatAxis + 1;
    return Ops.concat(axis, inputs.toArray(Var[]::new));
  }
}
