package org.sparkdl.backend.cpu;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Reads of a {@code float[]} element without the bounds check, for the innermost loops of the
 * direct convolutions, whose scalar reads come at offsets the compiler cannot bound (a tap's offset
 * read from a table): ten checked reads per tap kept a LeNet's second layer at 90 GFLOP/s of a
 * core's 117, unchecked it ran at 100-109. A caller proves every index in range before the loop
 * (see {@code DirectConvKernels}); a wrong index would read another object's memory, not throw.
 * Where {@code sun.misc.Unsafe} is not to be had, the reads are plain array reads.
 */
final class UncheckedFloats {
  private static final Unsafe UNSAFE = unsafe();
  private static final long BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(float[].class);
  private static final long SCALE = UNSAFE == null ? 0 : UNSAFE.arrayIndexScale(float[].class);

  private UncheckedFloats() {}

  /** {@code a[i]}, unchecked: the caller has proved {@code 0 <= i < a.length}. */
  static float get(float[] a, int i) {
    return UNSAFE == null ? a[i] : UNSAFE.getFloat(a, BASE + SCALE * i);
  }

  private static Unsafe unsafe() {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
