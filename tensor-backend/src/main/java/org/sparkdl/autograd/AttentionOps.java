package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Scaled dot-product attention, the core of multi-head attention, as one differentiable op whose
 * forward and backward are a few batched gemms over (example, head) pairs and one softmax. The
 * heads are read in place from the packed projection and written in place into the output, through
 * strided views ({@link Backend#gemmBatched}), so no per-head copies are made.
 */
public final class AttentionOps {
  private AttentionOps() {}

  /**
   * For queries, keys and values packed side by side as {@code qkv [B, T, 3D]} (each of the three a
   * run of {@code H} heads of width {@code d = D / H}, as PyTorch's packed in-projection gives
   * them), computes for every example and head
   *
   * <pre>
   *   out_h = softmax(Q_h K_hᵀ / sqrt(d) + mask) V_h
   * </pre>
   *
   * and returns the heads side by side, {@code [B, T, D]}. The softmax subtracts each row's maximum
   * first, so large scores cannot overflow.
   *
   * @param qkv {@code [B, T, 3D]}, {@code D} divisible by {@code heads}
   * @param heads {@code H} &gt;= 1
   * @param mask additive and constant, broadcastable to the scores {@code [B, H, T, T]} (query
   *     rows, key columns): 0 where a key may be attended, a large negative finite number where not
   *     (a finite one, so that no row can become NaN); or {@code null}
   */
  public static Var scaledDotProduct(Var qkv, int heads, Tensor mask) {
    Shape s = qkv.shape();
    if (s.rank() != 3 || heads < 1 || s.dim(2) % (3 * heads) != 0) {
      throw new IllegalArgumentException("scaledDotProduct needs packed queries, keys and values [batch, steps, 3 *"
          + " heads * width]; found " + s + " for " + heads + " heads.");
    }
    Tape tape = qkv.tape;
    Backend be = tape.backend();
    int batch = s.dim(0);
    int steps = s.dim(1);
    int width = s.dim(2) / (3 * heads);
    double scale = 1 / Math.sqrt(width);
    Tensor packed = qkv.value.contiguous(tape.scope());
    Tensor q = headsOf(packed, heads, 0);
    Tensor k = headsOf(packed, heads, 1);
    Tensor v = headsOf(packed, heads, 2);
    Tensor probs = tape.allocate(qkv.dtype(), Shape.of(batch, heads, steps, steps));
    be.gemmBatched(q, false, k, true, probs, scale, 0);
    if (mask != null) {
      be.zip(BinaryOp.ADD, probs, mask, probs);
    }
    be.softmax(probs, probs, false);
    Tensor out = tape.allocate(qkv.dtype(), Shape.of(batch, steps, heads * width));
    be.gemmBatched(probs, false, v, false, split(out, heads), 1, 0);
    return tape.record(out, g -> {
      Tensor go = split(g.contiguous(tape.scope()), heads);
      double beta = tape.hasGrad(qkv) ? 1 : 0;
      Tensor grad = tape.gradTarget(qkv);
      Tensor gp = tape.allocate(g.dtype(), probs.shape());
      be.gemmBatched(go, false, v, true, gp, 1, 0);                         // dP = dO Vᵀ
      be.gemmBatched(probs, true, go, false, headsOf(grad, heads, 2), 1, beta); // dV = Pᵀ dO
      be.softmaxBackward(probs, gp, gp, false);                              // dS, masked entries get 0
      be.gemmBatched(gp, false, k, false, headsOf(grad, heads, 0), scale, beta); // dQ = dS K / sqrt(d)
      be.gemmBatched(gp, true, q, false, headsOf(grad, heads, 1), scale, beta);  // dK = dSᵀ Q / sqrt(d)
    }, qkv);
  }

  /** Part {@code part} (0 queries, 1 keys, 2 values) of contiguous {@code [B, T, 3D]}, as a {@code [B, H, T, d]} view. */
  private static Tensor headsOf(Tensor packed, int heads, int part) {
    int width = packed.dim(2) / (3 * heads);
    return packed.reshape(packed.dim(0), packed.dim(1), 3 * heads, width).slice(2, part * heads, (part + 1) * heads)
        .transpose(1, 2);
  }

  /** Contiguous {@code [B, T, D]} as a {@code [B, H, T, d]} view. */
  private static Tensor split(Tensor t, int heads) {
    return t.reshape(t.dim(0), t.dim(1), heads, t.dim(2) / heads).transpose(1, 2);
  }
}
