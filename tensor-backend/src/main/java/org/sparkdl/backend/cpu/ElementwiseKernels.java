package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.CounterRandom;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * Elementwise CPU kernels over any strides and broadcasts. Float32 runs that are contiguous (or,
 * for the binary ops and copies, one broadcast value) go over heap-array chunks ({@link FloatRuns});
 * other runs and float64 go element by element through the reference functions of {@link UnaryOp}
 * and {@link BinaryOp}, in double.
 */
final class ElementwiseKernels {
  private ElementwiseKernels() {}

  static void copy(Tensor src, Tensor dst) {
    HostView s = HostView.of(src);
    HostView d = HostView.of(dst);
    if (src.dtype() == DType.FLOAT32 && dst.dtype() == DType.FLOAT32) {
      FloatBuffer sf = s.floats();
      FloatBuffer df = d.floats();
      FloatRuns.Scratch scratch = new FloatRuns.Scratch(dst.size());
      StridedLoop.run(dst.shape(), new Tensor[] {src, dst}, (st, n, sp) -> {
        int i = st[0];
        int o = st[1];
        if (sp[0] == 1 && sp[1] == 1) {
          // a contiguous run (e.g. a row of a permuted copy) is one bulk copy
          df.put(o, sf, i, n);
          return;
        }
        if (sp[0] == 0 && sp[1] == 1 && n >= FloatRuns.MIN_RUN) {
          // one value broadcast along the run (a convolution's bias filling its output rows)
          FloatRuns.fill(df, o, n, sf.get(i), scratch);
          return;
        }
        for (int j = 0; j < n; j++, i += sp[0], o += sp[1]) {
          df.put(o, sf.get(i));
        }
      });
      return;
    }
    StridedLoop.run(dst.shape(), new Tensor[] {src, dst}, (st, n, sp) -> {
      int i = st[0];
      int o = st[1];
      for (int j = 0; j < n; j++, i += sp[0], o += sp[1]) {
        d.set(o, s.get(i));
      }
    });
  }

  static void fill(Tensor t, double value) {
    HostView v = HostView.of(t);
    if (t.dtype() == DType.FLOAT32) {
      // zeroing the gradients each step fills a whole parameter buffer: a plain float loop, no per-element dispatch
      FloatBuffer f = v.floats();
      float x = (float) value;
      StridedLoop.run(t.shape(), new Tensor[] {t}, (st, n, sp) -> {
        int o = st[0];
        for (int j = 0; j < n; j++, o += sp[0]) {
          f.put(o, x);
        }
      });
      return;
    }
    StridedLoop.run(t.shape(), new Tensor[] {t}, (st, n, sp) -> {
      int o = st[0];
      for (int j = 0; j < n; j++, o += sp[0]) {
        v.set(o, value);
      }
    });
  }

  static void map(UnaryOp op, Tensor x, Tensor out, double p) {
    HostView xv = HostView.of(x);
    HostView ov = HostView.of(out);
    if (x.dtype() == DType.FLOAT32) {
      FloatBuffer xf = xv.floats();
      FloatBuffer of = ov.floats();
      FloatRuns.Scratch scratch = new FloatRuns.Scratch(out.size());
      StridedLoop.run(x.shape(), new Tensor[] {x, out}, (st, n, sp) -> {
        int i = st[0];
        int o = st[1];
        if (sp[0] == 1 && sp[1] == 1 && n >= FloatRuns.MIN_RUN) {
          FloatRuns.map(op, xf, i, of, o, n, p, scratch);
          return;
        }
        for (int j = 0; j < n; j++, i += sp[0], o += sp[1]) {
          of.put(o, (float) op.apply(xf.get(i), p));
        }
      });
      return;
    }
    StridedLoop.run(x.shape(), new Tensor[] {x, out}, (st, n, sp) -> {
      int i = st[0];
      int o = st[1];
      for (int j = 0; j < n; j++, i += sp[0], o += sp[1]) {
        ov.set(o, op.apply(xv.get(i), p));
      }
    });
  }

