package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.tensor.Tensor;

/**
 * SIMD versions of the float32 kernels that dominate a training step once gemm is done: the
 * optimizer updates over every parameter. Uses the incubating Vector API, which Spark's launcher
 * enables in every driver and executor ({@code --add-modules=jdk.incubator.vector}); {@link
 * Simd#AVAILABLE} is false without it, and the scalar kernels run instead. Only touch this class
 * after checking {@link Simd#AVAILABLE}: loading it without the module fails.
 */
final class SimdKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private SimdKernels() {}

  /** Adam/AdamW over contiguous float32 buffers of equal size; see {@link OptimizerKernels.Adam}. */
  static void adam(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    adam(param.storage().hostBuffer(), (int) param.offset() * 4, grad.storage().hostBuffer(), (int) grad.offset() * 4,
        m.storage().hostBuffer(), (int) m.offset() * 4, v.storage().hostBuffer(), (int) v.offset() * 4, param.size(), h);
  }

  /** Adam over {@code n} floats of each buffer from the given byte offsets. */
  static void adam(ByteBuffer p, int po, ByteBuffer g, int go, ByteBuffer mm, int mo, ByteBuffer vv, int vo, int n,
      OptimizerKernels.Adam h) {
    double c1 = 1 - Math.pow(h.beta1(), h.step());
    double c2 = 1 - Math.pow(h.beta2(), h.step());
    float b1 = (float) h.beta1();
    float b2 = (float) h.beta2();
    float omb1 = (float) (1 - h.beta1());
    float omb2 = (float) (1 - h.beta2());
    float stepSize = (float) (h.lr() / c1);
    float invC2 = (float) (1 / Math.sqrt(c2));
    float eps = (float) h.eps();
    float scale = (float) h.gradScale();
    float l2 = h.decoupled() ? 0f : (float) h.weightDecay();
    float decay = h.decoupled() ? (float) (1 - h.lr() * h.weightDecay()) : 1f;
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      int k = i * 4;
      FloatVector pi = FloatVector.fromByteBuffer(S, p, po + k, ORDER);
      FloatVector gi = FloatVector.fromByteBuffer(S, g, go + k, ORDER).mul(scale).add(pi.mul(l2));
      FloatVector mi = FloatVector.fromByteBuffer(S, mm, mo + k, ORDER).mul(b1).add(gi.mul(omb1));
      FloatVector vi = FloatVector.fromByteBuffer(S, vv, vo + k, ORDER).mul(b2).add(gi.mul(omb2).mul(gi));
      mi.intoByteBuffer(mm, mo + k, ORDER);
      vi.intoByteBuffer(vv, vo + k, ORDER);
      pi.mul(decay).sub(mi.mul(stepSize).div(vi.sqrt().mul(invC2).add(eps))).intoByteBuffer(p, po + k, ORDER);
    }
    for (; i < n; i++) {
      int k = i * 4;
      float pi = p.getFloat(po + k);
      float gi = g.getFloat(go + k) * scale + l2 * pi;
      float mi = b1 * mm.getFloat(mo + k) + omb1 * gi;
      float vi = b2 * vv.getFloat(vo + k) + omb2 * gi * gi;
      mm.putFloat(mo + k, mi);
      vv.putFloat(vo + k, vi);
      p.putFloat(po + k, pi * decay - stepSize * mi / ((float) Math.sqrt(vi) * invC2 + eps));
    }
  }
}
