package org.sparkdl.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.Tensor;

/**
 * Float32 convolutions for scoring, computed directly from the input without unfolding it, with
 * the ReLU and max pooling that follow them done while the example's output is still in cache.
 *
 * <p>Each example is copied into a zero-padded heap plane {@code [C, Hp, Wp]}; a tap {@code (c, i,
 * j)} is then one offset into it for every output position, so that stride, dilation and padding
 * cost nothing in the loops. Two kernels keep a tile of outputs in vector registers while they walk
 * the taps, with the weights packed as {@code [C kh kw, Cout]}:
 * <ul>
 *   <li>the <em>channels</em> kernel, for layers with at least {@link #BLOCK} output channels, holds
 *       two vectors of output channels at {@link #POSITIONS} positions: per tap it loads two weight
 *       vectors and broadcasts each position's input value, two multiply-adds per broadcast. Its
 *       tile is channels-last {@code [OH OW, Cout]}, where pooling takes the maximum of whole
 *       channel vectors; the result is written out in NCHW.
 *   <li>the <em>pooling rows</em> kernel, for a thin layer (a first layer over one or three input
 *       channels, fewer output channels than {@link #BLOCK}) followed by a 2x2 max pooling of
 *       stride 2, holds two output rows of {@code 2 L} columns for a few output channels, the even
 *       and the odd columns in separate vectors (the plane holds the input's even columns, then its
 *       odd ones, so that every load is contiguous): per tap four input vectors and a broadcast
 *       weight per channel, and the pooling is three lane-wise maxima of the accumulators.
 * </ul>
 * The accumulators start at the bias. On a LeNet (AVX-512, one core whose peak is 117 GFLOP/s),
 * unfolding and a gemm per example (the other scoring path) ran the second layer (16 to 32
 * channels, 5x5, 14x14 input) at 70-75 GFLOP/s, as thin gemms keep OpenBLAS from its large-matrix
 * speed; the channels kernel runs it at 100-105. The first layer with its pooling (1 to 16
 * channels, 28x28, padding 2) took 15.3 us an example and takes 8.7. A thin layer without that
 * pooling is not taken: the same kernel without it, rows of outputs to pool or copy out
 * afterwards, ran slower than the gemm (see {@link #covers}).
 *
 * <p>Only touch this class after checking {@link Simd#AVAILABLE}: loading it without the Vector
 * API module fails.
 */
