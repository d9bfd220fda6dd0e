package org.sparkdl.nn;

import java.util.List;
import java.util.Locale;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.UnaryOp;

/**
 * An elementwise activation, or softmax / log-softmax over the last axis. Shapes are unchanged.
 *
 * <p>Functions: {@code relu}, {@code leaky_relu} ({@code x > 0 ? x : alpha x}, alpha default
 * 0.01), {@code elu} ({@code x > 0 ? x : alpha (e^x - 1)}, alpha default 1), {@code gelu} (tanh
 * form), {@code gelu_erf} (exact form, {@code 0.5 x (1 + erf(x / sqrt 2))}), {@code silu} ({@code
 * x sigmoid(x)}), {@code relu6} ({@code min(max(x, 0), 6)}), {@code hard_sigmoid} ({@code relu6(x + 3)
 * / 6}), {@code hard_swish} ({@code x hard_sigmoid(x)}), {@code softplus} ({@code log(1 + e^x)}),
 * {@code mish} ({@code x tanh(softplus(x))}), {@code selu} (scaled ELU with the self-normalising
 * constants), {@code sigmoid},
 * {@code tanh}, {@code softmax}, {@code log_softmax}, {@code identity}.
 */
public final class Activation implements Layer {
  private final String name;
  private final String function;
  private final UnaryOp op;
  private final double alpha;

  public Activation(String name, String function, double alpha) {
    this.name = name;
    this.function = function.toLowerCase(Locale.ROOT);
    this.alpha = alpha;
    this.op = switch (this.function) {
      case "relu" -> UnaryOp.RELU;
      case "leaky_relu" -> UnaryOp.LEAKY_RELU;
      case "elu" -> UnaryOp.ELU;
      case "gelu" -> UnaryOp.GELU;
      case "gelu_erf" -> UnaryOp.GELU_ERF;
      case "silu" -> UnaryOp.SILU;
      case "relu6" -> UnaryOp.RELU6;
      case "hard_sigmoid" -> UnaryOp.HARD_SIGMOID;
      case "hard_swish" -> UnaryOp.HARD_SWISH;
      case "softplus" -> UnaryOp.SOFTPLUS;
      case "mish" -> UnaryOp.MISH;
      case "selu" -> UnaryOp.SELU;
      case "sigmoid" -> UnaryOp.SIGMOID;
      case "tanh" -> UnaryOp.TANH;
      case "identity" -> UnaryOp.IDENTITY;
      case "softmax", "log_softmax" -> null;
      default -> throw new IllegalArgumentException("Layer '" + name + "' has unknown activation '" + function
          + "'; known: " + String.join(", ", org.sparkdl.spec.Activation.FUNCTIONS) + ".");
    };
  }

  @Override
  public String name() {
    return name;
  }

  public String function() {
    return function;
  }

  /** Whether this is a ReLU, {@code max(x, 0)}. */
  boolean isRelu() {
    return op == UnaryOp.RELU;
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    return switch (function) {
      case "softmax" -> Ops.softmax(x);
      case "log_softmax" -> Ops.logSoftmax(x);
      case "identity" -> x;
      default -> Ops.map(op, x, alpha);
    };
  }
}
