package org.sparkdl.nn;

import org.sparkdl.autograd.RecurrentOps;

/**
 * Long short-term memory over sequences, as PyTorch's {@code LSTM} (batch first). At each step
 * {@code t}, from a zero initial state:
 *
 * <pre>
 *   i = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
 *   f = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
 *   g = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
 *   o = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * </pre>
 *
 * <p><b>Arguments:</b> {@code inputSize} F; {@code hiddenSize} H; {@code numLayers} (default 1);
 * {@code bidirectional} (default false); {@code returnSequences}: every step's {@code h_t}
 * (default false: only the last state).
 *
 * <p><b>Shapes:</b> input {@code [B, T, F]}, and optionally lengths {@code [B, 1]} as a second input
 * (see {@link Recurrent}). Output {@code [B, T, D H]} with {@code returnSequences}, else {@code [B,
 * D H]}, where {@code D} is 2 when bidirectional (forward features first) and 1 otherwise.
 * Parameters: {@code weight_ih_l<k> [4H, F_k]}, {@code weight_hh_l<k> [4H, H]}, {@code
 * bias_ih_l<k>}, {@code bias_hh_l<k> [4H]} (and {@code _reverse}), gate blocks in the order {@code
 * i, f, g, o}, as PyTorch's state dict, so weights port unchanged.
 *
 * <pre>{@code new Lstm("lstm_1", 28, 64, 1, false, false)}</pre>
 */
public final class Lstm extends Recurrent {
  public Lstm(String name, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
      boolean returnSequences) {
    super(name, RecurrentOps.Cell.LSTM, inputSize, hiddenSize, numLayers, bidirectional, returnSequences);
  }
}
