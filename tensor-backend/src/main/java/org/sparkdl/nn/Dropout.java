package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;

/**
 * Inverted dropout: while training, each element is zeroed with probability {@code rate} and the
 * rest scaled by {@code 1 / (1 - rate)}; at inference the identity. The mask is drawn from the
 * tape's seed, so a training run is reproducible.
 */
public final class Dropout implements Layer {
  private final String name;
  private final double rate;

  public Dropout(String name, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Layer '" + name + "': dropout rate must be in [0, 1), found " + rate + ".");
    }
    this.name = name;
    this.rate = rate;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Var forward(List<Var> inputs) {
    return Ops.dropout(inputs.get(0), rate);
  }
}
