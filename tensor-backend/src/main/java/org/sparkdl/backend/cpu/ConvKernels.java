package org.sparkdl.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Arrays;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * im2col and col2im on contiguous host tensors, the data movement around the gemm of a
 * convolution. Work is split over {@code (sample, channel)} pairs, whose outputs do not overlap.
 * Each pair's input plane is copied to a heap array once, and each of its column segments (row
 * {@code (c, i, j)}, the {@code OH OW} columns of sample {@code n}, contiguous in {@code cols}) is
 * built in a heap array and copied out in bulk: the inner loops run over arrays, without bounds
 * tests or virtual calls. For each kernel column the range {@code [lo, hi)} of output columns that
 * read the image is worked out once, so padding costs nothing per element.
 */
final class ConvKernels {
  /** Below this many column entries per thread a kernel runs on the calling thread alone. */
  private static final int GRAIN = 1 << 14;

  private ConvKernels() {}

  /** Fills contiguous {@code cols [C kh kw, N OH OW]} from contiguous {@code x [N, C, H, W]}. */
  static void im2col(Tensor x, Window2d w, Tensor cols, int threads) {
    Geometry g = new Geometry(x, w);
    boolean f32 = x.dtype() == DType.FLOAT32;
    FloatBuffer xf = f32 ? HostView.of(x).floats() : null;
    FloatBuffer cf = f32 ? HostView.of(cols).floats() : null;
    DoubleBuffer xd = f32 ? null : HostView.of(x).doubles();
    DoubleBuffer cd = f32 ? null : HostView.of(cols).doubles();
    int x0 = (int) x.offset();
    long c0 = cols.offset();
    CpuThreads.parallelFor(threads, g.n * g.c, g.grain(), (from, to) -> {
      // one array per kernel column (a strip) or per tap (a segment): the entries that read the
      // padding are the same for every plane, so they stay at the zeros the arrays start with; in
      // float32 the thread keeps them for the next call of the same geometry (scoring unfolds one
      // example per call, and allocating them each time was a tenth of a LeNet's scoring time)
      int arrays = g.strips ? w.kernelW() : w.kernelSize();
      UnfoldScratch scratch = f32 ? SCRATCH.get(List.of(g.h, g.w, w, arrays, g.partLength()),
          () -> new UnfoldScratch(g.h, g.w, arrays, g.partLength())) : null;
      float[] planeF = f32 ? scratch.plane() : null;
      double[] planeD = f32 ? null : new double[g.h * g.w];
      float[][] partF = f32 ? scratch.parts() : null;
      double[][] partD = f32 ? null : new double[arrays][g.partLength()];
      for (int unit = from; unit < to; unit++) {
        int n = unit / g.c;
        int c = unit % g.c;
        int plane = x0 + unit * g.h * g.w;
        if (f32) {
          xf.get(plane, planeF, 0, planeF.length);
        } else {
          xd.get(plane, planeD, 0, planeD.length);
        }
        if (g.strips) {
          for (int j = 0; j < w.kernelW(); j++) {
            g.stripF(planeF, partF[j], j);
          }
        }
        for (int i = 0; i < w.kernelH(); i++) {
          for (int j = 0; j < w.kernelW(); j++) {
            int dst = (int) (c0 + g.segment(c, i, j, n));
            int tap = i * w.kernelW() + j;
            if (g.strips) {
              // tap (i, j)'s segment is the strip of kernel column j from virtual row i dilationH on
              cf.put(dst, partF[j], g.stripStart(i), g.oh * g.ow);
            } else if (f32) {
              g.unfoldF(planeF, partF[tap], i, j);
              cf.put(dst, partF[tap], 0, g.oh * g.ow);
            } else {
              g.unfoldD(planeD, partD[tap], i, j);
              cd.put(dst, partD[tap], 0, g.oh * g.ow);
            }
          }
        }
      }
    });
  }

