package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Multi-head self-attention over a sequence, as PyTorch's {@code nn.MultiheadAttention} with query
 * = key = value: {@code softmax(Q_h K_hᵀ / sqrt(d) + mask) V_h} per head {@code h} of width {@code
 * d = D / heads}, heads joined and projected back to {@code D}.
 *
 * <p>Shapes: input {@code [T, D]} with {@code D} divisible by {@code heads}; output {@code [T, D]}.
 * An optional second input of shape {@code [1]} holds each example's valid length (see {@link
 * SequenceLengths}): keys past it are not attended and the outputs there are zero. Parameters:
 * {@code in_proj_weight [3D, D]}, {@code out_proj.weight [D, D]} and, with {@code bias}, {@code
 * in_proj_bias [3D]} and {@code out_proj.bias [D]}, named after the layer as PyTorch names them.
 *
 * @param name unique layer name
 * @param inputs the sequence, and optionally the lengths
 * @param heads number of heads, &gt;= 1
 * @param causal whether step {@code i} attends only to steps {@code <= i} (default false)
 * @param bias whether the projections add learned biases (default true)
 */
public record MultiHeadAttention(String name, List<String> inputs, int heads, boolean causal, boolean bias)
    implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "multi_head_attention";

  /** Validates the fields; divisibility by {@code heads} is checked against the input in {@link #outputShape}. */
  public MultiHeadAttention {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 2);
    if (heads < 1) {
      throw SpecChecks.layerError(name, "heads must be >= 1, found " + heads + ".");
    }
  }

  /** Self-attention with bias and no causal mask over one node. */
  public MultiHeadAttention(String name, String input, int heads) {
    this(name, Collections.singletonList(input), heads, false, true);
  }

  /** A copy reading also the sequence lengths from {@code lengths}. */
  public MultiHeadAttention withLengths(String lengths) {
    List<String> in = new ArrayList<>(inputs.subList(0, 1));
    in.add(lengths);
    return new MultiHeadAttention(name, in, heads, causal, bias);
  }

  /** A copy with the causal mask set as given. */
  public MultiHeadAttention withCausal(boolean causal) {
    return new MultiHeadAttention(name, inputs, heads, causal, bias);
  }

  /** A copy with or without the projection biases. */
  public MultiHeadAttention withBias(boolean bias) {
    return new MultiHeadAttention(name, inputs, heads, causal, bias);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [T, D] -> [T, D]}, {@code D} divisible by {@code heads}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    if (in.size() != 2) {
      throw SpecChecks.layerError(name, TYPE + " needs an input [steps, features] (batch excluded), found " + in + ".");
    }
    if (in.get(1) % heads != 0) {
      throw SpecChecks.layerError(name, "input shape " + in + " has " + in.get(1) + " features, which do not split"
          + " into " + heads + " heads; the features must be divisible by heads.");
    }
    if (3L * in.get(1) * in.get(1) > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "in_proj_weight [" + 3L * in.get(1) + ", " + in.get(1) + "] for input shape "
          + in + " has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    SequenceLengths.check(this, inputShapes);
    return List.copyOf(in);
  }
}
