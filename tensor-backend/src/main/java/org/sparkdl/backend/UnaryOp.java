package org.sparkdl.backend;

/**
 * Elementwise functions {@code y = f(x; p)} with their derivatives, as the backends compute them.
 * The {@code double} methods here are the reference definitions; backends may run faster kernels
 * but must agree with them.
 */
public enum UnaryOp {
  IDENTITY {
    @Override public double apply(double x, double p) { return x; }
    @Override public double derivative(double x, double y, double p) { return 1; }
  },
  NEG {
    @Override public double apply(double x, double p) { return -x; }
    @Override public double derivative(double x, double y, double p) { return -1; }
  },
  /** {@code x * p}. */
  SCALE {
    @Override public double apply(double x, double p) { return x * p; }
    @Override public double derivative(double x, double y, double p) { return p; }
  },
  /** {@code x + p}. */
  ADD_SCALAR {
    @Override public double apply(double x, double p) { return x + p; }
    @Override public double derivative(double x, double y, double p) { return 1; }
  },
  SQUARE {
    @Override public double apply(double x, double p) { return x * x; }
    @Override public double derivative(double x, double y, double p) { return 2 * x; }
  },
  SQRT {
    @Override public double apply(double x, double p) { return Math.sqrt(x); }
    @Override public double derivative(double x, double y, double p) { return 0.5 / y; }
  },
  EXP {
    @Override public double apply(double x, double p) { return Math.exp(x); }
    @Override public double derivative(double x, double y, double p) { return y; }
  },
  /** Natural logarithm; {@code p} is a floor applied to x first (0 for none). */
  LOG {
    @Override public double apply(double x, double p) { return Math.log(Math.max(x, p)); }
    @Override public double derivative(double x, double y, double p) { return x < p ? 0 : 1 / x; }
  },
  ABS {
    @Override public double apply(double x, double p) { return Math.abs(x); }
    @Override public double derivative(double x, double y, double p) { return Math.signum(x); }
  },
  RELU {
    @Override public double apply(double x, double p) { return Math.max(x, 0); }
    @Override public double derivative(double x, double y, double p) { return x > 0 ? 1 : 0; }
  },
  /** {@code min(max(x, 0), 6)}: MobileNet's ReLU6 (PyTorch's {@code nn.ReLU6}, ONNX's {@code Clip(x, 0, 6)}). */
  RELU6 {
    @Override public double apply(double x, double p) { return Math.min(Math.max(x, 0), 6); }
    @Override public double derivative(double x, double y, double p) { return x > 0 && x < 6 ? 1 : 0; }
  },
  /** {@code relu6(x + 3) / 6}: PyTorch's {@code nn.Hardsigmoid}, ONNX's {@code HardSigmoid} with alpha 1/6, beta 0.5. */
  HARD_SIGMOID {
    @Override public double apply(double x, double p) { return RELU6.apply(x + 3, 0) / 6; }
    @Override public double derivative(double x, double y, double p) { return x > -3 && x < 3 ? 1.0 / 6 : 0; }
  },
  /** {@code x relu6(x + 3) / 6}: MobileNetV3's hard swish (PyTorch's {@code nn.Hardswish}, ONNX's {@code HardSwish}). */
  HARD_SWISH {
    @Override public double apply(double x, double p) { return x * HARD_SIGMOID.apply(x, 0); }
    @Override public double derivative(double x, double y, double p) {
      return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;   // PyTorch's values at the kinks
    }
  },
  /** {@code x > 0 ? x : p * x}. */
  LEAKY_RELU {
    @Override public double apply(double x, double p) { return x > 0 ? x : p * x; }
    @Override public double derivative(double x, double y, double p) { return x > 0 ? 1 : p; }
  },
  /**
   * SELU, {@code scale (x > 0 ? x : alpha (e^x - 1))} with the self-normalising constants of
   * Klambauer et al. (PyTorch's {@code nn.SELU}, Keras' {@code selu}, ONNX's {@code Selu}).
   */
  SELU {
    @Override public double apply(double x, double p) { return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)); }
    @Override public double derivative(double x, double y, double p) { return x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA; }
  },
  /** {@code x > 0 ? x : p * (exp(x) - 1)}. */
  ELU {
    @Override public double apply(double x, double p) { return x > 0 ? x : p * Math.expm1(x); }
    @Override public double derivative(double x, double y, double p) { return x > 0 ? 1 : y + p; }
  },
  /**
   * GELU in its tanh form, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, as in BERT and
   * GPT-2 (PyTorch's {@code approximate="tanh"}); within 1e-3 of the erf form everywhere.
   */
  GELU {
    @Override public double apply(double x, double p) {
      return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    }
    @Override public double derivative(double x, double y, double p) {
      double u = GELU_C * (x + 0.044715 * x * x * x);
      double t = Math.tanh(u);
      double du = GELU_C * (1 + 3 * 0.044715 * x * x);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    }
  },
  /**
   * GELU in its exact form, {@code x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}, as PyTorch's
   * {@code nn.GELU()} (its default {@code approximate="none"}) and ONNX's {@code Gelu}.
   */
  GELU_ERF {
    @Override public double apply(double x, double p) { return 0.5 * x * (1 + erf(x * SQRT_HALF)); }
    @Override public double derivative(double x, double y, double p) {
      return 0.5 * (1 + erf(x * SQRT_HALF)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
    }
  },
  /**
   * SiLU, or swish: {@code x sigmoid(x)}, PyTorch's {@code nn.SiLU}, Keras' {@code swish} and
   * ONNX's {@code Swish} with {@code alpha} 1. Its derivative is {@code s (1 + x (1 - s))} with
   * {@code s = sigmoid(x)}.
   */
  SILU {
    @Override public double apply(double x, double p) { return x * SIGMOID.apply(x, 0); }
    @Override public double derivative(double x, double y, double p) {
      double s = SIGMOID.apply(x, 0);
      return s * (1 + x * (1 - s));
    }
  },
  /**
   * Mish, {@code x tanh(softplus(x))} (YOLOv4's, PyTorch's {@code nn.Mish}, ONNX's {@code Mish}).
   * Its derivative is {@code tanh(s) + x (1 - tanh(s)^2) sigmoid(x)} with {@code s = softplus(x)}.
   */
  MISH {
    @Override public double apply(double x, double p) { return x * Math.tanh(SOFTPLUS.apply(x, 0)); }
    @Override public double derivative(double x, double y, double p) {
      double t = Math.tanh(SOFTPLUS.apply(x, 0));
      return t + x * (1 - t * t) * SIGMOID.apply(x, 0);
    }
  },
  SIGMOID {
    @Override public double apply(double x, double p) {
      return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
    @Override public double derivative(double x, double y, double p) { return y * (1 - y); }
  },
  TANH {
    @Override public double apply(double x, double p) { return Math.tanh(x); }
    @Override public double derivative(double x, double y, double p) { return 1 - y * y; }
  },
  /** {@code log(1 + exp(x))}, computed without overflow. */
  SOFTPLUS {
    @Override public double apply(double x, double p) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
    @Override public double derivative(double x, double y, double p) { return SIGMOID.apply(x, 0); }
  },
  /** Huber with threshold {@code p}: {@code 0.5 x^2} for {@code |x| <= p}, else {@code p (|x| - p/2)}. */
  HUBER {
    @Override public double apply(double x, double p) {
      double a = Math.abs(x);
      return a <= p ? 0.5 * x * x : p * (a - 0.5 * p);
    }
    @Override public double derivative(double x, double y, double p) { return Math.max(-p, Math.min(p, x)); }
  };

  private static final double GELU_C = Math.sqrt(2 / Math.PI);
  /** SELU's alpha (Klambauer et al.; PyTorch's value, whose float32 is ONNX's default). */
  public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
  /** SELU's scale (ONNX calls it gamma). */
  public static final double SELU_SCALE = 1.0507009873554804934193349852946;
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  /**
   * The error function to within a few ulps (Java has none): below 2.5 the series {@code erf(z) =
   * 2/sqrt(pi) e^(-z^2) sum_n z (2 z^2)^n / (2n+1)!!}, whose terms are all positive so nothing
   * cancels (at most 38 terms); up to 6 one minus the continued fraction of {@code erfc} (at most 39
   * steps); beyond, 1, which {@code erfc(6) < 3e-17} cannot change in double.
   */
  static double erf(double z) {
    double a = Math.abs(z);
    double v;
    if (a < 2.5) {
      double term = a;
      double sum = a;
      double twoA2 = 2 * a * a;
      for (int n = 1; term > sum * 1e-17; n++) {
        term *= twoA2 / (2 * n + 1);
        sum += term;
      }
      v = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    } else if (a < 6) {
      v = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * erfcFraction(a));
    } else {
      v = Double.isNaN(a) ? a : 1;
    }
    return z < 0 ? -v : v;
  }

  /**
   * {@code z + (1/2) / (z + 1 / (z + (3/2) / (z + 2 / (z + ...))))}, by the modified Lentz method;
   * {@code erfc(z) = e^(-z^2) / (sqrt(pi) times this)} for {@code z > 0}.
   */
  private static double erfcFraction(double z) {
    double f = z;
    double c = z;
    double d = 0;
    for (int k = 1; k < 200; k++) {
      double ak = 0.5 * k;
      d = 1 / (z + ak * d);
      c = z + ak / c;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return f;
  }

  /** The function's value at {@code x} with parameter {@code p}. */
  public abstract double apply(double x, double p);

  /** {@code dy/dx} at {@code x}, given {@code y = apply(x, p)} (cheaper for some functions). */
  public abstract double derivative(double x, double y, double p);
}
