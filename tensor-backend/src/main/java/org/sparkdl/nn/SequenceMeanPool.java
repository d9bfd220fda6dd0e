package org.sparkdl.nn;

import java.util.Arrays;
import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Mean over the steps of a sequence, e.g. to classify what a Transformer encoder made of it:
 *
 * <pre>
 *   y[b, :] = sum_{t < L_b} x[b, t, :] / L_b
 * </pre>
 *
 * where {@code L_b} is the example's valid length when a lengths input is given (a whole number in
 * {@code [1, T]}, shape {@code [B, 1]}), else {@code T}; padded steps do not count.
 *
 * <p><b>Shapes:</b> input {@code [B, T, ...]} (and lengths {@code [B, 1]}), output {@code [B, ...]}.
 * No parameters.
 *
 * <pre>{@code new SequenceMeanPool("pool")}</pre>
 */
public final class SequenceMeanPool implements Layer {
  private final String name;

  public SequenceMeanPool(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** Inputs: {@code x [B, T, ...]} and, optionally, the lengths {@code [B, 1]}. */
  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    Shape s = x.shape();
    if (s.rank() < 3) {
      throw new IllegalArgumentException("Layer '" + name + "' expects an input [batch, steps, ...]; found " + s + ".");
    }
    Tape tape = x.tape();
    int batch = s.dim(0);
    int steps = s.dim(1);
    int[] out = s.dropFirst().with(0, batch).toArray();
    int[] perStep = s.with(1, 1).toArray();
    if (inputs.size() < 2) {
      return Ops.reshape(Ops.scale(Ops.sumTo(x, Shape.of(perStep)), 1.0 / steps), out);
    }
    Tensor lengths = SequenceMasks.lengths(name, inputs.get(1), batch, steps);
    int[] mask = new int[s.rank()];
    Arrays.fill(mask, 1);
    mask[0] = batch;
    mask[1] = steps;
    Var valid = tape.constant(SequenceMasks.valid(tape.scope(), lengths, steps).reshape(mask));
    mask[1] = 1;
    Var sum = Ops.sumTo(Ops.mul(x, valid), Shape.of(perStep));
    return Ops.reshape(Ops.div(sum, tape.constant(lengths.reshape(mask))), out);
  }
}
