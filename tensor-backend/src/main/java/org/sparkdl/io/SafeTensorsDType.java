package org.sparkdl.io;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sparkdl.tensor.DType;

/**
 * The element types a safetensors file may declare, with their sizes. The constant names are the
 * exact strings used in the header's {@code "dtype"} field.
 */
public enum SafeTensorsDType {
  /** Boolean, one byte per element. */
  BOOL(1),
  /** Unsigned 8-bit integer. */
  U8(1),
  /** Signed 8-bit integer. */
  I8(1),
  /** 8-bit float with 5 exponent and 2 mantissa bits. */
  F8_E5M2(1),
  /** 8-bit float with 4 exponent and 3 mantissa bits. */
  F8_E4M3(1),
  /** Signed 16-bit integer. */
  I16(2),
  /** Unsigned 16-bit integer. */
  U16(2),
  /** IEEE 754 half precision. */
  F16(2),
  /** bfloat16: the upper half of an IEEE 754 single. */
  BF16(2),
  /** Signed 32-bit integer. */
  I32(4),
  /** Unsigned 32-bit integer. */
  U32(4),
  /** IEEE 754 single precision. */
  F32(4),
  /** IEEE 754 double precision. */
  F64(8),
  /** Signed 64-bit integer. */
  I64(8),
  /** Unsigned 64-bit integer. */
  U64(8);

  private static final Map<String, SafeTensorsDType> BY_NAME = new HashMap<>();

  static {
    for (SafeTensorsDType t : values()) {
      BY_NAME.put(t.name(), t);
    }
  }

  private final int byteSize;

  SafeTensorsDType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /**
   * The type a header string names, or empty when the string is not one of the standard names.
   * Unlike {@link #valueOf(String)} this never throws, so hostile headers cannot provoke an
   * unchecked exception.
   */
  public static Optional<SafeTensorsDType> byName(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The file type that stores a tensor element type.
   *
   * @throws IllegalArgumentException if {@code dtype} has no safetensors counterpart
   */
  public static SafeTensorsDType of(DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    SafeTensorsDType t = BY_NAME.get(dtype.safetensorsName());
    if (t == null) {
      throw new IllegalArgumentException(dtype + " has no safetensors dtype");
    }
    return t;
  }

  /**
   * The byte count of a tensor of this type and {@code shape}, or -1 when it does not fit in a
   * {@code long}. Dimensions must be non-negative.
   *
   * <p>The product of the non-zero dimensions must fit even when some dimension is zero: code that
   * computes strides would otherwise overflow on a tensor that holds no elements.
   */
  long byteLengthOrMinusOne(long[] shape) {
    long nonZeroProduct = byteSize;
    boolean empty = false;
    for (long d : shape) {
      if (d == 0) {
        empty = true;
      } else if (nonZeroProduct > Long.MAX_VALUE / d) {
        return -1;
      } else {
        nonZeroProduct *= d;
      }
    }
    return empty ? 0 : nonZeroProduct;
  }
}
