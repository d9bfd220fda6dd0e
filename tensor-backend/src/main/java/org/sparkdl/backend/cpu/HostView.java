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
  }
}
