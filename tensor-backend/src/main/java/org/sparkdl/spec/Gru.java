package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * A gated recurrent unit layer (or a stack of them) over each example's sequence, as PyTorch's
 * {@code GRU} with {@code batch_first=True}: gates {@code r, z, n}, the reset gate applied to {@code
 * W_hn h + b_hn}; {@code h_t = (1 - z) n + z h_{t-1}}; see {@code org.sparkdl.nn.Gru} for the
 * formulas.
 *
 * <p>Shapes: input {@code [T, F]} gives {@code [T, D hidden_size]} with {@code return_sequences},
 * else the last state {@code [D hidden_size]}, where {@code D} is 2 when bidirectional (forward
 * features first) and 1 otherwise. Parameters per layer {@code k} (PyTorch's names, so weights port
 * unchanged): {@code weight_ih_l<k> [3 H, F_k]}, {@code weight_hh_l<k> [3 H, H]}, {@code
 * bias_ih_l<k>} and {@code bias_hh_l<k> [3 H]}, plus the same with {@code _reverse} when
 * bidirectional; all from U(-1/sqrt(H), 1/sqrt(H)).
 *
 * <p><b>Sequences of different lengths.</b> List a second input of shape {@code [1]} holding each
 * example's number of real steps (a float holding an integer in {@code [1, T]}); the spec declares
 * it as a network input, conventionally named {@code lengths}. Steps from the length on are masked:
 * the state carries through unchanged (so the last state is the one after the example's last real
 * step), sequence outputs there are zero, and the reverse direction starts at the last real step,
 * as with PyTorch's packed sequences. Without it, all {@code T} steps are real.
 *
 * <pre>{@code
 * {"inputs": [{"name": "tokens", "shape": [50]}, {"name": "lengths", "shape": [1]}],
 *  "layers": [{"type": "embedding", "name": "emb", "inputs": ["tokens"], "vocabulary_size": 10000, "dimension": 64},
 *             {"type": "gru", "name": "gru", "inputs": ["emb", "lengths"], "hidden_size": 128},
 *             {"type": "dense", "name": "out", "units": 2}]}
 * }</pre>
 *
 * @param name unique layer name
 * @param inputs the sequence node, then optionally the lengths node
 * @param hiddenSize features of the state, H &gt; 0
 * @param numLayers stacked layers, each reading the previous one's sequence (default 1)
 * @param bidirectional add a pass from the last step to the first (default false)
 * @param returnSequences output every step rather than the last state (default false)
 */
public record Gru(String name, List<String> inputs, int hiddenSize, int numLayers, boolean bidirectional,
    boolean returnSequences) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "gru";

  /** Validates the fields. */
  public Gru {
    inputs = RecurrentRules.checkFields(name, TYPE, inputs, hiddenSize, numLayers);
  }

  /** One unidirectional layer returning its last state, every step real. */
  public Gru(String name, String input, int hiddenSize) {
    this(name, Collections.singletonList(input), hiddenSize, 1, false, false);
  }

  /** This layer reading each example's length from node {@code lengths} (shape {@code [1]}), or from none. */
  public Gru withLengths(String lengths) {
    return new Gru(name, lengths == null ? inputs.subList(0, 1) : List.of(inputs.get(0), lengths), hiddenSize,
        numLayers, bidirectional, returnSequences);
  }

  /** This layer with {@code numLayers} stacked layers. */
  public Gru withNumLayers(int numLayers) {
    return new Gru(name, inputs, hiddenSize, numLayers, bidirectional, returnSequences);
  }

  /** This layer with or without the reverse direction. */
  public Gru withBidirectional(boolean bidirectional) {
    return new Gru(name, inputs, hiddenSize, numLayers, bidirectional, returnSequences);
  }

  /** This layer returning every step ({@code true}) or the last state. */
  public Gru withReturnSequences(boolean returnSequences) {
    return new Gru(name, inputs, hiddenSize, numLayers, bidirectional, returnSequences);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [T, F]} (and {@code [1]}) to {@code [T, D H]} or {@code [D H]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    return RecurrentRules.outputShape(this, inputShapes, 3, hiddenSize, bidirectional, returnSequences);
  }
}