  static void mapBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double p) {
    HostView xv = HostView.of(x);
    HostView yv = HostView.of(y);
    HostView gyv = HostView.of(gy);
    HostView gxv = HostView.of(gx);
    if (x.dtype() == DType.FLOAT32) {
      FloatBuffer xf = xv.floats();
      FloatBuffer yf = yv.floats();
      FloatBuffer gyf = gyv.floats();
      FloatBuffer gxf = gxv.floats();
      FloatRuns.Scratch scratch = new FloatRuns.Scratch(gx.size());
      StridedLoop.run(x.shape(), new Tensor[] {x, y, gy, gx}, (st, n, sp) -> {
        int i = st[0];
        int iy = st[1];
        int g = st[2];
        int o = st[3];
        if (sp[0] == 1 && sp[1] == 1 && sp[2] == 1 && sp[3] == 1 && n >= FloatRuns.MIN_RUN) {
          FloatRuns.mapBackward(op, xf, i, yf, iy, gyf, g, gxf, o, n, p, scratch);
          return;
        }
        for (int j = 0; j < n; j++, i += sp[0], iy += sp[1], g += sp[2], o += sp[3]) {
          gxf.put(o, (float) (gyf.get(g) * op.derivative(xf.get(i), yf.get(iy), p)));
        }
      });
      return;
    }
    StridedLoop.run(x.shape(), new Tensor[] {x, y, gy, gx}, (st, n, sp) -> {
      int i = st[0];
      int iy = st[1];
      int g = st[2];
      int o = st[3];
      for (int j = 0; j < n; j++, i += sp[0], iy += sp[1], g += sp[2], o += sp[3]) {
        gxv.set(o, gyv.get(g) * op.derivative(xv.get(i), yv.get(iy), p));
      }
    });
  }

  static void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    HostView av = HostView.of(a);
    HostView bv = HostView.of(b);
    HostView ov = HostView.of(out);
    if (a.dtype() == DType.FLOAT32) {
      // float arithmetic: + - * / of two floats round exactly as the reference computed in double and narrowed
      FloatBuffer af = av.floats();
      FloatBuffer bf = bv.floats();
      FloatBuffer of = ov.floats();
      FloatRuns.Scratch scratch = new FloatRuns.Scratch(out.size());
      StridedLoop.run(out.shape(), new Tensor[] {a, b, out}, (st, n, sp) -> {
        int i = st[0];
        int k = st[1];
        int o = st[2];
        if (sp[2] == 1 && (sp[0] == 0 || sp[0] == 1) && (sp[1] == 0 || sp[1] == 1) && n >= FloatRuns.MIN_RUN) {
          // contiguous operands or one broadcast value (a bias, a per-channel scale) along the run
          FloatRuns.zip(op, af, i, sp[0], bf, k, sp[1], of, o, n, scratch);
          return;
        }
        for (int j = 0; j < n; j++, i += sp[0], k += sp[1], o += sp[2]) {
          of.put(o, (float) op.apply(af.get(i), bf.get(k)));
        }
      });
      return;
    }
    StridedLoop.run(out.shape(), new Tensor[] {a, b, out}, (st, n, sp) -> {
      int i = st[0];
      int k = st[1];
      int o = st[2];
      for (int j = 0; j < n; j++, i += sp[0], k += sp[1], o += sp[2]) {
        ov.set(o, op.apply(av.get(i), bv.get(k)));
      }
    });
  }

  static void random(Tensor out, Distribution d, double a, double b, long seed) {
    HostView ov = HostView.of(out);
    long[] counter = {0};
    // row-major element order defines the element index, whatever the strides
    StridedLoop.run(out.shape(), new Tensor[] {out}, (st, n, sp) -> {
      int o = st[0];
      long c = counter[0];
      for (int j = 0; j < n; j++, o += sp[0]) {
        ov.set(o, CounterRandom.sample(d, a, b, seed, c + j));
      }
      counter[0] = c + n;
    });
  }
}
