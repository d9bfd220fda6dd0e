package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.tensor.Tensor;

/**
 * SIMD float32 versions of the LSTM and GRU cell kernels of {@link SequenceKernels}, for hidden
 * sizes that are a multiple of the vector length. The gate functions are where a recurrent step
 * spends its time once the recurrent gemm is done; here they cost about a nanosecond per element,
 * against tens for {@link Math#tanh}. Only touch this class after checking {@link
 * Simd#AVAILABLE}.
 *
 * <p>Each kernel works one batch row at a time in scratch arrays, in passes of simple loops: form
 * the arguments of the exponentials, {@link #exp} them in place, then finish the sigmoids ({@code 1
 * / (1 + e^-x)}) and tanhs ({@code (e^2x - 1) / (e^2x + 1)}, within a float's rounding of tanh
 * near 0) and the state updates. Vectors never cross a method boundary, so nothing depends on the
 * JIT inlining a helper (a vector passed to a method that is not inlined is boxed, which is
 * hundreds of times slower).
 */
final class SimdCellKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int L = S.length();
  private static final float LOG2E = 1.44269504088896341f;
  private static final float ROUND = 12582912f;
  private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  private SimdCellKernels() {}

  /** Whether rows of {@code hidden} floats split into whole vectors. */
  static boolean fits(int hidden) {
    return hidden % L == 0;
  }

  /**
   * {@code a[from, from + n) = e^a} (n a multiple of the vector length) to about 2 ulp, from basic
   * operations only: {@code x = k ln2 + r} with {@code |r| <= ln2 / 2} (Cody and Waite's two-part
   * ln2), a degree-7 polynomial for {@code e^r} (Cephes's {@code expf}), and {@code 2^k} built in
   * the exponent bits. The Vector API's own {@code EXP} is as fast where it maps to a vector math
   * library, but its results then depend on whether the JIT has compiled the loop yet, and
   * elsewhere it runs lane by lane; this gives the same bits every run on every machine. Inputs are
   * clamped to {@code [-87, 88]}, where {@code 2^k} stays a normal float.
   */
  static void exp(float[] a, int from, int n) {
    for (int j = from; j < from + n; j += L) {
      FloatVector c = FloatVector.fromArray(S, a, j).max(-87f).min(88f);
      // k = round(x log2 e) by adding 1.5 * 2^23, whose last mantissa bits then hold k (|k| < 2^22)
      FloatVector t = c.mul(LOG2E).add(ROUND);
      FloatVector k = t.sub(ROUND);
      FloatVector r = c.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
      FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f).mul(r).add(8.3334519073e-3f).mul(r)
          .add(4.1665795894e-2f).mul(r).add(1.6666665459e-1f).mul(r).add(5.0000001201e-1f).mul(r.mul(r)).add(r)
          .add(1f);
      IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
      p.mul(bits.reinterpretAsFloats()).intoArray(a, j);
    }
  }

  /** {@code dst[to + j] = scale * src[from + j]} for {@code j < n}. */
  private static void scaled(float[] src, int from, float scale, float[] dst, int to, int n) {
    for (int j = 0; j < n; j += L) {
      FloatVector.fromArray(S, src, from + j).mul(scale).intoArray(dst, to + j);
    }
  }

  /** {@code a = 1 / (1 + a)} over {@code [from, from + n)}: a sigmoid, given {@code a = e^-x}. */
  private static void sigmoidOfExp(float[] a, int from, int n) {
    for (int j = from; j < from + n; j += L) {
      FloatVector e = FloatVector.fromArray(S, a, j);
      FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(a, j);
    }
  }

  /** {@code a = (a - 1) / (a + 1)} over {@code [from, from + n)}: a tanh, given {@code a = e^2x}. */
  private static void tanhOfExp(float[] a, int from, int n) {
    for (int j = from; j < from + n; j += L) {
      FloatVector e = FloatVector.fromArray(S, a, j);
      e.sub(1f).div(e.add(1f)).intoArray(a, j);
    }
  }

  /** A contiguous float32 operand's rows, read and written in bulk through its float buffer. */
  private record Rows(FloatBuffer b, int offset, int width) {
    static Rows of(Tensor t) {
      return t == null ? null : new Rows(t.storage().hostBuffer().asFloatBuffer(), (int) t.offset(), t.dim(1));
    }

    float[] read(int row, float[] into) {
      b.get(offset + row * width, into, 0, width);
      return into;
    }

    void write(int row, float[] from) {
      b.put(offset + row * width, from, 0, width);
    }

    void copyRow(int row, Rows src) {
      b.put(offset + row * width, src.b, src.offset + row * width, width);
    }
  }

  /**
   * One LSTM step, the bias added to the gates as they are read. With {@code activations} (a
   * training step) see {@link #lstmCellWithActivations}. Without them (inference: nothing will read
   * the gates again) each row takes two passes over the tensors' memory in place (no row is copied
   * to the heap and back): the gates' exponentials, then the states formed from them with fewer
   * divisions. The exponential is {@link #exp}'s, written out in each loop (vectors stay in one
   * method, see the class comment).
   */
  static void lstmCell(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h, Tensor y,
      boolean activations) {
    if (activations) {
      lstmCellWithActivations(gates, bias, cPrev, hPrev, mask, c, h, y);
      return;
    }
    int batch = gates.dim(0);
    int rowBytes = 4 * (gates.dim(1) / 4);
    ByteBuffer g = gates.storage().hostBuffer();
    ByteBuffer bs = bias == null ? null : bias.storage().hostBuffer();
    ByteBuffer cp = cPrev.storage().hostBuffer();
    ByteBuffer hp = hPrev.storage().hostBuffer();
    ByteBuffer cn = c.storage().hostBuffer();
    ByteBuffer hn = h.storage().hostBuffer();
    ByteBuffer yn = y == null ? null : y.storage().hostBuffer();
    int bo = bias == null ? 0 : 4 * (int) bias.offset();
    float[] m = mask == null ? null : mask.toFloatArray();
    for (int b = 0; b < batch; b++) {
      int gr = 4 * (int) gates.offset() + 4 * b * rowBytes;
      exponentialsOfRow(g, gr, bs, bo, rowBytes);
      int cpr = 4 * (int) cPrev.offset() + b * rowBytes;
      int hpr = 4 * (int) hPrev.offset() + b * rowBytes;
      int cr = 4 * (int) c.offset() + b * rowBytes;
      int hr = 4 * (int) h.offset() + b * rowBytes;
      int yr = y == null ? 0 : 4 * (int) y.offset() + b * rowBytes;
      if (m != null && m[b] == 0) {
        for (int j = 0; j < rowBytes; j += 4 * L) {
          FloatVector.fromByteBuffer(S, cp, cpr + j, ORDER).intoByteBuffer(cn, cr + j, ORDER);
          FloatVector.fromByteBuffer(S, hp, hpr + j, ORDER).intoByteBuffer(hn, hr + j, ORDER);
          if (yn != null) {
            FloatVector.zero(S).intoByteBuffer(yn, yr + j, ORDER);
          }
        }
      } else {
        statesFromExponentials(g, gr, rowBytes, cp, cpr, cn, cr, hn, hr, yn, yr);
      }
    }
  }

  /**
   * Largest argument of an inference step's exponentials: its states multiply two exponentials in
   * one denominator, so each stays below e^40 (2.4e17; the product, below 5.5e34, cannot overflow);
   * a sigmoid or tanh then differs from its limit by under 5e-18.
   */
  private static final float INFERENCE_TOP = 40f;

  /**
   * {@code e^(scale (x + bias))} in place over {@code bytes} of {@code buf} from {@code at} (bias
   * from {@code biasAt}; null for none), the argument clamped to {@code [-87, INFERENCE_TOP]}, as
   * {@link #exp} computes it. The inference step's passes are methods of their own, so that HotSpot
   * compiles each soon: until then every vector operation allocates.
   */
  private static void expInPlace(ByteBuffer buf, int at, int bytes, ByteBuffer bias, int biasAt, float scale) {
    for (int j = 0; j < bytes; j += 4 * L) {
      FloatVector x = FloatVector.fromByteBuffer(S, buf, at + j, ORDER);
      if (bias != null) {
        x = x.add(FloatVector.fromByteBuffer(S, bias, biasAt + j, ORDER));
      }
      FloatVector cl = x.mul(scale).max(-87f).min(INFERENCE_TOP);
      FloatVector t = cl.mul(LOG2E).add(ROUND);
      FloatVector k = t.sub(ROUND);
      FloatVector r = cl.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
      FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f).mul(r).add(8.3334519073e-3f).mul(r)
          .add(4.1665795894e-2f).mul(r).add(1.6666665459e-1f).mul(r).add(5.0000001201e-1f).mul(r.mul(r)).add(r)
          .add(1f);
      IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
      p.mul(bits.reinterpretAsFloats()).intoByteBuffer(buf, at + j, ORDER);
    }
  }

  /** A row's exponentials {@code e^-i, e^-f, e^2g, e^-o} from its pre-activations (plus the bias), in place. */
  private static void exponentialsOfRow(ByteBuffer g, int gr, ByteBuffer bs, int bo, int rowBytes) {
    for (int q = 0; q < 4; q++) {
      expInPlace(g, gr + q * rowBytes, rowBytes, bs, bo + q * rowBytes, q == 2 ? 2f : -1f);
    }
  }

  /**
   * The states from a row's exponentials: {@code c = cPrev / (1 + e^-f) + (e^2g - 1) / ((1 +
   * e^-i)(e^2g + 1))} and {@code h = (e^2c - 1) / ((1 + e^-o)(e^2c + 1))}, three divisions where
   * the activations take five. {@code 2c}, then {@code e^2c}, pass through the row of {@code h}.
   */
  private static void statesFromExponentials(ByteBuffer g, int gr, int rowBytes, ByteBuffer cp, int cpr, ByteBuffer cn,
      int cr, ByteBuffer hn, int hr, ByteBuffer yn, int yr) {
    for (int j = 0; j < rowBytes; j += 4 * L) {
      FloatVector ei = FloatVector.fromByteBuffer(S, g, gr + j, ORDER);
      FloatVector ef = FloatVector.fromByteBuffer(S, g, gr + rowBytes + j, ORDER);
      FloatVector eg = FloatVector.fromByteBuffer(S, g, gr + 2 * rowBytes + j, ORDER);
      FloatVector cj = FloatVector.fromByteBuffer(S, cp, cpr + j, ORDER).div(ef.add(1f))
          .add(eg.sub(1f).div(ei.add(1f).mul(eg.add(1f))));
      cj.intoByteBuffer(cn, cr + j, ORDER);
      cj.add(cj).intoByteBuffer(hn, hr + j, ORDER);
    }
    expInPlace(hn, hr, rowBytes, null, 0, 1f);
    for (int j = 0; j < rowBytes; j += 4 * L) {
      FloatVector e = FloatVector.fromByteBuffer(S, hn, hr + j, ORDER);
      FloatVector eo = FloatVector.fromByteBuffer(S, g, gr + 3 * rowBytes + j, ORDER);
      FloatVector hj = e.sub(1f).div(eo.add(1f).mul(e.add(1f)));
      hj.intoByteBuffer(hn, hr + j, ORDER);
      if (yn != null) {
        hj.intoByteBuffer(yn, yr + j, ORDER);
      }
    }
  }

  /**
   * The training step: the activations written back for the backward pass. Rows are copied to
   * heap arrays and run through small loops ({@link #exp}, {@link #sigmoidOfExp}, {@link
   * #tanhOfExp}) shared with the backward and GRU kernels, which HotSpot compiles within the first
   * steps of a fresh JVM (one method fusing the passes ran its first seconds of LSTM training 3x
   * slower, in code not yet compiled, where every vector operation allocates).
   */
  private static void lstmCellWithActivations(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c,
      Tensor h, Tensor y) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 4;
    Rows g = Rows.of(gates);
    Rows cp = Rows.of(cPrev);
    Rows hp = Rows.of(hPrev);
    Rows cn = Rows.of(c);
    Rows hn = Rows.of(h);
    Rows yn = Rows.of(y);
    float[] m = mask == null ? null : mask.toFloatArray();
    float[] bs = bias == null ? null : bias.toFloatArray();
    float[] a = new float[4 * hid];
    float[] prev = new float[hid];
    float[] cv = new float[hid];
    float[] e = new float[hid];
    float[] hv = new float[hid];
    float[] zeros = new float[hid];
    for (int b = 0; b < batch; b++) {
      g.read(b, a);
      if (bs != null) {
        added(a, bs, 4 * hid);
      }
      scaled(a, 0, -1f, a, 0, 2 * hid);
      scaled(a, 2 * hid, 2f, a, 2 * hid, hid);
      scaled(a, 3 * hid, -1f, a, 3 * hid, hid);
      exp(a, 0, 4 * hid);
      sigmoidOfExp(a, 0, 2 * hid);
      tanhOfExp(a, 2 * hid, hid);
      sigmoidOfExp(a, 3 * hid, hid);
      g.write(b, a);
      if (m != null && m[b] == 0) {
        cn.copyRow(b, cp);
        hn.copyRow(b, hp);
        if (yn != null) {
          yn.write(b, zeros);
        }
        continue;
      }
      cp.read(b, prev);
      for (int j = 0; j < hid; j += L) {
        FloatVector i = FloatVector.fromArray(S, a, j);
        FloatVector f = FloatVector.fromArray(S, a, hid + j);
        FloatVector gg = FloatVector.fromArray(S, a, 2 * hid + j);
        FloatVector cj = f.mul(FloatVector.fromArray(S, prev, j)).add(i.mul(gg));
        cj.intoArray(cv, j);
        cj.add(cj).intoArray(e, j);
      }
      exp(e, 0, hid);
      tanhOfExp(e, 0, hid);
      for (int j = 0; j < hid; j += L) {
        FloatVector.fromArray(S, a, 3 * hid + j).mul(FloatVector.fromArray(S, e, j)).intoArray(hv, j);
      }
      cn.write(b, cv);
      hn.write(b, hv);
      if (yn != null) {
        yn.write(b, hv);
      }
    }
  }

  /** {@code a[j] += b[j]} for {@code j < n}. */
  private static void added(float[] a, float[] b, int n) {
    for (int j = 0; j < n; j += L) {
      FloatVector.fromArray(S, a, j).add(FloatVector.fromArray(S, b, j)).intoArray(a, j);
    }
  }

  static void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy, Tensor gh, Tensor gc,
      Tensor gGates) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 4;
    Rows g = Rows.of(gates);
    Rows cp = Rows.of(cPrev);
    Rows cr = Rows.of(c);
    Rows dyr = Rows.of(gy);
    Rows dhr = Rows.of(gh);
    Rows dcr = Rows.of(gc);
    Rows out = Rows.of(gGates);
    float[] m = mask == null ? null : mask.toFloatArray();
    float[] a = new float[4 * hid];
    float[] d = new float[4 * hid];
    float[] prev = new float[hid];
    float[] tc = new float[hid];
    float[] dy = new float[hid];
    float[] dh = new float[hid];
    float[] dc = new float[hid];
    float[] zeros = new float[4 * hid];
    for (int b = 0; b < batch; b++) {
      if (m != null && m[b] == 0) {
        out.write(b, zeros);
        continue;
      }
      g.read(b, a);
      cp.read(b, prev);
      scaled(cr.read(b, tc), 0, 2f, tc, 0, hid);
      exp(tc, 0, hid);
      tanhOfExp(tc, 0, hid);
      dhr.read(b, dh);
      dcr.read(b, dc);
      if (dyr != null) {
        dyr.read(b, dy);
      }
      for (int j = 0; j < hid; j += L) {
        FloatVector i = FloatVector.fromArray(S, a, j);
        FloatVector f = FloatVector.fromArray(S, a, hid + j);
        FloatVector gg = FloatVector.fromArray(S, a, 2 * hid + j);
        FloatVector o = FloatVector.fromArray(S, a, 3 * hid + j);
        FloatVector t = FloatVector.fromArray(S, tc, j);
        FloatVector dhj = FloatVector.fromArray(S, dh, j);
        if (dyr != null) {
          dhj = dhj.add(FloatVector.fromArray(S, dy, j));
        }
        FloatVector dcj = FloatVector.fromArray(S, dc, j).add(dhj.mul(o).mul(t.mul(t).neg().add(1f)));
        dcj.mul(gg).mul(i).mul(i.neg().add(1f)).intoArray(d, j);
        dcj.mul(FloatVector.fromArray(S, prev, j)).mul(f).mul(f.neg().add(1f)).intoArray(d, hid + j);
        dcj.mul(i).mul(gg.mul(gg).neg().add(1f)).intoArray(d, 2 * hid + j);
        dhj.mul(t).mul(o).mul(o.neg().add(1f)).intoArray(d, 3 * hid + j);
        dcj.mul(f).intoArray(dc, j);
      }
      out.write(b, d);
      dcr.write(b, dc);
      dhr.write(b, zeros);
    }
  }

  static void gruCell(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y) {
    int batch = xGates.dim(0);
    int hid = xGates.dim(1) / 3;
    Rows xg = Rows.of(xGates);
    Rows hg = Rows.of(hGates);
    Rows hp = Rows.of(hPrev);
    Rows hn = Rows.of(h);
    Rows yn = Rows.of(y);
    float[] m = mask == null ? null : mask.toFloatArray();
    float[] a = new float[3 * hid];
    float[] r = new float[3 * hid];
    float[] e = new float[2 * hid];
    float[] prev = new float[hid];
    float[] hv = new float[hid];
    float[] zeros = new float[hid];
    for (int b = 0; b < batch; b++) {
      xg.read(b, a);
      hg.read(b, r);
      for (int j = 0; j < 2 * hid; j += L) {
        FloatVector.fromArray(S, a, j).add(FloatVector.fromArray(S, r, j)).neg().intoArray(e, j);
      }
      exp(e, 0, 2 * hid);
      sigmoidOfExp(e, 0, 2 * hid);
      System.arraycopy(e, 0, a, 0, 2 * hid);
      for (int j = 0; j < hid; j += L) {
        FloatVector n = FloatVector.fromArray(S, a, 2 * hid + j)
            .add(FloatVector.fromArray(S, e, j).mul(FloatVector.fromArray(S, r, 2 * hid + j)));
        n.add(n).intoArray(a, 2 * hid + j);
      }
      exp(a, 2 * hid, hid);
      tanhOfExp(a, 2 * hid, hid);
      xg.write(b, a);
      if (m != null && m[b] == 0) {
        hn.copyRow(b, hp);
        if (yn != null) {
          yn.write(b, zeros);
        }
        continue;
      }
      hp.read(b, prev);
      for (int j = 0; j < hid; j += L) {
        FloatVector n = FloatVector.fromArray(S, a, 2 * hid + j);
        FloatVector z = FloatVector.fromArray(S, a, hid + j);
        n.add(z.mul(FloatVector.fromArray(S, prev, j).sub(n))).intoArray(hv, j);
      }
      hn.write(b, hv);
      if (yn != null) {
        yn.write(b, hv);
      }
    }
  }

  static void gruCellBackward(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy, Tensor gh,
      Tensor gxGates, Tensor ghGates) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 3;
    Rows g = Rows.of(gates);
    Rows rec = Rows.of(hGates);
    Rows hp = Rows.of(hPrev);
    Rows dyr = Rows.of(gy);
    Rows dhr = Rows.of(gh);
    Rows dxr = Rows.of(gxGates);
    Rows drr = Rows.of(ghGates);
    float[] m = mask == null ? null : mask.toFloatArray();
    float[] a = new float[3 * hid];
    float[] rh = new float[3 * hid];
    float[] dx = new float[3 * hid];
    float[] dr = new float[3 * hid];
    float[] prev = new float[hid];
    float[] dy = new float[hid];
    float[] dh = new float[hid];
    float[] zeros = new float[3 * hid];
    for (int b = 0; b < batch; b++) {
      if (m != null && m[b] == 0) {
        dxr.write(b, zeros);
        drr.write(b, zeros);
        continue;
      }
      g.read(b, a);
      rec.read(b, rh);
      hp.read(b, prev);
      dhr.read(b, dh);
      if (dyr != null) {
        dyr.read(b, dy);
      }
      for (int j = 0; j < hid; j += L) {
        FloatVector r = FloatVector.fromArray(S, a, j);
        FloatVector z = FloatVector.fromArray(S, a, hid + j);
        FloatVector n = FloatVector.fromArray(S, a, 2 * hid + j);
        FloatVector dhj = FloatVector.fromArray(S, dh, j);
        if (dyr != null) {
          dhj = dhj.add(FloatVector.fromArray(S, dy, j));
        }
        FloatVector dn = dhj.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f));
        FloatVector dAr = dn.mul(FloatVector.fromArray(S, rh, 2 * hid + j)).mul(r).mul(r.neg().add(1f));
        FloatVector dAz = dhj.mul(FloatVector.fromArray(S, prev, j).sub(n)).mul(z).mul(z.neg().add(1f));
        dAr.intoArray(dx, j);
        dAz.intoArray(dx, hid + j);
        dn.intoArray(dx, 2 * hid + j);
        dAr.intoArray(dr, j);
        dAz.intoArray(dr, hid + j);
        dn.mul(r).intoArray(dr, 2 * hid + j);
        dhj.mul(z).intoArray(dh, j);
      }
      dxr.write(b, dx);
      drr.write(b, dr);
      dhr.write(b, dh);
    }
  }
}
