package org.sparkdl.onnx;

import java.util.Arrays;

/**
 * A constant tensor of an ONNX graph (an initializer, a {@code Constant} node or a folded
 * subgraph's result): its dims and either float or integer values, row-major.
 *
 * @param dims the shape, empty for a scalar
 * @param floats the values of a floating-point tensor, else null
 * @param longs the values of an integer tensor, else null
 */
record Const(long[] dims, float[] floats, long[] longs) {
  static Const ofFloats(long[] dims, float[] values) {
    return new Const(dims, values, null);
  }

  static Const ofLongs(long[] dims, long[] values) {
    return new Const(dims, null, values);
  }

  boolean isFloat() {
    return floats != null;
  }

  int size() {
    return isFloat() ? floats.length : longs.length;
  }

  int rank() {
    return dims.length;
  }

  /** The values as floats, whatever the type. */
  float[] asFloats() {
    if (isFloat()) {
      return floats;
    }
    float[] f = new float[longs.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = longs[i];
    }
    return f;
  }

  /** The values as integers, whatever the type (floats truncated). */
  long[] asLongs() {
    if (!isFloat()) {
      return longs;
    }
    long[] l = new long[floats.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (long) floats[i];
    }
    return l;
  }

  /** The same values under other dims (of the same element count). */
  Const reshaped(long[] newDims) {
    return new Const(newDims, floats, longs);
  }

  /** Element count of {@code dims}, or -1 when it overflows {@code limit}. */
  static long count(long[] dims, long limit) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        return -1;
      }
      if (d != 0 && n > limit / d) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return (isFloat() ? "float" : "int") + Arrays.toString(dims);
  }
}
