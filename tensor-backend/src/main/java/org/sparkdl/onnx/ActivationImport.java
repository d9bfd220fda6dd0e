package org.sparkdl.onnx;

import java.util.Set;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;

/**
 * The activation operators read as the activation layer: which function, with which parameter.
 * {@code Relu}, {@code Sigmoid}, {@code Tanh}, {@code LeakyRelu}, {@code Elu}, {@code HardSwish},
 * {@code Softplus} and {@code Mish} as their namesakes; {@code Gelu} as {@code gelu_erf} or, with
 * {@code approximate="tanh"}, {@code gelu}; {@code Swish} with alpha 1 as {@code silu}; {@code
 * Softmax} and {@code LogSoftmax} over the last axis; {@code Clip} to {@code [0, 6]} (how PyTorch
 * writes {@code nn.ReLU6}) as {@code relu6} and to {@code [0, inf)} as {@code relu}; {@code
 * HardSigmoid} with PyTorch's alpha 1/6 and beta 0.5 as {@code hard_sigmoid}; {@code Selu} with
 * its default alpha and gamma (PyTorch's and Keras' constants) as {@code selu}. The forms exporters spell out in elementwise operators (GELU before
 * opset 20, SiLU before opset 24, Mish before opset 18) reach here as one node, fused by {@link
 * ElementwiseFusion}.
 */
final class ActivationImport {
  /** The operators {@link #of} reads. */
  static final Set<String> OPS = Set.of("Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Gelu", "Swish", "Softmax",
      "LogSoftmax", "Clip", "HardSigmoid", "HardSwish", "Softplus", "Mish", "Selu");

  private ActivationImport() {}

  /** An activation layer's function and its parameter. */
  record Function(String name, double alpha) {}

  /**
   * The activation that node {@code n} computes.
   *
   * @throws Unsupported when its attributes or bounds have no activation layer
   */
  static Function of(NodeProto n, NodeMapper m) {
    return switch (n.getOpType()) {
      case "Relu" -> new Function("relu", 0);
      case "Sigmoid" -> new Function("sigmoid", 0);
      case "Tanh" -> new Function("tanh", 0);
      case "HardSwish" -> new Function("hard_swish", 0);
      case "Softplus" -> new Function("softplus", 0);
      case "Mish" -> new Function("mish", 0);
      case "LeakyRelu" -> new Function("leaky_relu", Attrs.decimal(n, "alpha", 0.01));
      case "Elu" -> new Function("elu", Attrs.decimal(n, "alpha", 1));
      case "Gelu" -> {
        String approximate = Attrs.text(n, "approximate", "none");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
          throw new Unsupported("approximate='" + OnnxTensors.clip(approximate) + "'; 'none' and 'tanh' are read");
        }
        yield new Function(approximate.equals("tanh") ? "gelu" : "gelu_erf", 0);
      }
      case "Swish" -> {
        float alpha = Attrs.real(n, "alpha", 1f);
        if (alpha != 1f) {
          throw new Unsupported("alpha=" + alpha + "; only 1 (x sigmoid(x), the silu activation) is read");
        }
        yield new Function("silu", 0);
      }
      case "Softmax", "LogSoftmax" -> {
        Value x = m.value(n.getInput(0));
        if (Shapes.axis(Attrs.integer(n, "axis", -1), x.shape().size() + 1) != x.shape().size()) {
          throw new Unsupported("softmax over an axis other than the last");
        }
        yield new Function(n.getOpType().equals("Softmax") ? "softmax" : "log_softmax", 0);
      }
      case "Clip" -> clip(n, m);
      case "HardSigmoid" -> {
        float alpha = Attrs.real(n, "alpha", 0.2f);
        float beta = Attrs.real(n, "beta", 0.5f);
        if (Math.abs(alpha - 1.0 / 6) > 1e-6 || beta != 0.5f) {
          throw new Unsupported("alpha=" + alpha + ", beta=" + beta + "; only alpha 1/6 and beta 0.5 (relu6(x + 3) / 6,"
              + " PyTorch's nn.Hardsigmoid, the hard_sigmoid activation) are read");
        }
        yield new Function("hard_sigmoid", 0);
      }
      case "Selu" -> {
        float alpha = Attrs.real(n, "alpha", (float) UnaryOp.SELU_ALPHA);
        float gamma = Attrs.real(n, "gamma", (float) UnaryOp.SELU_SCALE);
        if (alpha != (float) UnaryOp.SELU_ALPHA || gamma != (float) UnaryOp.SELU_SCALE) {
          throw new Unsupported("alpha=" + alpha + ", gamma=" + gamma + "; only the defaults " + (float) UnaryOp.SELU_ALPHA
              + " and " + (float) UnaryOp.SELU_SCALE + " (the self-normalising constants, the selu activation) are read");
        }
        yield new Function("selu", 0);
      }
      default -> throw new IllegalArgumentException("Not an activation operator: " + n.getOpType());
    };
  }

  /** {@code Clip} to {@code [0, 6]} or {@code [0, inf)}; its bounds are optional constant inputs (absent: unbounded). */
  private static Function clip(NodeProto n, NodeMapper m) {
    float min = bound(n, 1, m, Float.NEGATIVE_INFINITY);
    float max = bound(n, 2, m, Float.POSITIVE_INFINITY);
    if (min == 0 && max == 6) {
      return new Function("relu6", 0);
    }
    if (min == 0 && max == Float.POSITIVE_INFINITY) {
      return new Function("relu", 0);
    }
    throw new Unsupported("it clips to [" + min + ", " + max + "]; [0, 6] (relu6) and [0, inf) (relu) are read");
  }

  private static float bound(NodeProto n, int input, NodeMapper m, float absent) {
    if (n.getInputCount() <= input || n.getInput(input).isEmpty()) {
      return absent;
    }
    Const c = m.constOrNull(n.getInput(input));
    if (c == null || c.size() != 1) {
      throw new Unsupported("its " + (input == 1 ? "min" : "max") + " (input " + input + ") must be one constant value");
    }
    return c.asFloats()[0];
  }
}
