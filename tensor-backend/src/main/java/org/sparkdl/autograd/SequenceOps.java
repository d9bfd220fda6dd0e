package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.IndexOutOfRangeException;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** Differentiable operations on token sequences, each with its backward rule beside it. */
public final class SequenceOps {
  private SequenceOps() {}

  /**
   * Embedding lookup: {@code out[..., :] = table[ids[...], :]} for {@code ids} of any shape {@code
   * S} (integer-valued, never differentiated) and {@code table [V, D]}; gives {@code [*S, D]}. The
   * table's gradient is the sum of the output gradients of every position that read each row; the
   * row {@code paddingIndex} (when not null) gets none.
   *
   * @throws IndexOutOfRangeException naming the first id that is not an integer in {@code [0, V)}
   */
  public static Var embedding(Var ids, Var table, Integer paddingIndex) {
    Shape ts = table.shape();
    if (ts.rank() != 2) {
      throw new IllegalArgumentException("embedding needs a table [vocabulary, dimension]; found " + ts + ".");
    }
    if (paddingIndex != null && (paddingIndex < 0 || paddingIndex >= ts.dim(0))) {
      throw new IllegalArgumentException("embedding: padding index " + paddingIndex + " is outside the table's rows"
          + " [0, " + ts.dim(0) + ").");
    }
    Tape tape = table.tape;
    Backend be = tape.backend();
    int[] dims = java.util.Arrays.copyOf(ids.shape().toArray(), ids.shape().rank() + 1);
    dims[dims.length - 1] = ts.dim(1);
    Tensor out = tape.allocate(table.dtype(), Shape.of(dims));
    be.gatherRows(table.value, ids.value, out);
    return tape.record(out, g -> {
      if (!table.requiresGrad) {
        return;
      }
      boolean had = tape.hasGrad(table);
      Tensor target = tape.gradTarget(table);
      if (!had) {
        be.fill(target, 0);
      }
      be.scatterAddRows(g, ids.value, target);
      if (paddingIndex != null) {
        // the padding row is a constant: whatever reached it is dropped
        be.fill(target.slice(0, paddingIndex, paddingIndex + 1), 0);
      }
    }, ids, table);
  }
}
