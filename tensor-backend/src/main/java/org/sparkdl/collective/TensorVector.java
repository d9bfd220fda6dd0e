package org.sparkdl.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.sparkdl.backend.Backend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * Float32 tensors seen as one vector of {@link #floats} values, and scalars carried after them;
 * cut into byte slices of the tensors' own memory for sending and receiving in place.
 */
final class TensorVector {
  final ByteBuffer[] parts;
  final long[] starts;
  final long floats;
  final ByteBuffer scalars;
  /** The backend of the tensors (scratch memory comes from it), or null without tensors. */
  final Backend backend;

  TensorVector(double[] scalarValues, Tensor... data) {
    backend = data.length == 0 ? null : Backend.of(data[0]);
    parts = new ByteBuffer[data.length];
    starts = new long[data.length + 1];
    for (int i = 0; i < data.length; i++) {
      Tensor t = data[i];
      if (t.dtype() != DType.FLOAT32 || !t.isContiguous()) {
        throw new IllegalArgumentException("Collective tensors must be contiguous float32; tensor " + i + " is "
            + (t.dtype() != DType.FLOAT32 ? t.dtype().toString() : "a strided view") + " of shape " + t.shape() + ".");
      }
      ByteBuffer host = t.storage().hostBuffer();
      if (host == null || Backend.of(t) != backend) {
        throw new IllegalArgumentException("The TCP collective reads host memory of one backend; tensor " + i
            + " lives on " + Backend.of(t).name() + (host == null ? "." : ", tensor 0 on " + backend.name() + "."));
      }
      ByteBuffer b = host.duplicate();
      b.limit((int) (t.offset() * 4 + t.size() * 4L)).position((int) (t.offset() * 4));
      parts[i] = b.slice().order(ByteOrder.LITTLE_ENDIAN);
      starts[i + 1] = starts[i] + t.size();
    }
    floats = starts[data.length];
    scalars = ByteBuffer.allocate(scalarValues.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : scalarValues) {
      scalars.putDouble(d);
    }
    scalars.flip();
  }

  private TensorVector(ByteBuffer[] parts, long[] starts, long floats, ByteBuffer scalars, Backend backend) {
    this.parts = parts;
    this.starts = starts;
    this.floats = floats;
    this.scalars = scalars;
    this.backend = backend;
  }

  /** A vector of this one's scalars alone, sharing their buffer: what is summed into it lands here. */
  TensorVector scalarsOnly() {
    return new TensorVector(new ByteBuffer[0], new long[] {0}, 0, scalars, null);
  }

  /** This vector's tensors without the scalars. */
  TensorVector withoutScalars() {
    return new TensorVector(parts, starts, floats, ByteBuffer.allocate(0), backend);
  }

  int scalarCount() {
    return scalars.capacity() / 8;
  }

  /** Byte slices covering floats {@code [from, to)}, then the scalars when asked. */
  ByteBuffer[] slices(long from, long to, boolean withScalars) {
    List<ByteBuffer> out = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      long lo = Math.max(from, starts[i]);
      long hi = Math.min(to, starts[i + 1]);
      if (hi > lo) {
        ByteBuffer b = parts[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.limit((int) ((hi - starts[i]) * 4)).position((int) ((lo - starts[i]) * 4));
        out.add(b);
      }
    }
    if (withScalars && scalars.capacity() > 0) {
      out.add(scalars.duplicate().clear());
    }
    return out.toArray(new ByteBuffer[0]);
  }

  /**
   * Adds floats {@code [from, to)} received into {@code in} (packed from its start) to this
   * vector's, and, when asked, the scalars received at the end of {@code in}.
   */
  void add(long from, long to, boolean withScalars, ByteBuffer in) {
    int at = 0;
    for (ByteBuffer dst : slices(from, to, false)) {
      // float views index from 0 without byte arithmetic, which the JIT compiles to plain loads and stores
      FloatBuffer d = dst.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      FloatBuffer src = in.duplicate().limit(at + dst.remaining()).position(at).slice().order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer();
      int n = d.remaining();
      addInto(d, 0, src, n);
      at += 4 * n;
    }
    if (withScalars) {
      int off = in.capacity() - scalarCount() * 8;
      for (int j = 0; j < scalarCount(); j++) {
        scalars.putDouble(8 * j, scalars.getDouble(8 * j) + in.getDouble(off + 8 * j));
      }
    }
  }

  void storeScalars(double[] out) {
    for (int j = 0; j < out.length; j++) {
      out[j] = scalars.getDouble(8 * j);
    }
  }

  /** Floats per chunk of {@link #addInto}: two arrays of it stay in a core's L1 cache. */
  private static final int CHUNK = 2048;
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][CHUNK]);

  /**
   * {@code dst[at + i] += src[i]} for {@code i < n}, chunk by chunk through heap arrays: bulk copies
   * in and out, and an array loop HotSpot compiles to SIMD instructions (per-element buffer calls
   * cost several times more); the same sums, so the same bits.
   */
  static void addInto(FloatBuffer dst, int at, FloatBuffer src, int n) {
    float[][] t = SCRATCH.get();
    float[] a = t[0];
    float[] b = t[1];
    for (int from = 0; from < n; from += CHUNK) {
      int len = Math.min(CHUNK, n - from);
      dst.get(at + from, a, 0, len);
      src.get(from, b, 0, len);
      for (int i = 0; i < len; i++) {
        a[i] += b[i];
      }
      dst.put(at + from, a, 0, len);
    }
  }
}
