package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.RecurrentOps;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What {@link Lstm} and {@link Gru} share: stacked layers, both directions, PyTorch's parameter
 * layout and initialisation, variable lengths by mask, and the choice of output.
 *
 * <p><b>Layers and directions.</b> Layer {@code k > 0} reads the whole output sequence of layer
 * {@code k - 1}; a bidirectional layer runs a second pass from the last step to the first and
 * concatenates the two passes' features, forward first. Every pass starts from a zero state.
 *
 * <p><b>Lengths.</b> The optional second input {@code [B, 1]} holds each example's number of real
 * steps (a float holding an integer in {@code [1, T]}). Steps at or after it are masked: the state
 * is carried through unchanged, so the last state is the one after the example's last real step;
 * the sequence output there is zero; and the reverse pass starts at the last real step, as with
 * PyTorch's packed sequences. Without it every example has {@code T} steps.
 *
 * <p><b>Parameters</b> (PyTorch's names and shapes, {@code G} = 4 for LSTM and 3 for GRU, {@code
 * F_0} the input features and {@code F_k = H} or {@code 2 H} (bidirectional) above): {@code
 * <name>.weight_ih_l<k> [G H, F_k]}, {@code <name>.weight_hh_l<k> [G H, H]}, {@code
 * <name>.bias_ih_l<k> [G H]}, {@code <name>.bias_hh_l<k> [G H]}, and the same with the suffix
 * {@code _reverse} for the reverse pass; all drawn from U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch.
 */
public abstract sealed class Recurrent implements Layer permits Lstm, Gru {
  private final String name;
  private final RecurrentOps.Cell cell;
  private final int inputSize;
  private final int hiddenSize;
  private final int numLayers;
  private final boolean bidirectional;
  private final boolean returnSequences;
  /** Per layer and direction (forward, then reverse): weight_ih, weight_hh, bias_ih, bias_hh. */
  private final List<Parameter> parameters = new ArrayList<>();

  Recurrent(String name, RecurrentOps.Cell cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
      boolean returnSequences) {
    if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
      throw new IllegalArgumentException("Layer '" + name + "': input size, hidden size and number of layers must be"
          + " >= 1; found " + inputSize + ", " + hiddenSize + " and " + numLayers + ".");
    }
    this.name = name;
    this.cell = cell;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bidirectional = bidirectional;
    this.returnSequences = returnSequences;
    int width = cell.gates() * hiddenSize;
    int directions = bidirectional ? 2 : 1;
    for (int k = 0; k < numLayers; k++) {
      int in = k == 0 ? inputSize : directions * hiddenSize;
      for (int d = 0; d < directions; d++) {
        String suffix = "_l" + k + (d == 1 ? "_reverse" : "");
        parameters.add(param("weight_ih" + suffix, Shape.of(width, in)));
        parameters.add(param("weight_hh" + suffix, Shape.of(width, hiddenSize)));
        parameters.add(param("bias_ih" + suffix, Shape.of(width)));
        parameters.add(param("bias_hh" + suffix, Shape.of(width)));
      }
    }
  }

  private Parameter param(String what, Shape shape) {
    return new Parameter(name + "." + what, shape, Init.INVERSE_SQRT_UNIFORM, hiddenSize, hiddenSize);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return List.copyOf(parameters);
  }

  /** The gates and the two states of every step, layer and direction, per example. */
  @Override
  public long workspacePerRow(List<Integer> input) {
    return (long) input.get(0) * liveWorkspacePerRow(input);
  }

  /** Every weight once per step (input and recurrent products of every layer and direction). */
  @Override
  public long multiplyAddsPerRow(List<Integer> input) {
    long weights = 0;
    for (Parameter p : parameters) {
      if (p.shape().rank() == 2) {
        weights += p.shape().size();
      }
    }
    return input.get(0) * weights;
  }

  /** The gates and the two states of one step, of every layer and direction. */
  @Override
  public long liveWorkspacePerRow(List<Integer> input) {
    return (long) numLayers * (bidirectional ? 2 : 1) * (cell.gates() + 2) * hiddenSize;
  }

  /**
   * @param inputs {@code x [B, T, F]} and optionally the lengths {@code [B, 1]}
   * @throws IllegalArgumentException naming this layer for inputs of the wrong shape and for a length
   *     that is not an integer in {@code [1, T]} (naming the example)
   */
  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    Shape s = x.shape();
    if (s.rank() != 3 || s.dim(2) != inputSize || s.dim(1) < 1) {
      throw new IllegalArgumentException("Layer '" + name + "' expects input [batch, steps, " + inputSize + "]; found "
          + s + ".");
    }
    Tensor mask = inputs.size() > 1 ? mask(inputs.get(1), s.dim(0), s.dim(1)) : null;
    Var h = x;
    int directions = bidirectional ? 2 : 1;
    for (int k = 0; k < numLayers; k++) {
      boolean sequences = returnSequences || k < numLayers - 1;
      Var[] passes = new Var[directions];
      for (int d = 0; d < directions; d++) {
        List<Parameter> p = parameters.subList((k * directions + d) * 4, (k * directions + d + 1) * 4);
        passes[d] = RecurrentOps.run(cell, h, mask, p.get(0).on(x.tape()), p.get(1).on(x.tape()), p.get(2).on(x.tape()),
            p.get(3).on(x.tape()), d == 1, sequences);
      }
      h = directions == 1 ? passes[0] : Ops.concat(-1, passes);
    }
    return h;
  }

  /** The {@code [T, B]} mask (1 for a real step, 0 after the example's length) of lengths {@code [B, 1]}. */
  private Tensor mask(Var lengths, int batch, int steps) {
    if (!lengths.shape().equals(Shape.of(batch, 1))) {
      throw new IllegalArgumentException("Layer '" + name + "' expects lengths [batch, 1] = " + Shape.of(batch, 1)
          + " for an input of " + batch + " examples; found " + lengths.shape() + ".");
    }
    double[] len = lengths.value().toDoubleArray();
    double[] m = new double[steps * batch];
    for (int b = 0; b < batch; b++) {
      double n = len[b];
      if (!(n >= 1 && n <= steps && n == Math.rint(n))) {
        throw new IllegalArgumentException("Layer '" + name + "': length " + n + " of example " + b
            + " is not an integer in [1, " + steps + "], the number of steps.");
      }
      for (int t = 0; t < n; t++) {
        m[t * batch + b] = 1;
      }
    }
    return lengths.tape().scope().of(lengths.dtype(), Shape.of(steps, batch), m);
  }
}
