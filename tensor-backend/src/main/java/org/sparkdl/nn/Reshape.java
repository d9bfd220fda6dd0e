package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Shape;

/**
 * Gives each sample a new shape of the same size, e.g. {@code [784] -> [1, 28, 28]}; {@code
 * Flatten} is the reshape to {@code [size]}. A view when the input is contiguous.
 */
public final class Reshape implements Layer {
  private final String name;
  private final Shape sampleShape;

  /** @param sampleShape the per-sample output shape (batch excluded), fully resolved */
  public Reshape(String name, Shape sampleShape) {
    this.name = name;
    this.sampleShape = sampleShape;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    return Ops.reshape(x, sampleShape.prepend(x.shape().dim(0)).toArray());
  }
}
