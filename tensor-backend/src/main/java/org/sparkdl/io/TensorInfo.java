package org.sparkdl.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header: its name, element type, shape and where its bytes
 * lie. {@code begin} and {@code end} are relative to the start of the data section, as in the file.
 *
 * <p>Instances are consistent by construction: the constructor rejects an unknown dtype, negative
 * dimensions, offsets out of order, and a byte range whose length is not {@code numElements() *}
 * the element size. The shape array is copied in and out, so instances are immutable.
 *
 * @param name the tensor's name, non-empty
 * @param dtype one of the {@link SafeTensorsDType} names, such as {@code "F32"}
 * @param shape dimensions, outermost first; empty for a scalar
 * @param begin offset of the first byte within the data section
 * @param end offset just past the last byte within the data section
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if the components are inconsistent (see the class comment)
   */
  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    shape = shape.clone();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("tensor name is empty");
    }
    SafeTensorsDType type =
        SafeTensorsDType.byName(dtype)
            .orElseThrow(() -> new IllegalArgumentException("unknown dtype " + ModelFileException.quote(dtype)));
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor " + ModelFileException.quote(name) + " has negative dimension " + d);
      }
    }
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "tensor " + ModelFileException.quote(name) + " has offsets [" + begin + ", " + end + "]");
    }
    long expected = type.byteLengthOrMinusOne(shape);
    if (expected != end - begin) {
      throw new IllegalArgumentException(
          "tensor " + ModelFileException.quote(name) + " of shape " + ModelFileException.shapeText(shape)
              + " spans " + (end - begin) + " bytes, not " + expected);
    }
  }

  /** The dimensions (a copy), outermost first; empty for a scalar. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The number of dimensions; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** The element type as an enum. */
  public SafeTensorsDType elementType() {
    return SafeTensorsDType.byName(dtype).orElseThrow();
  }

  /**
   * The number of elements: the product of the shape, 1 for a scalar. Cannot overflow, as the
   * constructor checked the byte count.
   */
  public long numElements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The number of bytes the tensor occupies in the file: {@code end - begin}. */
  public long byteLength() {
    return end - begin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype.equals(t.dtype)
        && Arrays.equals(shape, t.shape)
        && begin == t.begin
        && end == t.end;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
  }

  @Override
  public String toString() {
    return "TensorInfo[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape)
        + ", begin=" + begin + ", end=" + end + "]";
  }
}
