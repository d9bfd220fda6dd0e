package org.sparkdl.nn;

import org.sparkdl.autograd.RecurrentOps;

/**
 * Gated recurrent unit over sequences, as PyTorch's {@code GRU} (batch first). At each step
 * {@code t}, from a zero initial state:
 *
 * <pre>
 *   r = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
 *   z = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
 *   n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z) * n + z * h_{t-1}
 * </pre>
 *
 * <p>The reset gate multiplies the recurrent projection with its bias (ONNX's {@code
 * linear_before_reset = 1}), as PyTorch does.
 *
 * <p><b>Arguments:</b> {@code inputSize} F; {@code hiddenSize} H; {@code numLayers} (default 1);
 * {@code bidirectional} (default false); {@code returnSequences}: every step's {@code h_t}
 * (default false: only the last state).
 *
 * <p><b>Shapes:</b> input {@code [B, T, F]}, and optionally lengths {@code [B, 1]} as a second input
 * (see {@link Recurrent}). Output {@code [B, T, D H]} with {@code returnSequences}, else {@code [B,
 * D H]}, where {@code D} is 2 when bidirectional (forward features first) and 1 otherwise.
 * Parameters: {@code weight_ih_l<k> [3H, F_k]}, {@code weight_hh_l<k> [3H, H]}, {@code
 * bias_ih_l<k>}, {@code bias_hh_l<k> [3H]} (and {@code _reverse}), gate blocks in the order {@code
 * r, z, n}, as PyTorch's state dict.
 *
 * <pre>{@code new Gru("gru_1", 32, 64, 2, true, true)}</pre>
 */
public final class Gru extends Recurrent {
  public Gru(String name, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
      boolean returnSequences) {
    super(name, RecurrentOps.Cell.GRU, inputSize, hiddenSize, numLayers, bidirectional, returnSequences);
  }
}
