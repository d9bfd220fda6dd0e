package org.sparkdl.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable tensor shape: the size of each dimension, outermost first. A scalar has rank 0.
 * Sizes are non-negative; a zero size gives an empty tensor.
 */
public final class Shape {
  private static final int MAX_RANK = 8;
  private final int[] dims;

  private Shape(int[] dims) {
    if (dims.length > MAX_RANK) {
      throw new IllegalArgumentException(
          "Shape " + Arrays.toString(dims) + " has rank " + dims.length + "; at most " + MAX_RANK + " is supported.");
    }
    long size = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("Shape " + Arrays.toString(dims) + " has a negative dimension.");
      }
      size *= d;
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Shape " + Arrays.toString(dims) + " has more than " + Integer.MAX_VALUE + " elements.");
      }
    }
    this.dims = dims;
  }

  /** A shape with the given dimensions, outermost first. */
  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  /** A shape from a list of dimensions. */
  public static Shape of(List<Integer> dims) {
    return new Shape(dims.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The scalar shape (rank 0, one element). */
  public static Shape scalar() {
    return new Shape(new int[0]);
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Size of dimension {@code axis}; negative axes count from the end ({@code -1} is the last). */
  public int dim(int axis) {
    return dims[axis(axis)];
  }

  /** Resolves a possibly negative axis to {@code [0, rank)}, or throws naming the shape. */
  public int axis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= dims.length) {
      throw new IllegalArgumentException("Axis " + axis + " is out of range for shape " + this + ".");
    }
    return a;
  }

  /** Total number of elements (1 for a scalar). */
  public int size() {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** A copy of the dimensions. */
  public int[] toArray() {
    return dims.clone();
  }

  /** The dimensions as a list. */
  public List<Integer> toList() {
    return Arrays.stream(dims).boxed().toList();
  }

  /** This shape with dimension {@code axis} replaced by {@code size}. */
  public Shape with(int axis, int size) {
    int[] d = dims.clone();
    d[axis(axis)] = size;
    return new Shape(d);
  }

  /** This shape with {@code leading} prepended, e.g. a batch dimension. */
  public Shape prepend(int leading) {
    int[] d = new int[dims.length + 1];
    d[0] = leading;
    System.arraycopy(dims, 0, d, 1, dims.length);
    return new Shape(d);
  }

  /** This shape without its first dimension. */
  public Shape dropFirst() {
    return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
  }

  /** Row-major (C order) strides in elements. */
  public long[] contiguousStrides() {
    long[] s = new long[dims.length];
    long acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  /**
   * The shape two operands broadcast to (NumPy rules: align on the right, sizes must match or be 1).
   *
   * @throws IllegalArgumentException naming both shapes when they do not broadcast
   */
  public static Shape broadcast(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
      int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("Shapes " + a + " and " + b + " do not broadcast.");
      }
      out[i] = da == 1 ? db : da;
    }
    return new Shape(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
