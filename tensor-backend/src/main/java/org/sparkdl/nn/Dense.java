package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * Fully connected layer: {@code y = x Wᵀ + b}.
 *
 * <p>Shapes: input {@code [B, in]} (or {@code [B, ..., in]}, applied to the last axis), weight
 * {@code [out, in]} (named {@code <name>.weight}), bias {@code [out]} ({@code <name>.bias}), output
 * {@code [B, out]} (or {@code [B, ..., out]}). Weights start from the chosen initialiser (Glorot
 * uniform by default), biases at zero.
 *
 * <pre>{@code new Dense("dense_1", 784, 128, true, Init.HE_UNIFORM)}</pre>
 */
public final class Dense implements Layer {
  private final String name;
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;

  public Dense(String name, int in, int out, boolean bias, Init init) {
    this.name = name;
    this.in = in;
    this.out = out;
    this.weight = new Parameter(name + ".weight", Shape.of(out, in), init, in, out);
    this.bias = bias ? new Parameter(name + ".bias", Shape.of(out), Init.ZEROS, in, out) : null;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> ps = new ArrayList<>();
    ps.add(weight);
    if (bias != null) {
      ps.add(bias);
    }
    return ps;
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    Shape s = x.shape();
    if (s.dim(-1) != in) {
      throw new IllegalArgumentException("Layer '" + name + "' expects " + in + " input features; found shape " + s + ".");
    }
    Var w = weight.on(x.tape());
    Var b = bias == null ? null : bias.on(x.tape());
    if (s.rank() == 2) {
      return Ops.linear(x, w, b);
    }
    int[] outDims = s.with(-1, out).toArray();
    Var flat = Ops.reshape(x, -1, in);
    return Ops.reshape(Ops.linear(flat, w, b), outDims);
  }
}
