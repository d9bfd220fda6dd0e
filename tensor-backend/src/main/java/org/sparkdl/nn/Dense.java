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
 * <p>A dense layer that reads a sparse input ({@link #byInput}) keeps its weight by input, {@code
 * [in, out]}: row {@code j} is what input {@code j} adds to every output. The input comes as sparse
 * rows ({@link Var#sparse()}); a step reads and updates only the weight rows its non-zeros name,
 * so its cost follows the entries of the batch, not {@code in} (10^6 inputs cost as little as
 * 1,000). The weight is {@linkplain Parameter#rowSparse row-sparse}.
 *
 * <pre>{@code new Dense("dense_1", 784, 128, true, Init.HE_UNIFORM)}</pre>
 */
public final class Dense implements Layer {
  private final String name;
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private final boolean byInput;

  public Dense(String name, int in, int out, boolean bias, Init init) {
    this(name, in, out, bias, init, false);
  }

  private Dense(String name, int in, int out, boolean bias, Init init, boolean byInput) {
    this.name = name;
    this.in = in;
    this.out = out;
    this.byInput = byInput;
    this.weight = byInput ? Parameter.rowSparse(name + ".weight", Shape.of(in, out), init, in, out)
        : new Parameter(name + ".weight", Shape.of(out, in), init, in, out);
    this.bias = bias ? new Parameter(name + ".bias", Shape.of(out), Init.ZEROS, in, out) : null;
  }

  /** A dense layer that reads a sparse input: weight {@code [in, out]}, row-sparse (see the class comment). */
  public static Dense byInput(String name, int in, int out, boolean bias, Init init) {
    return new Dense(name, in, out, bias, init, true);
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

  /** {@code in x out} for each of the input's rows of {@code in} values (one, or one per step of a sequence). */
  @Override
  public long multiplyAddsPerRow(List<Integer> input) {
    long values = 1;
    for (int d : input) {
      values *= d;
    }
    return values / in * in * out;
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
    if (x.sparse() != null) {
      if (!byInput) {
        throw new IllegalArgumentException("Layer '" + name + "' reads sparse rows, but keeps its weight [out, in]; a dense"
            + " layer that reads a sparse input is built by input.");
      }
      if (x.tape().isTraining()) {
        weight.touch(x.sparse().columns());
      }
      return Ops.sparseLinear(x.sparse(), w, b);
    }
    if (byInput) {
      if (s.rank() != 2) {
        throw new IllegalArgumentException("Layer '" + name + "' reads a sparse input of shape [batch, " + in + "]; found "
            + s + ".");
      }
      if (x.tape().isTraining()) {
        weight.touchAll();   // dense rows touch every weight row
      }
      Var y = Ops.matmul(x, false, w, false);
      return b == null ? y : Ops.add(y, b);
    }
    if (s.rank() == 2) {
      return Ops.linear(x, w, b);
    }
    int[] outDims = s.with(-1, out).toArray();
    Var flat = Ops.reshape(x, -1, in);
    return Ops.reshape(Ops.linear(flat, w, b), outDims);
  }
}
