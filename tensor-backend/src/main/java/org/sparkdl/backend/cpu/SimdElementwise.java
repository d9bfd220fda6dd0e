package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sparkdl.backend.BinaryOp;

/**
 * SIMD float32 runs of the elementwise kernels ({@link ElementwiseKernels}): a binary op over two
 * operands each either contiguous or one value broadcast along the run (a bias or a batch
 * normalisation's per-channel scale), ReLU over a contiguous run, and a run filled with one value.
 * Results equal the scalar loops' bit for bit: float {@code + - * /} round exactly as the reference
 * functions computed in double and narrowed. Only touch this class after checking {@link
 * Simd#AVAILABLE}.
 */
final class SimdElementwise {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private SimdElementwise() {}

  /** The shortest run worth the vector loop. */
  static int minRun() {
    return S.length();
  }

  /**
   * {@code o[oi + j] = op(a[ai + j * as], b[bi + j * bs])} for {@code j < n}, element indices, where
   * each of {@code as} and {@code bs} is 0 or 1; {@code op} is one of ADD, SUB, MUL, DIV, MAX, MIN.
   */
  static void zip(BinaryOp op, ByteBuffer a, int ai, int as, ByteBuffer b, int bi, int bs, ByteBuffer o, int oi, int n) {
    FloatVector fixedA = as == 0 ? FloatVector.broadcast(S, a.getFloat(4 * ai)) : null;
    FloatVector fixedB = bs == 0 ? FloatVector.broadcast(S, b.getFloat(4 * bi)) : null;
    int j = 0;
    int bound = S.loopBound(n);
    for (; j < bound; j += S.length()) {
      FloatVector x = fixedA != null ? fixedA : FloatVector.fromByteBuffer(S, a, 4 * (ai + j), ORDER);
      FloatVector y = fixedB != null ? fixedB : FloatVector.fromByteBuffer(S, b, 4 * (bi + j), ORDER);
      // one named method per op: the vector operations compile to instructions only for a constant operator
      FloatVector r = switch (op) {
        case ADD -> x.add(y);
        case SUB -> x.sub(y);
        case MUL -> x.mul(y);
        case DIV -> x.div(y);
        case MAX -> x.max(y);
        case MIN -> x.min(y);
      };
      r.intoByteBuffer(o, 4 * (oi + j), ORDER);
    }
    for (; j < n; j++) {
      o.putFloat(4 * (oi + j), (float) op.apply(a.getFloat(4 * (ai + j * as)), b.getFloat(4 * (bi + j * bs))));
    }
  }

  /** {@code o[oi + j] = max(x[xi + j], 0)} for {@code j < n}; NaN stays NaN, as {@link Math#max}. */
  static void relu(ByteBuffer x, int xi, ByteBuffer o, int oi, int n) {
    FloatVector zero = FloatVector.zero(S);
    int j = 0;
    int bound = S.loopBound(n);
    for (; j < bound; j += S.length()) {
      FloatVector.fromByteBuffer(S, x, 4 * (xi + j), ORDER).max(zero).intoByteBuffer(o, 4 * (oi + j), ORDER);
    }
    for (; j < n; j++) {
      o.putFloat(4 * (oi + j), Math.max(x.getFloat(4 * (xi + j)), 0f));
    }
  }

  /** {@code o[oi + j] = value} for {@code j < n}. */
  static void fill(ByteBuffer o, int oi, int n, float value) {
    FloatVector v = FloatVector.broadcast(S, value);
    int j = 0;
    int bound = S.loopBound(n);
    for (; j < bound; j += S.length()) {
      v.intoByteBuffer(o, 4 * (oi + j), ORDER);
    }
    for (; j < n; j++) {
      o.putFloat(4 * (oi + j), value);
    }
  }
}
