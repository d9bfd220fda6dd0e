package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * Max and average pooling over contiguous NCHW host tensors, forward and backward. Work is split
 * over the {@code N C} planes, which do not overlap. Each plane is copied once into a heap array
 * (widened to double, so one loop serves both dtypes) and its result copied out in bulk; each
 * window is clipped to the image once, so padding costs nothing in the inner loops.
 */
final class PoolKernels {
  /** Below this many input elements per thread a kernel runs on the calling thread alone. */
  private static final int GRAIN = 1 << 14;

  private PoolKernels() {}

  static void maxPool(Tensor x, Window2d w, Tensor y, int threads) {
    Planes p = new Planes(x, w);
    HostView xv = HostView.of(x);
    HostView yv = HostView.of(y);
    if (x.dtype() == DType.FLOAT32 && FloatPool.covers(w)) {
      FloatBuffer xf = xv.floats();
      FloatBuffer yf = yv.floats();
      CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
        float[] in = new float[p.h * p.w];
        float[] out = new float[p.oh * p.ow];
        float[] rows = new float[p.w];
        float[] runs = new float[p.w];
        for (int plane = from; plane < to; plane++) {
          xf.get(p.inputAt(x, plane), in, 0, in.length);
          FloatPool.maxPlane(in, p.w, w, p.oh, p.ow, rows, runs, out);
          yf.put(p.outputAt(y, plane), out, 0, out.length);
        }
      });
      return;
    }
    CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
      Scratch s = p.scratch();
      for (int plane = from; plane < to; plane++) {
        xv.load(p.inputAt(x, plane), s.in, s.narrow, s.in.length);
        for (int oh = 0; oh < p.oh; oh++) {
          for (int ow = 0; ow < p.ow; ow++) {
            s.out[oh * p.ow + ow] = p.max(s.in, oh, ow);
          }
        }
        yv.store(p.outputAt(y, plane), s.out, s.narrow, s.out.length);
      }
    });
  }

  /**
   * Sends each window's gradient to the first position holding its maximum; overwrites {@code gx}.
   * Float32 windows that tile the plane take the maximum from {@code y}, the forward output; others
   * find it again, and gradients meeting at one position (overlapping windows) add in double, in
   * window order.
   */
  static void maxPoolBackward(Tensor x, Tensor y, Tensor gy, Window2d w, Tensor gx, int threads) {
    Planes p = new Planes(x, w);
    HostView xv = HostView.of(x);
    HostView gyv = HostView.of(gy);
    HostView gxv = HostView.of(gx);
    if (x.dtype() == DType.FLOAT32 && p.tiled()) {
      FloatBuffer xf = xv.floats();
      FloatBuffer yf = HostView.of(y).floats();
      FloatBuffer gyf = gyv.floats();
      FloatBuffer gxf = gxv.floats();
      CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
        float[] in = new float[p.h * p.w];
        float[] max = new float[p.oh * p.ow];
        float[] g = new float[p.oh * p.ow];
        float[] out = new float[p.h * p.w];
        for (int plane = from; plane < to; plane++) {
          xf.get(p.inputAt(x, plane), in, 0, in.length);
          yf.get(p.outputAt(y, plane), max, 0, max.length);
          gyf.get(p.outputAt(gy, plane), g, 0, g.length);
          p.tiledBackward(in, max, g, out);
          gxf.put(p.inputAt(gx, plane), out, 0, out.length);
        }
      });
      return;
    }
    CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
      Scratch s = p.scratch();
      double[] grad = new double[p.h * p.w];
      for (int plane = from; plane < to; plane++) {
        xv.load(p.inputAt(x, plane), s.in, s.narrow, s.in.length);
        gyv.load(p.outputAt(gy, plane), s.out, s.narrow, s.out.length);
        Arrays.fill(grad, 0.0);
        for (int oh = 0; oh < p.oh; oh++) {
          for (int ow = 0; ow < p.ow; ow++) {
            grad[p.argmax(s.in, oh, ow)] += s.out[oh * p.ow + ow];
          }
        }
        gxv.store(p.inputAt(gx, plane), grad, s.narrow, grad.length);
      }
    });
  }

  static void avgPool(Tensor x, Window2d w, boolean countPadding, Tensor y, int threads) {
    Planes p = new Planes(x, w);
    HostView xv = HostView.of(x);
    HostView yv = HostView.of(y);
    CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
      Scratch s = p.scratch();
      for (int plane = from; plane < to; plane++) {
        xv.load(p.inputAt(x, plane), s.in, s.narrow, s.in.length);
        for (int oh = 0; oh < p.oh; oh++) {
          int h0 = p.rowStart(oh);
          int h1 = p.rowEnd(oh);
          for (int ow = 0; ow < p.ow; ow++) {
            int w0 = p.colStart(ow);
            int w1 = p.colEnd(ow);
            double sum = 0;
            for (int ih = h0; ih < h1; ih++) {
              for (int iw = w0; iw < w1; iw++) {
                sum += s.in[ih * p.w + iw];
              }
            }
            s.out[oh * p.ow + ow] = sum / p.divisor(countPadding, h0, h1, w0, w1);
          }
        }
        yv.store(p.outputAt(y, plane), s.out, s.narrow, s.out.length);
      }
    });
  }

  /** Spreads each window's gradient evenly over the input positions it covers; overwrites {@code gx}. */
  static void avgPoolBackward(Tensor gy, Window2d w, boolean countPadding, Tensor gx, int threads) {
    Planes p = new Planes(gx, w);
    HostView gyv = HostView.of(gy);
    HostView gxv = HostView.of(gx);
    CpuThreads.parallelFor(threads, p.count, p.grain(), (from, to) -> {
      Scratch s = p.scratch();
      for (int plane = from; plane < to; plane++) {
        gyv.load(p.outputAt(gy, plane), s.out, s.narrow, s.out.length);
        Arrays.fill(s.in, 0.0);
        for (int oh = 0; oh < p.oh; oh++) {
          int h0 = p.rowStart(oh);
          int h1 = p.rowEnd(oh);
          for (int ow = 0; ow < p.ow; ow++) {
            int w0 = p.colStart(ow);
            int w1 = p.colEnd(ow);
            double share = s.out[oh * p.ow + ow] / p.divisor(countPadding, h0, h1, w0, w1);
            for (int ih = h0; ih < h1; ih++) {
              for (int iw = w0; iw < w1; iw++) {
                s.in[ih * p.w + iw] += share;
              }
            }
          }
        }
        gxv.store(p.inputAt(gx, plane), s.in, s.narrow, s.in.length);
      }
    });
  }

  /** One thread's heap copies of an input plane and an output plane, and room to narrow to float. */
  private record Scratch(double[] in, double[] out, float[] narrow) {}

  /** Plane sizes of one call and each window's extent clipped to the image. */
  private static final class Planes {
    final int count;
    final int h;
    final int w;
    final int oh;
    final int ow;
    private final Window2d win;

    Planes(Tensor x, Window2d win) {
      this.win = win;
      count = x.dim(0) * x.dim(1);
      h = x.dim(2);
      w = x.dim(3);
      oh = win.outputHeight(h);
      ow = win.outputWidth(w);
    }

    Scratch scratch() {
      return new Scratch(new double[h * w], new double[oh * ow], new float[Math.max(h * w, oh * ow)]);
    }

    int inputAt(Tensor t, int plane) {
      return (int) t.offset() + plane * h * w;
    }

    int outputAt(Tensor t, int plane) {
      return (int) t.offset() + plane * oh * ow;
    }

    int rowStart(int o) {
      return Math.max(0, o * win.strideH() - win.padTop());
    }

    int rowEnd(int o) {
      return Math.min(h, o * win.strideH() - win.padTop() + win.kernelH());
    }

    int colStart(int o) {
      return Math.max(0, o * win.strideW() - win.padLeft());
    }

    int colEnd(int o) {
      return Math.min(w, o * win.strideW() - win.padLeft() + win.kernelW());
    }

    /** The largest element of window {@code (oh, ow)}; NaN when the window holds one, as in PyTorch. */
    double max(double[] plane, int oh, int ow) {
      int h0 = rowStart(oh);
      int h1 = rowEnd(oh);
      int w0 = colStart(ow);
      int w1 = colEnd(ow);
      double m = plane[h0 * w + w0];
      for (int ih = h0; ih < h1; ih++) {
        for (int iw = w0; iw < w1; iw++) {
          // Math.max, not a comparison: a branch on random data mispredicts about every other window
          m = Math.max(m, plane[ih * w + iw]);
        }
      }
      return m;
    }

    /** Whether the windows tile the plane: each as big as its stride, no padding, no dilation. */
    boolean tiled() {
      return FloatPool.covers(win) && win.strideH() == win.kernelH() && win.strideW() == win.kernelW();
    }

    /**
     * {@link #argmax} and the gradient's write for float planes whose windows {@link #tiled tile}
     * them, so that each input position is in at most one window: every position of a window is
     * written, the first one not below the maximum {@code max[k]} (the first NaN when the maximum
     * is NaN) with {@code 0 + g[k]} and the others with zero (as the reference's double sum of one
     * term, narrowed), without a branch on the data (one per element mispredicts on real
     * activations). Not below the maximum is equal to it, as nothing in the window exceeds it.
     */
    void tiledBackward(float[] in, float[] max, float[] g, float[] out) {
      Arrays.fill(out, 0f);   // rows and columns past the last whole window
      int kh = win.kernelH();
      int kw = win.kernelW();
      for (int oh = 0; oh < this.oh; oh++) {
        for (int ow = 0; ow < this.ow; ow++) {
          int k = oh * this.ow + ow;
          float m = max[k];
          boolean nan = m != m;
          int bits = Float.floatToRawIntBits(g[k]);
          int top = oh * kh * w + ow * kw;
          int taken = 0;
          for (int i = 0; i < kh; i++) {
            for (int j = 0, at = top + i * w; j < kw; j++, at++) {
              float e = in[at];
              int hit = ((nan ? e != e : !(e < m)) ? -1 : 0) & ~taken;
              out[at] = 0f + Float.intBitsToFloat(bits & hit);
              taken |= hit;
            }
          }
        }
      }
    }

    /** Index in the plane of the first element of window {@code (oh, ow)} equal to its {@link #max}. */
    int argmax(double[] plane, int oh, int ow) {
      double m = max(plane, oh, ow);
      int h0 = rowStart(oh);
      int h1 = rowEnd(oh);
      int w0 = colStart(ow);
      int w1 = colEnd(ow);
      for (int ih = h0; ih < h1; ih++) {
        for (int iw = w0; iw < w1; iw++) {
          double e = plane[ih * w + iw];
          if (e == m || e != e) {
            return ih * w + iw;
          }
        }
      }
      return h0 * w + w0;
    }

    /** The whole window counts padding as zeros; otherwise only the covered input elements count. */
    double divisor(boolean countPadding, int h0, int h1, int w0, int w1) {
      return countPadding ? win.kernelSize() : (double) (h1 - h0) * (w1 - w0);
    }

    int grain() {
      return Math.max(1, GRAIN / Math.max(1, h * w));
    }
  }
}
