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
  /** {@code x > 0 ? x : p * x}. */
  LEAKY_RELU {
    @Override public double apply(double x, double p) { return x > 0 ? x : p * x; }
    @Override public double derivative(double x, double y, double p) { return x > 0 ? 1 : p; }
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

  /** The function's value at {@code x} with parameter {@code p}. */
  public abstract double apply(double x, double p);

  /** {@code dy/dx} at {@code x}, given {@code y = apply(x, p)} (cheaper for some functions). */
  public abstract double derivative(double x, double y, double p);
}
