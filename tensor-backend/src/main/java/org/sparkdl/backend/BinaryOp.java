package org.sparkdl.backend;

/** Elementwise functions of two broadcast operands. */
public enum BinaryOp {
  ADD {
    @Override public double apply(double a, double b) { return a + b; }
  },
  SUB {
    @Override public double apply(double a, double b) { return a - b; }
  },
  MUL {
    @Override public double apply(double a, double b) { return a * b; }
  },
  DIV {
    @Override public double apply(double a, double b) { return a / b; }
  },
  MAX {
    @Override public double apply(double a, double b) { return Math.max(a, b); }
  },
  MIN {
    @Override public double apply(double a, double b) { return Math.min(a, b); }
  };

  /** The reference definition. */
  public abstract double apply(double a, double b);
}
