package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * The fused optimizer updates over flat contiguous buffers. Float32 buffers, the training case,
 * have loops of their own; float64 (used by tests) goes through {@link HostView}.
 */
final class OptimizerUpdates {
  private static final SimdWarmup ADAM_WARMUP = new SimdWarmup();

  private OptimizerUpdates() {}

  static void sgd(Tensor param, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    HostView p = HostView.of(param);
    HostView g = HostView.of(grad);
    HostView b = buf == null ? null : HostView.of(buf);
    int po = (int) param.offset();
    int go = (int) grad.offset();
    int bo = buf == null ? 0 : (int) buf.offset();
    int n = param.size();
    double mom = h.momentum();
    for (int i = 0; i < n; i++) {
      double pi = p.get(po + i);
      double gi = g.get(go + i) * h.gradScale() + h.weightDecay() * pi;
      double step = gi;
      if (mom != 0) {
        double bi = mom * b.get(bo + i) + gi;
        b.set(bo + i, bi);
        step = h.nesterov() ? gi + mom * bi : bi;
      }
      p.set(po + i, pi - h.lr() * step);
    }
  }

  static void adam(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    if (param.dtype() == DType.FLOAT32 && Simd.AVAILABLE && ADAM_WARMUP.ready()) {
      SimdKernels.adam(param, grad, m, v, h);
    } else if (param.dtype() == DType.FLOAT32 && Simd.AVAILABLE && ADAM_WARMUP.split(param.size())) {
      adamWarmingUp(param, grad, m, v, h);
    } else if (param.dtype() == DType.FLOAT32 && Simd.AVAILABLE && param.size() > 2 * SimdWarmup.SLICE) {
      long t0 = System.nanoTime();
      adamFloat(param, grad, m, v, h);
      ADAM_WARMUP.recordScalar(System.nanoTime() - t0);
    } else if (param.dtype() == DType.FLOAT32 && Simd.AVAILABLE) {
      SimdKernels.adam(param, grad, m, v, h);
    } else if (param.dtype() == DType.FLOAT32) {
      adamFloat(param, grad, m, v, h);
    } else {
      adamGeneric(param, grad, m, v, h);
    }
  }

  /** Adam while the SIMD kernel is not yet compiled: a timed SIMD slice, the rest scalar; see {@link SimdWarmup}. */
  static void adamWarmingUp(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    int n = param.size();
    int k = SimdWarmup.SLICE;
    Tensor[] t = {flat(param), flat(grad), flat(m), flat(v)};
    long t0 = System.nanoTime();
    SimdKernels.adam(t[0].slice(0, 0, k), t[1].slice(0, 0, k), t[2].slice(0, 0, k), t[3].slice(0, 0, k), h);
    long t1 = System.nanoTime();
    adamFloat(t[0].slice(0, k, n), t[1].slice(0, k, n), t[2].slice(0, k, n), t[3].slice(0, k, n), h);
    ADAM_WARMUP.record(t1 - t0, k, System.nanoTime() - t1, n - k);
  }

  private static Tensor flat(Tensor t) {
    return t.rank() == 1 ? t : t.reshape(t.size());
  }

  /** Scalar float32 Adam, where the Vector API is not enabled; SimdKernels.adam computes the same. */
  static void adamFloat(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    adamFloat(HostView.of(param).floats(), (int) param.offset(), HostView.of(grad).floats(), (int) grad.offset(),
        HostView.of(m).floats(), (int) m.offset(), HostView.of(v).floats(), (int) v.offset(), param.size(), h);
  }

  /** Scalar Adam over {@code n} floats of each buffer from the given element offsets. */
  private static void adamFloat(FloatBuffer p, int po, FloatBuffer g, int go, FloatBuffer mm, int mo, FloatBuffer vv, int vo,
      int n, OptimizerKernels.Adam h) {
    double c1 = 1 - Math.pow(h.beta1(), h.step());
    double c2 = 1 - Math.pow(h.beta2(), h.step());
    float b1 = (float) h.beta1();
    float b2 = (float) h.beta2();
    // 1 - beta is formed in double: in float32, 1 - 0.999f is off by 1e-5 relative
    float omb1 = (float) (1 - h.beta1());
    float omb2 = (float) (1 - h.beta2());
    float stepSize = (float) (h.lr() / c1);
    float invC2 = (float) (1 / Math.sqrt(c2));
    float eps = (float) h.eps();
    float scale = (float) h.gradScale();
    float l2 = h.decoupled() ? 0f : (float) h.weightDecay();
    float decay = h.decoupled() ? (float) (1 - h.lr() * h.weightDecay()) : 1f;
    // chunk by chunk through heap arrays: the buffers are copied in and out in bulk, and the loop over arrays is one
    // HotSpot compiles to SIMD instructions by itself (and runs faster than per-element buffer calls before that);
    // the same operations in the same order as element by element, so the same bits
    float[][] t = ADAM_SCRATCH.get();
    float[] pa = t[0];
    float[] ga = t[1];
    float[] ma = t[2];
    float[] va = t[3];
    for (int from = 0; from < n; from += CHUNK) {
      int len = Math.min(CHUNK, n - from);
      p.get(po + from, pa, 0, len);
      g.get(go + from, ga, 0, len);
      mm.get(mo + from, ma, 0, len);
      vv.get(vo + from, va, 0, len);
      for (int i = 0; i < len; i++) {
        float pi = pa[i];
        float gi = ga[i] * scale + l2 * pi;
        float mi = b1 * ma[i] + omb1 * gi;
        float vi = b2 * va[i] + omb2 * gi * gi;
        ma[i] = mi;
        va[i] = vi;
        pa[i] = pi * decay - stepSize * mi / ((float) Math.sqrt(vi) * invC2 + eps);
      }
      p.put(po + from, pa, 0, len);
      mm.put(mo + from, ma, 0, len);
      vv.put(vo + from, va, 0, len);
    }
  }