final class DirectConvKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Output channels one pass of the channels kernel computes: two vectors. */
  static final int BLOCK = 2 * L;
  /**
   * Output positions one pass of the channels kernel computes: ten where vectors have sixteen
   * lanes (AVX-512, thirty-two registers: 88-93 GFLOP/s on a LeNet's second layer against 80-88
   * with six), else six.
   */
  static final int POSITIONS = L >= 16 ? 10 : 6;
  /** Output channels one pass of the pooling rows kernel computes (four with AVX-512's registers, else two). */
  static final int GROUP = L >= 16 ? 4 : 2;

  private DirectConvKernels() {}

  /**
   * Whether a kernel takes a convolution with {@code cout} output channels, window {@code win},
   * output rows of {@code outputWidth} and the max pooling {@code pool} (or null) after it: the
   * channels kernel any with at least {@link #BLOCK} channels, the pooling rows kernel those with a
   * stride of 1 across, rows of at least a vector and a 2x2 pooling of stride 2.
   */
  static boolean covers(int cout, Window2d win, int outputWidth, Window2d pool) {
    return cout >= BLOCK || (win.strideW() == 1 && outputWidth >= L && pairsOfPairs(pool));
  }

  /** Whether {@code pool} is a 2x2 max pooling of stride 2 without padding. */
  private static boolean pairsOfPairs(Window2d pool) {
    return pool != null && pool.equals(Window2d.square(2, 2, 0));
  }

  /**
   * {@code y = maxPool(relu(conv(x, w) + b))} over contiguous float32 tensors, each part optional:
   * {@code b} may be null, {@code pool} null for no pooling; shapes already checked, and {@link
   * #covers} true. Examples are shared out over {@code threads}.
   */
  static void conv(Tensor x, Tensor w, Tensor b, Window2d win, boolean relu, Window2d pool, Tensor y, int threads) {
    Geometry g = new Geometry(x, w, win, pool);
    float[] packed = pack(w, g);
    float[] bias = new float[g.ocp];
    if (b != null) {
      HostView.of(b).floats().get((int) b.offset(), bias, 0, g.cout);
    }
    FloatBuffer xf = HostView.of(x).floats();
    FloatBuffer yf = HostView.of(y).floats();
    int xStart = (int) x.offset();
    int yStart = (int) y.offset();
    int inSize = g.c * g.h * g.w;
    int outSize = g.cout * g.ph * g.pw;
    CpuThreads.parallelFor(threads, x.dim(0), 1, (from, to) -> {
      Scratch scratch = SCRATCH.get(List.of(g.key, pool == null ? List.of() : pool), () -> new Scratch(g, pool));
      for (int e = from; e < to; e++) {
        g.score(xf, xStart + e * inSize, packed, bias, relu, pool, scratch);
        yf.put(yStart + e * outSize, scratch.out, 0, outSize);
      }
    });
  }

  private static final ThreadScratch<Scratch> SCRATCH = new ThreadScratch<>();

  /**
   * One thread's heap arrays for {@link Geometry#score}, reused example after example and, through
   * {@link #SCRATCH}, call after call: every array is written before it is read, except the
   * plane's padding, which is never written.
   */
  private static final class Scratch implements ThreadScratch.Sized {
    /** The padded input; its padding is never written, so it stays zero. */
    final float[] plane;
    /** The example's input as read from the tensor, before it is laid out in {@link #plane}. */
    final float[] flat;
    final float[] tile;
    /** The channels kernel's pooled tile. */
    final float[] pooled;
    /** The example's output, {@code [Cout, PH, PW]}. */
    final float[] out;

    @Override
    public long bytes() {
      return 4L * (plane.length + flat.length + tile.length + (pooled == tile ? 0 : pooled.length) + out.length);
    }

    Scratch(Geometry g, Window2d pool) {
      plane = new float[g.planeSize];
      flat = new float[g.c * g.h * g.w];
      tile = new float[g.tileSize];
      pooled = g.rows || pool == null ? tile : new float[g.ph * g.pw * g.ocp];
      out = new float[g.cout * g.ph * g.pw];
    }
  }

  /**
   * The channels kernel for ten positions at a time (AVX-512: twenty accumulators of its thirty-two
   * registers): for each block of {@link #BLOCK} output channels {@code oc} and each ten entries
   * {@code q} of {@code bases}, {@code tile[q, oc + o] = bias[oc + o] + sum_k packed[k, oc + o]
   * plane[bases[q] + taps[k]]}.
   */
  private static void channels10(float[] plane, float[] packed, float[] bias, int[] taps, int[] bases, int ocp,
      float[] tile) {
    for (int oc = 0; oc < ocp; oc += BLOCK) {
      FloatVector b0 = FloatVector.fromArray(S, bias, oc);
      FloatVector b1 = FloatVector.fromArray(S, bias, oc + L);
      for (int p = 0; p < bases.length; p += 10) {
        int q0 = bases[p + 0];
        int q1 = bases[p + 1];
        int q2 = bases[p + 2];
        int q3 = bases[p + 3];
        int q4 = bases[p + 4];
        int q5 = bases[p + 5];
        int q6 = bases[p + 6];
        int q7 = bases[p + 7];
        int q8 = bases[p + 8];
        int q9 = bases[p + 9];
        FloatVector a00 = b0;
        FloatVector a01 = b1;
        FloatVector a10 = b0;
        FloatVector a11 = b1;
        FloatVector a20 = b0;
        FloatVector a21 = b1;
        FloatVector a30 = b0;
        FloatVector a31 = b1;
        FloatVector a40 = b0;
        FloatVector a41 = b1;
        FloatVector a50 = b0;
        FloatVector a51 = b1;
        FloatVector a60 = b0;
        FloatVector a61 = b1;
        FloatVector a70 = b0;
        FloatVector a71 = b1;
        FloatVector a80 = b0;
        FloatVector a81 = b1;
        FloatVector a90 = b0;
        FloatVector a91 = b1;
        for (int k = 0; k < taps.length; k++) {
          int t = taps[k];
          int wo = k * ocp + oc;
          FloatVector w0 = FloatVector.fromArray(S, packed, wo);
          FloatVector w1 = FloatVector.fromArray(S, packed, wo + L);
          FloatVector v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q0 + t));
          a00 = w0.fma(v, a00);
          a01 = w1.fma(v, a01);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q1 + t));
          a10 = w0.fma(v, a10);
          a11 = w1.fma(v, a11);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q2 + t));
          a20 = w0.fma(v, a20);
          a21 = w1.fma(v, a21);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q3 + t));
          a30 = w0.fma(v, a30);
          a31 = w1.fma(v, a31);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q4 + t));
          a40 = w0.fma(v, a40);
          a41 = w1.fma(v, a41);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q5 + t));
          a50 = w0.fma(v, a50);
          a51 = w1.fma(v, a51);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q6 + t));
          a60 = w0.fma(v, a60);
          a61 = w1.fma(v, a61);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q7 + t));
          a70 = w0.fma(v, a70);
          a71 = w1.fma(v, a71);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q8 + t));
          a80 = w0.fma(v, a80);
          a81 = w1.fma(v, a81);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q9 + t));
          a90 = w0.fma(v, a90);
          a91 = w1.fma(v, a91);
        }
        int o = p * ocp + oc;
        a00.intoArray(tile, o);
        a01.intoArray(tile, o + L);
        o += ocp;
        a10.intoArray(tile, o);
        a11.intoArray(tile, o + L);
        o += ocp;
        a20.intoArray(tile, o);
        a21.intoArray(tile, o + L);
        o += ocp;
        a30.intoArray(tile, o);
        a31.intoArray(tile, o + L);
        o += ocp;
        a40.intoArray(tile, o);
        a41.intoArray(tile, o + L);
        o += ocp;
        a50.intoArray(tile, o);
        a51.intoArray(tile, o + L);
        o += ocp;
        a60.intoArray(tile, o);
        a61.intoArray(tile, o + L);
        o += ocp;
        a70.intoArray(tile, o);
        a71.intoArray(tile, o + L);
        o += ocp;
        a80.intoArray(tile, o);
        a81.intoArray(tile, o + L);
        o += ocp;
        a90.intoArray(tile, o);
        a91.intoArray(tile, o + L);
      }
    }
  }

  /** {@link #channels10} for six positions at a time (twelve accumulators, which fit AVX2's sixteen registers). */
  private static void channels6(float[] plane, float[] packed, float[] bias, int[] taps, int[] bases, int ocp,
      float[] tile) {
    for (int oc = 0; oc < ocp; oc += BLOCK) {
      FloatVector b0 = FloatVector.fromArray(S, bias, oc);
      FloatVector b1 = FloatVector.fromArray(S, bias, oc + L);
      for (int p = 0; p < bases.length; p += 6) {
        int q0 = bases[p + 0];
        int q1 = bases[p + 1];
        int q2 = bases[p + 2];
        int q3 = bases[p + 3];
        int q4 = bases[p + 4];
        int q5 = bases[p + 5];
        FloatVector a00 = b0;
        FloatVector a01 = b1;
        FloatVector a10 = b0;
        FloatVector a11 = b1;
        FloatVector a20 = b0;
        FloatVector a21 = b1;
        FloatVector a30 = b0;
        FloatVector a31 = b1;
        FloatVector a40 = b0;
        FloatVector a41 = b1;
        FloatVector a50 = b0;
        FloatVector a51 = b1;
        for (int k = 0; k < taps.length; k++) {
          int t = taps[k];
          int wo = k * ocp + oc;
          FloatVector w0 = FloatVector.fromArray(S, packed, wo);
          FloatVector w1 = FloatVector.fromArray(S, packed, wo + L);
          FloatVector v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q0 + t));
          a00 = w0.fma(v, a00);
          a01 = w1.fma(v, a01);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q1 + t));
          a10 = w0.fma(v, a10);
          a11 = w1.fma(v, a11);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q2 + t));
          a20 = w0.fma(v, a20);
          a21 = w1.fma(v, a21);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q3 + t));
          a30 = w0.fma(v, a30);
          a31 = w1.fma(v, a31);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q4 + t));
          a40 = w0.fma(v, a40);
          a41 = w1.fma(v, a41);
          v = FloatVector.broadcast(S, UncheckedFloats.get(plane, q5 + t));
          a50 = w0.fma(v, a50);
          a51 = w1.fma(v, a51);
        }
        int o = p * ocp + oc;
        a00.intoArray(tile, o);
        a01.intoArray(tile, o + L);
        o += ocp;
        a10.intoArray(tile, o);
        a11.intoArray(tile, o + L);
        o += ocp;
        a20.intoArray(tile, o);
        a21.intoArray(tile, o + L);
        o += ocp;
        a30.intoArray(tile, o);
        a31.intoArray(tile, o + L);
        o += ocp;
        a40.intoArray(tile, o);
        a41.intoArray(tile, o + L);
        o += ocp;
        a50.intoArray(tile, o);
        a51.intoArray(tile, o + L);
      }
    }
  }

  /**
   * The rows kernel fused with a 2x2 max pooling of stride 2, for four output channels (AVX-512):
   * per pass, two output rows ({@code 2a} and {@code 2a + 1}) by {@code 2 L} columns, the even and
   * the odd columns in separate vectors, sixteen accumulators. The planes hold the padded input's
   * even columns, then its odd ones ({@code planes}; a tap has one offset for the even outputs and
   * one for the odd, {@code tapsEven} and {@code tapsOdd}), so every load is contiguous, and the
   * pooling is three lane-wise maxima of the accumulators: {@code tile[oc + o, at[p] + i] =
   * max(floor, the four outputs of window i)}. {@code bases[p]}: pass {@code p}'s first input,
   * {@code rowStep}: the offset of the next output row's inputs, {@code channel}: a channel's size
   * in the tile.
   */
  private static void rowsPool4(float[] planes, float[] packed, float[] bias, int[] tapsEven, int[] tapsOdd,
      int[] bases, int[] at, int rowStep, int ocp, int channel, float floor, float[] tile) {
    for (int oc = 0; oc < ocp; oc += 4) {
      for (int p = 0; p < bases.length; p++) {
        int q = bases[p];
        FloatVector a00 = FloatVector.broadcast(S, bias[oc + 0]);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = FloatVector.broadcast(S, bias[oc + 1]);
        FloatVector a11 = a10;
        FloatVector a12 = a10;
        FloatVector a13 = a10;
        FloatVector a20 = FloatVector.broadcast(S, bias[oc + 2]);
        FloatVector a21 = a20;
        FloatVector a22 = a20;
        FloatVector a23 = a20;
        FloatVector a30 = FloatVector.broadcast(S, bias[oc + 3]);
        FloatVector a31 = a30;
        FloatVector a32 = a30;
        FloatVector a33 = a30;
        for (int k = 0; k < tapsEven.length; k++) {
          int e = q + tapsEven[k];
          int wo = k * ocp + oc;
          int o = q + tapsOdd[k];
          FloatVector x0 = FloatVector.fromArray(S, planes, e);
          FloatVector x1 = FloatVector.fromArray(S, planes, o);
          FloatVector x2 = FloatVector.fromArray(S, planes, e + rowStep);
          FloatVector x3 = FloatVector.fromArray(S, planes, o + rowStep);
          FloatVector v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 0));
          a00 = x0.fma(v, a00);
          a01 = x1.fma(v, a01);
          a02 = x2.fma(v, a02);
          a03 = x3.fma(v, a03);
          v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 1));
          a10 = x0.fma(v, a10);
          a11 = x1.fma(v, a11);
          a12 = x2.fma(v, a12);
          a13 = x3.fma(v, a13);
          v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 2));
          a20 = x0.fma(v, a20);
          a21 = x1.fma(v, a21);
          a22 = x2.fma(v, a22);
          a23 = x3.fma(v, a23);
          v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 3));
          a30 = x0.fma(v, a30);
          a31 = x1.fma(v, a31);
          a32 = x2.fma(v, a32);
          a33 = x3.fma(v, a33);
        }
        int to = oc * channel + at[p];
        a00.max(a01).max(a02.max(a03)).max(floor).intoArray(tile, to);
        to += channel;
        a10.max(a11).max(a12.max(a13)).max(floor).intoArray(tile, to);
        to += channel;
        a20.max(a21).max(a22.max(a23)).max(floor).intoArray(tile, to);
        to += channel;
        a30.max(a31).max(a32.max(a33)).max(floor).intoArray(tile, to);
      }
    }
  }

  /** {@link #rowsPool4} for two output channels (eight accumulators, for AVX2's sixteen registers). */
  private static void rowsPool2(float[] planes, float[] packed, float[] bias, int[] tapsEven, int[] tapsOdd,
      int[] bases, int[] at, int rowStep, int ocp, int channel, float floor, float[] tile) {
    for (int oc = 0; oc < ocp; oc += 2) {
      for (int p = 0; p < bases.length; p++) {
        int q = bases[p];
        FloatVector a00 = FloatVector.broadcast(S, bias[oc + 0]);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = FloatVector.broadcast(S, bias[oc + 1]);
        FloatVector a11 = a10;
        FloatVector a12 = a10;
        FloatVector a13 = a10;
        for (int k = 0; k < tapsEven.length; k++) {
          int e = q + tapsEven[k];
          int wo = k * ocp + oc;
          int o = q + tapsOdd[k];
          FloatVector x0 = FloatVector.fromArray(S, planes, e);
          FloatVector x1 = FloatVector.fromArray(S, planes, o);
          FloatVector x2 = FloatVector.fromArray(S, planes, e + rowStep);
          FloatVector x3 = FloatVector.fromArray(S, planes, o + rowStep);
          FloatVector v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 0));
          a00 = x0.fma(v, a00);
          a01 = x1.fma(v, a01);
          a02 = x2.fma(v, a02);
          a03 = x3.fma(v, a03);
          v = FloatVector.broadcast(S, UncheckedFloats.get(packed, wo + 1));
          a10 = x0.fma(v, a10);
          a11 = x1.fma(v, a11);
          a12 = x2.fma(v, a12);
          a13 = x3.fma(v, a13);
        }
        int to = oc * channel + at[p];
        a00.max(a01).max(a02.max(a03)).max(floor).intoArray(tile, to);
        to += channel;
        a10.max(a11).max(a12.max(a13)).max(floor).intoArray(tile, to);
      }
    }
  }

  /** {@code max(v, 0)} over {@code tile[0, n)}, {@code n} a multiple of the vector length: as {@code Math.max}, NaN stays NaN. */
  private static void relu(float[] tile, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector.fromArray(S, tile, i).max(0f).intoArray(tile, i);
    }
  }

  /** The weights {@code [Cout, C, kh, kw]} as {@code [C kh kw, ocp]}, channels past {@code Cout} zero. */
  private static float[] pack(Tensor w, Geometry g) {
    float[] flat = new float[w.size()];
    HostView.of(w).floats().get((int) w.offset(), flat, 0, flat.length);
    int k = g.taps.length;
    float[] packed = new float[k * g.ocp];
    for (int i = 0; i < k; i++) {
      for (int o = 0, at = i * g.ocp; o < g.cout; o++) {
        packed[at + o] = flat[o * k + i];
      }
    }
    return packed;
  }

  /** Sizes of one call, the kernel it takes, each tap's offset in the padded plane and each pass's first input. */
  private static final class Geometry {
    final int c;
    final int h;
    final int w;
    final int hp;
    final int wp;
    final int cout;
    final int oh;
    final int ow;
    final int positions;
    final int ph;
    final int pw;
    final int padTop;
    final int padLeft;
    /**
     * Whether the pooling rows kernel runs ({@link #rowsPool4}), else the channels kernel. Its plane
     * holds the even columns of the padded input, then the odd ones; {@link #taps} are then the even
     * outputs' offsets, {@link #tapsOdd} the odd ones'.
     */
    final boolean rows;
    /** Output channels rounded up to whole passes of the kernel. */
    final int ocp;
    final int tileSize;
    final int[] taps;
    final int[] tapsOdd;
    /**
     * Each pass's first input in the plane: for the channels kernel one per output position, the
     * last repeated up to whole passes; for the rows kernel one per run of {@code 2 L} columns of a
     * pair of output rows.
     */
    final int[] bases;
    /** The rows kernel's place in a channel's tile of each run in {@link #bases}. */
    final int[] at;
    /** Row length of the pooled plane's even (and odd) columns, and where its odd columns start. */
    final int half;
    final int halfRow;
    /** The offset between the inputs of output rows {@code 2a} and {@code 2a + 1} in the pooled plane. */
    final int rowStep;
    /** A channel's size in the pooled tile: its pooled rows, then room for the last row's vector to run over. */
    final int channel;
    final int planeSize;

    /** What the sizes above follow from: an example's shape, the output channels and the window. */
    final List<Object> key;

    Geometry(Tensor x, Tensor weight, Window2d win, Window2d pool) {
      key = List.of(x.dim(1), x.dim(2), x.dim(3), weight.dim(0), win);
      c = x.dim(1);
      h = x.dim(2);
      w = x.dim(3);
      padTop = win.padTop();
      padLeft = win.padLeft();
      hp = h + padTop + win.padBottom();
      wp = w + padLeft + win.padRight();
      cout = weight.dim(0);
      oh = win.outputHeight(h);
      ow = win.outputWidth(w);
      positions = oh * ow;
      ph = pool == null ? oh : pool.outputHeight(oh);
      pw = pool == null ? ow : pool.outputWidth(ow);
      rows = cout < BLOCK;
      int pass = rows ? GROUP : BLOCK;
      ocp = (cout + pass - 1) / pass * pass;
      halfRow = (wp + 1) / 2;
      half = c * hp * halfRow + 2 * L;
      taps = new int[c * win.kernelSize()];
      tapsOdd = rows ? new int[taps.length] : null;
      if (rows) {
        int runs = (pw + L - 1) / L;
        rowStep = win.strideH() * halfRow;
        channel = ph * pw + L;
        int k = 0;
        for (int ch = 0; ch < c; ch++) {
          for (int i = 0; i < win.kernelH(); i++) {
            int row = (ch * hp + i * win.dilationH()) * halfRow;
            for (int j = 0; j < win.kernelW(); j++) {
              int d = j * win.dilationW();
              // output column 2m reads input column 2m + d, output column 2m + 1 reads 2m + 1 + d
              taps[k] = d % 2 == 0 ? row + d / 2 : half + row + d / 2;
              tapsOdd[k++] = d % 2 == 0 ? half + row + d / 2 : row + (d + 1) / 2;
            }
          }
        }
        bases = new int[ph * runs];
        at = new int[bases.length];
        for (int a = 0; a < ph; a++) {
          for (int s = 0; s < runs; s++) {
            bases[a * runs + s] = 2 * a * rowStep + s * L;
            at[a * runs + s] = a * pw + s * L;
          }
        }
        tileSize = ocp * channel;
        planeSize = 2 * half;
        return;
      }
      rowStep = 0;
      channel = 0;
      planeSize = c * hp * wp + 2 * L;
      int k = 0;
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < win.kernelH(); i++) {
          for (int j = 0; j < win.kernelW(); j++) {
            taps[k++] = (ch * hp + i * win.dilationH()) * wp + j * win.dilationW();
          }
        }
      }
      int blocks = (positions + POSITIONS - 1) / POSITIONS * POSITIONS;
      bases = new int[blocks];
      at = null;
      for (int q = 0; q < blocks; q++) {
        int p = Math.min(q, positions - 1);
        bases[q] = p / ow * win.strideH() * wp + p % ow * win.strideW();
      }
      tileSize = blocks * ocp;
      // the channels kernel reads plane[bases[q] + taps[k]] unchecked; the weights' unchecked reads,
      // packed[k ocp + oc + o] with oc + o < ocp, are in range by construction
      if (Arrays.stream(bases).max().orElse(0) + Arrays.stream(taps).max().orElse(0) >= planeSize) {
        throw new IllegalStateException("Direct convolution of " + x.shape() + " by " + weight.shape() + " with " + win
            + " would read past its plane of " + planeSize + " values.");
      }
    }

    /** One example read from {@code src} at {@code from}, its result left in {@code s.out}. */
    void score(FloatBuffer src, int from, float[] packed, float[] bias, boolean relu, Window2d pool, Scratch s) {
      float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
      if (rows) {
        loadColumns(src, from, s.flat, s.plane);
        if (GROUP == 4) {
          rowsPool4(s.plane, packed, bias, taps, tapsOdd, bases, at, rowStep, ocp, channel, floor, s.tile);
        } else {
          rowsPool2(s.plane, packed, bias, taps, tapsOdd, bases, at, rowStep, ocp, channel, floor, s.tile);
        }
        for (int o = 0; o < cout; o++) {
          System.arraycopy(s.tile, o * channel, s.out, o * ph * pw, ph * pw);
        }
        return;
      }
      load(src, from, s.flat, s.plane);
      if (POSITIONS == 10) {
        channels10(s.plane, packed, bias, taps, bases, ocp, s.tile);
      } else {
        channels6(s.plane, packed, bias, taps, bases, ocp, s.tile);
      }
      if (pool != null) {
        pool(s.tile, pool, relu, s.pooled);
      } else if (relu) {
        relu(s.tile, positions * ocp);
      }
      toChannelsFirst(s.pooled, s.out);
    }

    /**
     * Copies one example's {@code [C, H, W]} from {@code src} at {@code from} into the interior of
     * {@code plane}: in one bulk read (a buffer read per row costs more than the copy) and, with
     * padding, row by row from {@code flat} into place.
     */
    void load(FloatBuffer src, int from, float[] flat, float[] plane) {
      if (hp == h && wp == w) {
        src.get(from, plane, 0, c * h * w);
        return;
      }
      src.get(from, flat, 0, c * h * w);
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < h; r++) {
          System.arraycopy(flat, (ch * h + r) * w, plane, (ch * hp + r + padTop) * wp + padLeft, w);
        }
      }
    }

    /** {@link #load} into the rows kernel's plane: the padded input's even columns, then its odd ones. */
    void loadColumns(FloatBuffer src, int from, float[] flat, float[] plane) {
      src.get(from, flat, 0, c * h * w);
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < h; r++) {
          int row = (ch * hp + r + padTop) * halfRow;
          int in = (ch * h + r) * w;
          // padded column p goes to (p odd ? half : 0) + row + p / 2: the even ones, then the odd ones
          for (int col = padLeft & 1, to = row + (col + padLeft) / 2; col < w; col += 2, to++) {
            plane[to] = flat[in + col];
          }
          for (int col = 1 - (padLeft & 1), to = half + row + (col + padLeft) / 2; col < w; col += 2, to++) {
            plane[to] = flat[in + col];
          }
        }
      }
    }

    /**
     * Max pooling of the channels kernel's tile {@code [OH OW, ocp]} into {@code pooled [PH PW,
     * ocp]}, a whole channel vector at a time; each window clipped to the output (padding never
     * wins; the window's check guarantees it overlaps). With {@code relu}, {@code max(m, 0)} of
     * each maximum, which is the maximum of the ReLUs. A window's positions are listed first and
     * walked in one loop: a vector carried through nested loops is not kept in a register, and
     * each step then allocates.
     */
    void pool(float[] tile, Window2d pool, boolean relu, float[] pooled) {
      int[] window = new int[pool.kernelSize()];
      for (int a = 0; a < ph; a++) {
        int r0 = Math.max(0, a * pool.strideH() - pool.padTop());
        int r1 = Math.min(oh, a * pool.strideH() - pool.padTop() + pool.kernelH());
        for (int bb = 0; bb < pw; bb++) {
          int s0 = Math.max(0, bb * pool.strideW() - pool.padLeft());
          int s1 = Math.min(ow, bb * pool.strideW() - pool.padLeft() + pool.kernelW());
          int n = 0;
          for (int r = r0; r < r1; r++) {
            for (int s = s0; s < s1; s++) {
              window[n++] = (r * ow + s) * ocp;
            }
          }
          int to = (a * pw + bb) * ocp;
          for (int o = 0; o < ocp; o += L) {
            windowMax(tile, window, n, o, relu).intoArray(pooled, to + o);
          }
        }
      }
    }

    private static FloatVector windowMax(float[] tile, int[] window, int n, int o, boolean relu) {
      FloatVector m = FloatVector.fromArray(S, tile, window[0] + o);
      for (int i = 1; i < n; i++) {
        m = m.max(FloatVector.fromArray(S, tile, window[i] + o));
      }
      return relu ? m.max(0f) : m;
    }

    /** {@code out [Cout, PH PW]} from the channels kernel's channels-last {@code tile [PH PW, ocp]}. */
    void toChannelsFirst(float[] tile, float[] out) {
      int n = ph * pw;
      for (int q = 0; q < n; q++) {
        int from = q * ocp;
        for (int o = 0; o < cout; o++) {
          out[o * n + q] = tile[from + o];
        }
      }
    }
  }
}
