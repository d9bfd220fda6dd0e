package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * An elementwise (or, for the softmax family, last-axis) nonlinearity. Shapes: output shape equals
 * input shape.
 *
 * <p>Functions: {@code relu}, {@code leaky_relu} (slope {@code alpha} for x &lt; 0, default 0.01),
 * {@code elu} ({@code alpha (e^x - 1)} for x &lt; 0, default 1.0), {@code gelu} (tanh form, {@code
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}), {@code gelu_erf} (exact form, {@code 0.5 x (1 +
 * erf(x / sqrt 2))}, PyTorch's default), {@code silu} ({@code x sigmoid(x)}, also called swish),
 * {@code relu6} ({@code min(max(x, 0), 6)}), {@code hard_sigmoid} ({@code relu6(x + 3) / 6},
 * PyTorch's {@code nn.Hardsigmoid}), {@code hard_swish} ({@code x hard_sigmoid(x)}, PyTorch's
 * {@code nn.Hardswish}), {@code softplus} ({@code log(1 + e^x)}), {@code mish} ({@code x
 * tanh(softplus(x))}), {@code selu} ({@code 1.0507 (x > 0 ? x : 1.6733 (e^x - 1))}, PyTorch's
 * {@code nn.SELU}), {@code sigmoid}, {@code tanh}, {@code softmax} and {@code log_softmax}
 * (both over the last axis), {@code identity}.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param function one of {@link #FUNCTIONS}
 * @param alpha the function's parameter where it has one (see {@link #usesAlpha}), finite and
 *     &ge; 0; must be 0 for the other functions so that equal layers compare equal
 */
public record Activation(String name, List<String> inputs, String function, double alpha) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "activation";
  /** Known activation functions, sorted. */
  public static final List<String> FUNCTIONS = List.of(
      "elu", "gelu", "gelu_erf", "hard_sigmoid", "hard_swish", "identity", "leaky_relu", "log_softmax", "mish",
      "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "tanh");

  /** Validates the fields and makes {@code inputs} immutable. */
  public Activation {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (function == null || !FUNCTIONS.contains(function)) {
      throw SpecChecks.layerError(name, "unknown activation function '" + function + "'; known functions: "
          + String.join(", ", FUNCTIONS) + ".");
    }
    if (usesAlpha(function)) {
      if (!Double.isFinite(alpha) || alpha < 0) {
        throw SpecChecks.layerError(name, "alpha of " + function + " must be finite and >= 0, found " + alpha + ".");
      }
    } else if (alpha != 0.0) {
      throw SpecChecks.layerError(name, "function '" + function + "' takes no alpha, found " + alpha + ".");
    }
    // -0.0 would print differently from 0.0 and break exact JSON round trips.
    alpha = alpha + 0.0;
  }

  /** An activation with the function's default alpha (see {@link #defaultAlpha}). */
  public Activation(String name, List<String> inputs, String function) {
    this(name, inputs, function, defaultAlpha(function));
  }

  /** An activation reading one node, with the function's default alpha. */
  public Activation(String name, String input, String function) {
    this(name, Collections.singletonList(input), function);
  }

  /** Whether {@code function} has an {@code alpha} parameter ({@code leaky_relu} and {@code elu}). */
  public static boolean usesAlpha(String function) {
    return "leaky_relu".equals(function) || "elu".equals(function);
  }

  /** Default alpha: 0.01 for {@code leaky_relu}, 1.0 for {@code elu}, 0 for functions without alpha. */
  public static double defaultAlpha(String function) {
    if ("leaky_relu".equals(function)) {
      return 0.01;
    }
    return "elu".equals(function) ? 1.0 : 0.0;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Shape unchanged. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    return List.copyOf(inputShapes.get(0));
  }
}
