package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.autograd.AttentionOps;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Multi-head self-attention, as PyTorch's {@code nn.MultiheadAttention} with query = key = value:
 *
 * <pre>
 *   [Q, K, V] = x W_inᵀ + b_in                           (split into H heads of width d = D / H)
 *   head_h    = softmax(Q_h K_hᵀ / sqrt(d) + mask) V_h
 *   y         = [head_1, ..., head_H] W_outᵀ + b_out
 * </pre>
 *
 * <p><b>Masks.</b> With {@code causal}, step {@code i} attends only to steps {@code j <= i}. With a
 * second input holding each example's valid length {@code L} (a whole number in {@code [1, T]},
 * shape {@code [B, 1]}), keys at steps {@code >= L} are left out of the softmax and the outputs at
 * those steps are zero. Masked scores get a large negative finite number, so no row is ever NaN.
 *
 * <p><b>Arguments:</b> {@code features} D, {@code heads} H (D divisible by H), {@code causal}
 * (default false), {@code bias} (default true).
 *
 * <p><b>Shapes:</b> input {@code [B, T, D]} (and lengths {@code [B, 1]}), output {@code [B, T, D]}.
 * Parameters, named as PyTorch's so its weights load unchanged: {@code <name>.in_proj_weight [3D,
 * D]} (Glorot uniform, as PyTorch's Xavier uniform), {@code <name>.in_proj_bias [3D]} (zeros),
 * {@code <name>.out_proj.weight [D, D]} (Glorot uniform), {@code <name>.out_proj.bias [D]}
 * (zeros); the biases only with {@code bias}.
 *
 * <pre>{@code new MultiHeadAttention("attn", 64, 4, false, true)}</pre>
 */
public final class MultiHeadAttention implements Layer {
  private final String name;
  private final int features;
  private final int heads;
  private final boolean causal;
  private final Parameter inWeight;
  private final Parameter inBias;
  private final Parameter outWeight;
  private final Parameter outBias;

  public MultiHeadAttention(String name, int features, int heads, boolean causal, boolean bias) {
    if (heads < 1 || features % heads != 0) {
      throw new IllegalArgumentException("Layer '" + name + "': " + features + " features do not split into " + heads
          + " heads.");
    }
    this.name = name;
    this.features = features;
    this.heads = heads;
    this.causal = causal;
    this.inWeight = new Parameter(name + ".in_proj_weight", Shape.of(3 * features, features), Init.GLOROT_UNIFORM,
        features, 3 * features);
    this.inBias = bias ? new Parameter(name + ".in_proj_bias", Shape.of(3 * features), Init.ZEROS, features,
        3 * features) : null;
    this.outWeight = new Parameter(name + ".out_proj.weight", Shape.of(features, features), Init.GLOROT_UNIFORM,
        features, features);
    this.outBias = bias ? new Parameter(name + ".out_proj.bias", Shape.of(features), Init.ZEROS, features, features)
        : null;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> ps = new ArrayList<>(List.of(inWeight));
    if (inBias != null) {
      ps.add(inBias);
    }
    ps.add(outWeight);
    if (outBias != null) {
      ps.add(outBias);
    }
    return ps;
  }

  /**
   * The projections ({@code 4 D^2} a step) and the attention itself ({@code 2 T D} a step: scores
   * and the weighted sum), for a sequence of {@code T} steps.
   */
  @Override
  public long multiplyAddsPerRow(List<Integer> input) {
    long steps = input.get(0);
    return steps * (4L * features * features + 2L * steps * features);
  }

  /** Inputs: {@code x [B, T, D]} and, optionally, the lengths {@code [B, 1]}. */
  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    Shape s = x.shape();
    if (s.rank() != 3 || s.dim(2) != features) {
      throw new IllegalArgumentException("Layer '" + name + "' expects an input [batch, steps, " + features
          + "]; found " + s + ".");
    }
    Tape tape = x.tape();
    int batch = s.dim(0);
    int steps = s.dim(1);
    Tensor lengths = inputs.size() > 1 ? SequenceMasks.lengths(name, inputs.get(1), batch, steps) : null;
    Var qkv = Ops.linear(Ops.reshape(x, batch * steps, features), inWeight.on(tape), on(inBias, tape));
    Var joined = AttentionOps.scaledDotProduct(Ops.reshape(qkv, batch, steps, 3 * features), heads,
        mask(tape, x.dtype(), lengths, steps));
    Var y = Ops.linear(Ops.reshape(joined, batch * steps, features), outWeight.on(tape), on(outBias, tape));
    y = Ops.reshape(y, batch, steps, features);
    if (lengths != null) {
      y = Ops.mul(y, tape.constant(SequenceMasks.valid(tape.scope(), lengths, steps).reshape(batch, steps, 1)));
    }
    return y;
  }

  /** The additive mask of the scores {@code [B, H, T, T]}, broadcastable; null when nothing is masked. */
  private Tensor mask(Tape tape, DType dtype, Tensor lengths, int steps) {
    Tensor padding = lengths == null ? null : SequenceMasks.keyPadding(tape.scope(), lengths, steps);
    Tensor future = causal ? SequenceMasks.causal(tape.scope(), dtype, steps) : null;
    if (padding == null || future == null) {
      return padding == null ? future : padding;
    }
    Tensor both = tape.allocate(padding.dtype(), Shape.of(padding.dim(0), 1, steps, steps));
    tape.backend().zip(BinaryOp.ADD, padding, future, both);
    return both;
  }

  private static Var on(Parameter p, Tape tape) {
    return p == null ? null : p.on(tape);
  }
}
