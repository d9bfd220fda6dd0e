package org.sparkdl.arrow;

import java.util.List;

/**
 * The containers an array column's value arrives in. Spark hands {@code array<float>} and {@code
 * array<double>} values to {@code Row} users as Scala sequences (usually an {@code ArraySeq}
 * over a primitive or boxed Java array); rows built by hand may hold Java lists or arrays. Reading
 * the backing array directly keeps the per-value cost to an array access.
 */
final class ArrayValues {
  private ArrayValues() {}

  /**
   * The backing array of {@code value} ({@code float[]}, {@code double[]} or {@code Object[]}) when
   * it has one, else {@code value} itself (a Scala {@code Seq} or Java {@code List}).
   */
  static Object unwrap(Object value) {
    if (value instanceof scala.collection.mutable.ArraySeq<?> s) {
      return s.array();
    }
    if (value instanceof scala.collection.immutable.ArraySeq<?> s) {
      return s.unsafeArray();
    }
    return value;
  }

  /** Number of elements, or throws when {@code value} is not an array container. */
  static int length(Object value) {
    Object a = unwrap(value);
    if (a instanceof float[] f) {
      return f.length;
    }
    if (a instanceof double[] d) {
      return d.length;
    }
    if (a instanceof Object[] o) {
      return o.length;
    }
    if (a instanceof scala.collection.Seq<?> s) {
      return s.length();
    }
    if (a instanceof List<?> l) {
      return l.size();
    }
    throw new IllegalArgumentException("Expected an array value; found a " + value.getClass().getName() + ".");
  }

  /** Element {@code i} of a container {@link #unwrap} returned, boxed; null for a null element. */
  static Object element(Object unwrapped, int i) {
    if (unwrapped instanceof Object[] o) {
      return o[i];
    }
    if (unwrapped instanceof scala.collection.Seq<?> s) {
      return s.apply(i);
    }
    return ((List<?>) unwrapped).get(i);
  }
}
