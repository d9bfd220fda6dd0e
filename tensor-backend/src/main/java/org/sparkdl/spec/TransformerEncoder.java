package org.sparkdl.spec;

import java.util.List;

/**
 * The Transformer encoder block (Vaswani et al. 2017) written into a network spec as ordinary
 * layers, as PyTorch's {@code nn.TransformerEncoderLayer} computes it with ReLU:
 *
 * <pre>
 *   post-norm (normFirst false, the default there):
 *     h = norm1(x + dropout1(self_attn(x)))
 *     y = norm2(h + dropout2(linear2(dropout(relu(linear1(h))))))
 *   pre-norm (normFirst true):
 *     h = x + dropout1(self_attn(norm1(x)))
 *     y = h + dropout2(linear2(dropout(relu(linear1(norm2(h))))))
 * </pre>
 *
 * Layers are named {@code <block>.<part>} with the parts named as above (plus {@code add1},
 * {@code add2} for the residual sums and {@code activation}), so their parameters carry the keys of
 * PyTorch's state dict for a layer of that name, e.g. {@code encoder.layers.0.self_attn.in_proj_weight}.
 * Dropout layers are left out when the rate is 0; the norms use epsilon 1e-5.
 */
final class TransformerEncoder {
  private TransformerEncoder() {}

  /**
   * Appends the block's layers to {@code b}; returns the name of the last one.
   *
   * @param shape the shape of {@code input}, or null when it is not a node of {@code b}
   */
  static String append(NetworkSpec.Builder b, String block, String input, List<Integer> shape, int heads, int ffnDim,
      double dropout, boolean normFirst, String lengths) {
    String what = "Transformer encoder '" + block + "'";
    if (shape == null) {
      throw new SpecException(what + " reads '" + input + "', which is not an input or an earlier layer.");
    }
    if (shape.size() != 2) {
      throw new SpecException(what + " needs an input [steps, features] (batch excluded); '" + input + "' has shape "
          + shape + ".");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new SpecException(what + ": dropout must be in [0, 1), found " + dropout + ".");
    }
    int features = shape.get(1);
    double eps = BatchNorm.DEFAULT_EPSILON;
    String x = input;
    String a = normFirst ? b.addLayerNorm(block + ".norm1", 1, eps, x) : x;
    a = b.addMultiHeadAttention(block + ".self_attn", heads, false, true, a, lengths);
    a = maybeDropout(b, block + ".dropout1", dropout, a);
    String h = b.addAdd(block + ".add1", x, a);
    if (!normFirst) {
      h = b.addLayerNorm(block + ".norm1", 1, eps, h);
    }
    String f = normFirst ? b.addLayerNorm(block + ".norm2", 1, eps, h) : h;
    f = b.addActivation(block + ".activation", "relu", b.addDense(block + ".linear1", ffnDim, f));
    f = maybeDropout(b, block + ".dropout", dropout, f);
    f = maybeDropout(b, block + ".dropout2", dropout, b.addDense(block + ".linear2", features, f));
    String y = b.addAdd(block + ".add2", h, f);
    return normFirst ? y : b.addLayerNorm(block + ".norm2", 1, eps, y);
  }

  private static String maybeDropout(NetworkSpec.Builder b, String name, double rate, String input) {
    return rate == 0 ? input : b.addDropout(name, rate, input);
  }
}