  /** Sets contiguous {@code x [N, C, H, W]} to the col2im sum of contiguous {@code cols}. */
  static void col2im(Tensor cols, Window2d w, Tensor x, int threads) {
    Geometry g = new Geometry(x, w);
    boolean f32 = x.dtype() == DType.FLOAT32;
    FloatBuffer xf = f32 ? HostView.of(x).floats() : null;
    FloatBuffer cf = f32 ? HostView.of(cols).floats() : null;
    DoubleBuffer xd = f32 ? null : HostView.of(x).doubles();
    DoubleBuffer cd = f32 ? null : HostView.of(cols).doubles();
    int x0 = (int) x.offset();
    long c0 = cols.offset();
    CpuThreads.parallelFor(threads, g.n * g.c, g.grain(), (from, to) -> {
      float[] planeF = f32 ? new float[g.h * g.w] : null;
      float[] segF = f32 ? new float[g.oh * g.ow] : null;
      double[] planeD = f32 ? null : new double[g.h * g.w];
      double[] segD = f32 ? null : new double[g.oh * g.ow];
      float[][] stripF = new float[g.strips ? w.kernelW() : 0][g.partLength()];
      for (int unit = from; unit < to; unit++) {
        int n = unit / g.c;
        int c = unit % g.c;
        int plane = x0 + unit * g.h * g.w;
        if (f32) {
          Arrays.fill(planeF, 0f);
          for (float[] strip : stripF) {
            Arrays.fill(strip, 0f);
          }
        } else {
          Arrays.fill(planeD, 0.0);
        }
        for (int i = 0; i < w.kernelH(); i++) {
          for (int j = 0; j < w.kernelW(); j++) {
            int src = (int) (c0 + g.segment(c, i, j, n));
            if (f32) {
              cf.get(src, segF, 0, segF.length);
              if (g.strips) {
                addTo(stripF[j], g.stripStart(i), segF);
              } else {
                g.foldF(segF, planeF, i, j);
              }
            } else {
              cd.get(src, segD, 0, segD.length);
              g.foldD(segD, planeD, i, j);
            }
          }
        }
        for (int j = 0; j < stripF.length; j++) {
          g.unstripF(stripF[j], planeF, j);
        }
        if (f32) {
          xf.put(plane, planeF, 0, planeF.length);
        } else {
          xd.put(plane, planeD, 0, planeD.length);
        }
      }
    });
  }

  /** {@code into[at + t] += add[t]} for every {@code t}: a loop HotSpot compiles to SIMD instructions. */
  private static void addTo(float[] into, int at, float[] add) {
    for (int t = 0; t < add.length; t++) {
      into[at + t] += add[t];
    }
  }

  /**
   * A thread's float32 unfolding arrays for one geometry (plane size and window), kept by {@link
   * #SCRATCH} for its next calls; the padding's entries are never written, so they stay zero.
   */
  private record UnfoldScratch(float[] plane, float[][] parts) implements ThreadScratch.Sized {
    UnfoldScratch(int h, int w, int arrays, int partLength) {
      this(new float[h * w], new float[arrays][partLength]);
    }

    @Override
    public long bytes() {
      return 4L * (plane.length + (long) parts.length * (parts.length == 0 ? 0 : parts[0].length));
    }
  }

  private static final ThreadScratch<UnfoldScratch> SCRATCH = new ThreadScratch<>();

  /** Sizes of one call, and for each kernel column the range of output columns that read the image. */
  private static final class Geometry {
    final int n;
    final int c;
    final int h;
    final int w;
    final int oh;
    final int ow;
    /**
     * Whether the planes are unfolded through strips ({@code strideH == 1}): the strip of kernel
     * column {@code j} holds, for each virtual row {@code y} (input row {@code y - padTop}, zero in
     * the padding), the {@code OW} inputs that kernel column reads across the output columns. Tap
     * {@code (i, j)}'s segment is then the strip's {@code OH OW} entries from row {@code i
     * dilationH}: one bulk copy per tap, and {@code kernelW} row copies per input row, where the
     * segments one by one take {@code kernelH kernelW} row copies per output row. Float32 only:
     * float64 (gradient checks) unfolds segment by segment.
     */
    final boolean strips;
    private final Window2d win;
    private final int[] lo;
    private final int[] hi;

    Geometry(Tensor x, Window2d win) {
      this.win = win;
      n = x.dim(0);
      c = x.dim(1);
      h = x.dim(2);
      w = x.dim(3);
      oh = win.outputHeight(h);
      ow = win.outputWidth(w);
      lo = new int[win.kernelW()];
      hi = new int[win.kernelW()];
      for (int j = 0; j < win.kernelW(); j++) {
        // input column of output column q is q * stride + shift; keep 0 <= it < w
        int shift = j * win.dilationW() - win.padLeft();
        int first = shift >= 0 ? 0 : Math.floorDiv(-shift + win.strideW() - 1, win.strideW());
        int last = Math.floorDiv(w - 1 - shift, win.strideW());
        lo[j] = Math.min(ow, Math.max(0, first));
        hi[j] = Math.max(lo[j], Math.min(ow, last + 1));
      }
      strips = win.strideH() == 1 && x.dtype() == DType.FLOAT32;
    }