  /** Elements per chunk of the scalar Adam: four arrays of it stay in a core's L1 cache. */
  private static final int CHUNK = 1024;
  private static final ThreadLocal<float[][]> ADAM_SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

  private static void adamGeneric(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    double b1 = h.beta1();
    double b2 = h.beta2();
    double c1 = 1 - Math.pow(b1, h.step());
    double c2 = 1 - Math.pow(b2, h.step());
    double lr = h.lr();
    double wd = h.weightDecay();
    HostView p = HostView.of(param);
    HostView g = HostView.of(grad);
    HostView mm = HostView.of(m);
    HostView vv = HostView.of(v);
    int po = (int) param.offset();
    int go = (int) grad.offset();
    int mo = (int) m.offset();
    int vo = (int) v.offset();
    int n = param.size();
    for (int i = 0; i < n; i++) {
      double pi = p.get(po + i);
      double gi = g.get(go + i) * h.gradScale() + (h.decoupled() ? 0 : wd * pi);
      double mi = b1 * mm.get(mo + i) + (1 - b1) * gi;
      double vi = b2 * vv.get(vo + i) + (1 - b2) * gi * gi;
      mm.set(mo + i, mi);
      vv.set(vo + i, vi);
      double decayed = h.decoupled() ? pi * (1 - lr * wd) : pi;
      p.set(po + i, decayed - lr * (mi / c1) / (Math.sqrt(vi / c2) + h.eps()));
    }
  }

  static void rmsProp(Tensor param, Tensor grad, Tensor sq, Tensor buf, OptimizerKernels.RmsProp h) {
    HostView p = HostView.of(param);
    HostView g = HostView.of(grad);
    HostView s = HostView.of(sq);
    HostView b = buf == null ? null : HostView.of(buf);
    int po = (int) param.offset();
    int go = (int) grad.offset();
    int so = (int) sq.offset();
    int bo = buf == null ? 0 : (int) buf.offset();
    int n = param.size();
    double a = h.alpha();
    for (int i = 0; i < n; i++) {
      double pi = p.get(po + i);
      double gi = g.get(go + i) * h.gradScale() + h.weightDecay() * pi;
      double si = a * s.get(so + i) + (1 - a) * gi * gi;
      s.set(so + i, si);
      double upd = gi / (Math.sqrt(si) + h.eps());
      if (h.momentum() != 0) {
        upd = h.momentum() * b.get(bo + i) + upd;
        b.set(bo + i, upd);
      }
      p.set(po + i, pi - h.lr() * upd);
    }
  }
  // ---------------------------------------------------------------- lazy updates of some rows

  static void sgdRows(Tensor param, Tensor rows, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    int[] r = SparseKernels.distinctRows(rows, param.dim(0));
    for (int k = 0; k < r.length; k++) {
      sgd(SparseKernels.row(param, r[k]), SparseKernels.row(grad, k), SparseKernels.row(buf, r[k]), h);
    }
  }

  /**
   * Each row as {@link #adam} would, without a view per row; never a row-sized SIMD warm-up: the
   * scalar twin until the SIMD kernel is ready.
   */
  static void adamRows(Tensor param, Tensor rows, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    int[] r = SparseKernels.distinctRows(rows, param.dim(0));
    if (param.dtype() != DType.FLOAT32) {
      for (int k = 0; k < r.length; k++) {
        adamGeneric(SparseKernels.row(param, r[k]), SparseKernels.row(grad, k), SparseKernels.row(m, r[k]),
            SparseKernels.row(v, r[k]), h);
      }
      return;
    }
    int width = param.dim(1);
    int po = (int) param.offset();
    int go = (int) grad.offset();
    int mo = (int) m.offset();
    int vo = (int) v.offset();
    if (Simd.AVAILABLE && ADAM_WARMUP.ready()) {
      java.nio.ByteBuffer p = param.storage().hostBuffer();
      java.nio.ByteBuffer g = grad.storage().hostBuffer();
      java.nio.ByteBuffer mm = m.storage().hostBuffer();
      java.nio.ByteBuffer vv = v.storage().hostBuffer();
      for (int k = 0; k < r.length; k++) {
        int at = r[k] * width;
        SimdKernels.adam(p, 4 * (po + at), g, 4 * (go + k * width), mm, 4 * (mo + at), vv, 4 * (vo + at), width, h);
      }
      return;
    }
    FloatBuffer p = HostView.of(param).floats();
    FloatBuffer g = HostView.of(grad).floats();
    FloatBuffer mm = HostView.of(m).floats();
    FloatBuffer vv = HostView.of(v).floats();
    long t0 = System.nanoTime();
    for (int k = 0; k < r.length; k++) {
      int at = r[k] * width;
      adamFloat(p, po + at, g, go + k * width, mm, mo + at, vv, vo + at, width, h);
    }
    if (Simd.AVAILABLE) {
      // counts toward the rent after which the flat updates warm the SIMD kernel up (see SimdWarmup)
      ADAM_WARMUP.recordScalar(System.nanoTime() - t0);
    }
  }

  static void rmsPropRows(Tensor param, Tensor rows, Tensor grad, Tensor sq, Tensor buf, OptimizerKernels.RmsProp h) {
    int[] r = SparseKernels.distinctRows(rows, param.dim(0));
    for (int k = 0; k < r.length; k++) {
      rmsProp(SparseKernels.row(param, r[k]), SparseKernels.row(grad, k), SparseKernels.row(sq, r[k]),
          SparseKernels.row(buf, r[k]), h);
    }
  }
}
