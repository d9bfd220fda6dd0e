package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.tensor.Tensor;

/**
 * SIMD float32 versions of the LSTM and GRU cell kernels of {@link SequenceKernels}, for hidden
 * sizes that are a multiple of the vector length. The gate functions are where a recurrent step
 * spends its time once the recurrent gemm is done: {@code tanh} and {@code exp} as lane-wise vector
 * operations cost well under a nanosecond per element, against tens for {@link Math#tanh}. Only
 * touch this class after checking {@link SimdKernels#AVAILABLE}.
 *
 * <p>Each method works one batch row at a time, over contiguous float32 operands whose shapes
 * {@link org.sparkdl.backend.Backend} has checked, and computes the formulas documented there.
 */
final class SimdCellKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

  private SimdCellKernels() {}

  /** Whether rows of {@code hidden} floats split into whole vectors. */
  static boolean fits(int hidden) {
    return hidden % L == 0;
  }

  /** A float32 operand: its host buffer and the byte offset of its first element. */
  private record Op(ByteBuffer b, int at) {
    static Op of(Tensor t) {
      return t == null ? null : new Op(t.storage().hostBuffer(), (int) t.offset() * 4);
    }

    FloatVector load(int element) {
      return FloatVector.fromByteBuffer(S, b, at + element * 4, ORDER);
    }

    void store(int element, FloatVector v) {
      v.intoByteBuffer(b, at + element * 4, ORDER);
    }

    /** Copies {@code n} floats from {@code src}'s element {@code from} to this operand's element {@code to}. */
    void copy(int to, Op src, int from, int n) {
      b.put(at + to * 4, src.b, src.at + from * 4, n * 4);
    }

    void zero(int element, int n) {
      FloatVector z = FloatVector.zero(S);
      for (int j = 0; j < n; j += L) {
        store(element + j, z);
      }
    }
  }

  private static FloatVector sigmoid(FloatVector x) {
    return ONE.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  private static FloatVector tanh(FloatVector x) {
    return x.lanewise(VectorOperators.TANH);
  }

  static void lstmCell(Tensor gates, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h, Tensor y) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 4;
    Op g = Op.of(gates);
    Op cp = Op.of(cPrev);
    Op hp = Op.of(hPrev);
    Op cn = Op.of(c);
    Op hn = Op.of(h);
    Op yn = Op.of(y);
    float[] m = mask == null ? null : mask.toFloatArray();
    for (int b = 0; b < batch; b++) {
      int gr = b * 4 * hid;
      int sr = b * hid;
      boolean real = m == null || m[b] != 0;
      for (int j = 0; j < hid; j += L) {
        FloatVector i = sigmoid(g.load(gr + j));
        FloatVector f = sigmoid(g.load(gr + hid + j));
        FloatVector gg = tanh(g.load(gr + 2 * hid + j));
        FloatVector o = sigmoid(g.load(gr + 3 * hid + j));
        g.store(gr + j, i);
        g.store(gr + hid + j, f);
        g.store(gr + 2 * hid + j, gg);
        g.store(gr + 3 * hid + j, o);
        if (real) {
          FloatVector cv = f.mul(cp.load(sr + j)).add(i.mul(gg));
          FloatVector hv = o.mul(tanh(cv));
          cn.store(sr + j, cv);
          hn.store(sr + j, hv);
          if (yn != null) {
            yn.store(sr + j, hv);
          }
        }
      }
      if (!real) {
        cn.copy(sr, cp, sr, hid);
        hn.copy(sr, hp, sr, hid);
        if (yn != null) {
          yn.zero(sr, hid);
        }
      }
    }
  }

  static void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy, Tensor gh, Tensor gc,
      Tensor gGates) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 4;
    Op g = Op.of(gates);
    Op cp = Op.of(cPrev);
    Op cv = Op.of(c);
    Op dy = Op.of(gy);
    Op dh = Op.of(gh);
    Op dc = Op.of(gc);
    Op out = Op.of(gGates);
    float[] m = mask == null ? null : mask.toFloatArray();
    for (int b = 0; b < batch; b++) {
      int gr = b * 4 * hid;
      int sr = b * hid;
      if (m != null && m[b] == 0) {
        out.zero(gr, 4 * hid);
        continue;
      }
      for (int j = 0; j < hid; j += L) {
        FloatVector i = g.load(gr + j);
        FloatVector f = g.load(gr + hid + j);
        FloatVector gg = g.load(gr + 2 * hid + j);
        FloatVector o = g.load(gr + 3 * hid + j);
        FloatVector tc = tanh(cv.load(sr + j));
        FloatVector dhj = dy == null ? dh.load(sr + j) : dh.load(sr + j).add(dy.load(sr + j));
        FloatVector dcj = dc.load(sr + j).add(dhj.mul(o).mul(tc.mul(tc).neg().add(1f)));
        out.store(gr + j, dcj.mul(gg).mul(i).mul(i.neg().add(1f)));
        out.store(gr + hid + j, dcj.mul(cp.load(sr + j)).mul(f).mul(f.neg().add(1f)));
        out.store(gr + 2 * hid + j, dcj.mul(i).mul(gg.mul(gg).neg().add(1f)));
        out.store(gr + 3 * hid + j, dhj.mul(tc).mul(o).mul(o.neg().add(1f)));
        dc.store(sr + j, dcj.mul(f));
        dh.store(sr + j, FloatVector.zero(S));
      }
    }
  }

  static void gruCell(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y) {
    int batch = xGates.dim(0);
    int hid = xGates.dim(1) / 3;
    Op x = Op.of(xGates);
    Op r = Op.of(hGates);
    Op hp = Op.of(hPrev);
    Op hn = Op.of(h);
    Op yn = Op.of(y);
    float[] m = mask == null ? null : mask.toFloatArray();
    for (int b = 0; b < batch; b++) {
      int gr = b * 3 * hid;
      int sr = b * hid;
      boolean real = m == null || m[b] != 0;
      for (int j = 0; j < hid; j += L) {
        FloatVector rj = sigmoid(x.load(gr + j).add(r.load(gr + j)));
        FloatVector zj = sigmoid(x.load(gr + hid + j).add(r.load(gr + hid + j)));
        FloatVector nj = tanh(x.load(gr + 2 * hid + j).add(rj.mul(r.load(gr + 2 * hid + j))));
        x.store(gr + j, rj);
        x.store(gr + hid + j, zj);
        x.store(gr + 2 * hid + j, nj);
        if (real) {
          FloatVector hv = nj.add(zj.mul(hp.load(sr + j).sub(nj)));
          hn.store(sr + j, hv);
          if (yn != null) {
            yn.store(sr + j, hv);
          }
        }
      }
      if (!real) {
        hn.copy(sr, hp, sr, hid);
        if (yn != null) {
          yn.zero(sr, hid);
        }
      }
    }
  }

  static void gruCellBackward(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy, Tensor gh,
      Tensor gxGates, Tensor ghGates) {
    int batch = gates.dim(0);
    int hid = gates.dim(1) / 3;
    Op g = Op.of(gates);
    Op rec = Op.of(hGates);
    Op hp = Op.of(hPrev);
    Op dy = Op.of(gy);
    Op dh = Op.of(gh);
    Op dx = Op.of(gxGates);
    Op dr = Op.of(ghGates);
    float[] m = mask == null ? null : mask.toFloatArray();
    for (int b = 0; b < batch; b++) {
      int gr = b * 3 * hid;
      int sr = b * hid;
      if (m != null && m[b] == 0) {
        dx.zero(gr, 3 * hid);
        dr.zero(gr, 3 * hid);
        continue;
      }
      for (int j = 0; j < hid; j += L) {
        FloatVector r = g.load(gr + j);
        FloatVector z = g.load(gr + hid + j);
        FloatVector n = g.load(gr + 2 * hid + j);
        FloatVector dhj = dy == null ? dh.load(sr + j) : dh.load(sr + j).add(dy.load(sr + j));
        FloatVector dn = dhj.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f));
        FloatVector dAr = dn.mul(rec.load(gr + 2 * hid + j)).mul(r).mul(r.neg().add(1f));
        FloatVector dAz = dhj.mul(hp.load(sr + j).sub(n)).mul(z).mul(z.neg().add(1f));
        dx.store(gr + j, dAr);
        dx.store(gr + hid + j, dAz);
        dx.store(gr + 2 * hid + j, dn);
        dr.store(gr + j, dAr);
        dr.store(gr + hid + j, dAz);
        dr.store(gr + 2 * hid + j, dn.mul(r));
        dh.store(sr + j, dhj.mul(z));
      }
    }
  }
}