    /** Length of a strip ({@link #strips}) or of a segment. */
    int partLength() {
      return strips ? (oh + (win.kernelH() - 1) * win.dilationH()) * ow : oh * ow;
    }

    /** Where in its strip the segment of a tap in kernel row {@code i} starts. */
    int stripStart(int i) {
      return i * win.dilationH() * ow;
    }

    /** Writes the entries of kernel column {@code j}'s strip that read the image; the rest stay zero. */
    void stripF(float[] plane, float[] strip, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int ih = 0; ih < h && a < b; ih++) {
        int src = ih * w + firstColumn(j);
        int at = (ih + win.padTop()) * ow;
        if (sw == 1) {
          System.arraycopy(plane, src, strip, at + a, b - a);
        } else {
          for (int q = a; q < b; q++, src += sw) {
            strip[at + q] = plane[src];
          }
        }
      }
    }

    /** Adds the entries of kernel column {@code j}'s strip that read the image to {@code plane}. */
    void unstripF(float[] strip, float[] plane, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int ih = 0; ih < h && a < b; ih++) {
        int dst = ih * w + firstColumn(j);
        int at = (ih + win.padTop()) * ow;
        if (sw == 1) {
          for (int q = a; q < b; q++) {
            plane[dst + q - a] += strip[at + q];
          }
        } else {
          for (int q = a; q < b; q++, dst += sw) {
            plane[dst] += strip[at + q];
          }
        }
      }
    }

    /** Offset in {@code cols} of row {@code (c, i, j)}, sample {@code n}: {@code OH OW} contiguous entries. */
    long segment(int ch, int i, int j, int sample) {
      long row = ((long) ch * win.kernelH() + i) * win.kernelW() + j;
      return (row * n + sample) * oh * ow;
    }

    /** Input row read by output row {@code p} at kernel row {@code i}; outside {@code [0, h)} in the padding. */
    int inputRow(int p, int i) {
      return p * win.strideH() - win.padTop() + i * win.dilationH();
    }

    /** Input column read by output column {@code lo(j)} at kernel column {@code j}. */
    int firstColumn(int j) {
      return lo[j] * win.strideW() - win.padLeft() + j * win.dilationW();
    }

    /** Writes the entries of tap {@code (i, j)}'s segment that read the image; the rest stay zero. */
    void unfoldF(float[] plane, float[] seg, int i, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int p = 0; p < oh; p++) {
        int at = p * ow;
        int ih = inputRow(p, i);
        if (ih < 0 || ih >= h || a >= b) {
          continue;
        }
        int src = ih * w + firstColumn(j);
        if (sw == 1) {
          System.arraycopy(plane, src, seg, at + a, b - a);
        } else {
          for (int q = a; q < b; q++, src += sw) {
            seg[at + q] = plane[src];
          }
        }
      }
    }

    void unfoldD(double[] plane, double[] seg, int i, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int p = 0; p < oh; p++) {
        int at = p * ow;
        int ih = inputRow(p, i);
        if (ih < 0 || ih >= h || a >= b) {
          continue;
        }
        int src = ih * w + firstColumn(j);
        for (int q = a; q < b; q++, src += sw) {
          seg[at + q] = plane[src];
        }
      }
    }

    void foldF(float[] seg, float[] plane, int i, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int p = 0; p < oh; p++) {
        int ih = inputRow(p, i);
        if (ih < 0 || ih >= h) {
          continue;
        }
        int dst = ih * w + firstColumn(j);
        int src = p * ow;
        if (sw == 1) {
          for (int q = a; q < b; q++) {
            plane[dst + q - a] += seg[src + q];
          }
        } else {
          for (int q = a; q < b; q++, dst += sw) {
            plane[dst] += seg[src + q];
          }
        }
      }
    }

    void foldD(double[] seg, double[] plane, int i, int j) {
      int a = lo[j];
      int b = hi[j];
      int sw = win.strideW();
      for (int p = 0; p < oh; p++) {
        int ih = inputRow(p, i);
        if (ih < 0 || ih >= h) {
          continue;
        }
        int dst = ih * w + firstColumn(j);
        int src = p * ow;
        for (int q = a; q < b; q++, dst += sw) {
          plane[dst] += seg[src + q];
        }
      }
    }

    /** Units of work per chunk so that each holds about {@link #GRAIN} column entries. */
    int grain() {
      long perUnit = Math.max(1L, (long) oh * ow * win.kernelSize());
      return (int) Math.max(1, GRAIN / perUnit);
    }
  }
}
