package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * A learned positional embedding: adds a trainable tensor of the per-example shape to every
 * example, {@code y[b, t, :] = x[b, t, :] + weight[t, :]}, so that attention, which is blind to
 * order, can tell the steps of a sequence apart (as BERT and GPT-2 do).
 *
 * <p><b>Shapes:</b> input and output {@code [B, T, D]} (any per-example shape works the same way).
 * Parameter {@code <name>.weight}, shaped as one example ({@code [T, D]}), starting from {@code
 * init} (normal N(0, 0.05) by default).
 *
 * <pre>{@code new PositionalEmbedding("pos", Shape.of(28, 64), Init.NORMAL)}</pre>
 */
public final class PositionalEmbedding implements Layer {
  private final String name;
  private final Shape shape;
  private final Parameter weight;

  public PositionalEmbedding(String name, Shape shape, Init init) {
    this.name = name;
    this.shape = shape;
    this.weight = new Parameter(name + ".weight", shape, init, shape.dim(-1), shape.dim(-1));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    if (x.shape().rank() != shape.rank() + 1 || !x.shape().dropFirst().equals(shape)) {
      throw new IllegalArgumentException("Layer '" + name + "' expects examples of shape " + shape + "; found "
          + x.shape() + " (batch first).");
    }
    return Ops.add(x, weight.on(x.tape()));
  }
}
