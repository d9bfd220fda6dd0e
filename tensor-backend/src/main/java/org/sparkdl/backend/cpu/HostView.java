package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * Element access to a host tensor's storage in its own dtype, indexed in elements from the start
 * of the storage. The generic kernels read and write through it in {@code double}; hot kernels use
 * {@link #floats()} directly.
 */
abstract sealed class HostView permits HostView.F32, HostView.F64 {

  static HostView of(Tensor t) {
    ByteBuffer bb = t.storage().hostBuffer();
    return t.dtype() == DType.FLOAT32 ? new F32(bb.asFloatBuffer()) : new F64(bb.asDoubleBuffer());
  }

  abstract double get(int i);

  abstract void set(int i, double v);

  /** The float buffer behind a FLOAT32 view. */
  FloatBuffer floats() {
    throw new IllegalStateException("not a float32 view");
  }

  /** The double buffer behind a FLOAT64 view. */
  DoubleBuffer doubles() {
    throw new IllegalStateException("not a float64 view");
  }

  /** Copies {@code len} elements from index {@code at} into {@code dst}, widened to double. */
  abstract void load(int at, double[] dst, float[] scratch, int len);

  /** Copies {@code len} elements of {@code src} to index {@code at}, in this view's dtype. */
  abstract void store(int at, double[] src, float[] scratch, int len);

  static final class F32 extends HostView {
    private final FloatBuffer b;

    F32(FloatBuffer b) {
      this.b = b;
    }

    @Override double get(int i) {
      return b.get(i);
    }

    @Override void set(int i, double v) {
      b.put(i, (float) v);
    }

    @Override FloatBuffer floats() {
      return b;
    }

    @Override void load(int at, double[] dst, float[] scratch, int len) {
      b.get(at, scratch, 0, len);
      for (int k = 0; k < len; k++) {
        dst[k] = scratch[k];
      }
    }

    @Override void store(int at, double[] src, float[] scratch, int len) {
      for (int k = 0; k < len; k++) {
        scratch[k] = (float) src[k];
      }
      b.put(at, scratch, 0, len);
    }
  }

  static final class F64 extends HostView {
    private final DoubleBuffer b;

    F64(DoubleBuffer b) {
      this.b = b;
    }

    @Override double get(int i) {
      return b.get(i);
    }

    @Override void set(int i, double v) {
      b.put(i, v);
    }

    @Override DoubleBuffer doubles() {
      return b;
    }

    @Override void load(int at, double[] dst, float[] scratch, int len) {
      b.get(at, dst, 0, len);
    }

    @Override void store(int at, double[] src, float[] scratch, int len) {
      b.put(at, src, 0, len);
    }
  }
}
