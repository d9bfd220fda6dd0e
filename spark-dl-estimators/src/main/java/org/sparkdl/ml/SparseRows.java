package org.sparkdl.ml;

import java.util.Arrays;
import java.util.List;
import org.sparkdl.backend.Backend;
import org.sparkdl.collective.Collective;
import org.sparkdl.nn.Parameter;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Sums the gradients of row-sparse parameters over the tasks by sending only the rows each task
 * touched, not the table: every task contributes its rows' indices and gradients in a segment of
 * one vector that is zero elsewhere, so that an allreduce of that vector (sums with zeros are
 * exact) hands every task every task's rows; each then adds them into its gradient rows in rank
 * order, so all tasks hold the same bits, and marks the union touched, so that every task applies
 * the same lazy update to the same rows. A step moves the touched rows (a few thousand for a batch
 * of tens of non-zeros a row), where a dense allreduce would move the whole table (10^8 values for
 * 10^6 inputs of 128 units).
 */
final class SparseRows {
  private SparseRows() {}

  /** Sums each row-sparse parameter's touched gradient rows over the tasks of {@code c} (see the class comment). */
  static void allreduce(List<Parameter> rowSparse, Collective c) {
    for (Parameter p : rowSparse) {
      allreduce(p, c);
    }
  }

  private static void allreduce(Parameter p, Collective c) {
    int[] mine = p.touchedRows();
    int width = p.shape().dim(1);
    double[] counts = new double[c.size()];
    counts[c.rank()] = mine.length;
    c.allreduce(counts);
    long total = 0;
    long offset = 0;
    for (int r = 0; r < counts.length; r++) {
      offset += r < c.rank() ? (long) counts[r] : 0;
      total += (long) counts[r];
    }
    if (total == 0) {
      return;
    }
    if (total * (width + 1) > Integer.MAX_VALUE / 2) {
      throw new IllegalStateException("The tasks touched " + total + " rows of '" + p.name() + "' in one step; at most "
          + Integer.MAX_VALUE / 2 / (width + 1) + " can be exchanged. Use a smaller batchSize.");
    }
    Backend be = p.grad().backend();
    try (Scope tmp = be.openScope("sparse-rows")) {
      // [total] row indices, then [total, width] gradient rows; this task's segment at offset, zeros elsewhere
      Tensor all = tmp.zeros(p.grad().dtype(), Shape.of((int) (total * (width + 1))));
      Tensor ids = all.slice(0, 0, (int) total);
      Tensor rows = all.slice(0, (int) total, all.size()).reshape((int) total, width);
      if (mine.length > 0) {
        Tensor myIds = tmp.of(p.grad().dtype(), Shape.of(mine.length), Arrays.stream(mine).asDoubleStream().toArray());
        be.copy(myIds, ids.slice(0, (int) offset, (int) offset + mine.length));
        Tensor myRows = rows.slice(0, (int) offset, (int) offset + mine.length);
        be.gatherRows(p.grad(), myIds, myRows);
        be.zeroRows(p.grad(), myIds);
      }
      c.allreduce(all);
      // the same additions in the same order on every task: its own rows are zero now, every segment added in rank order
      be.scatterAddRows(rows, ids, p.grad());
      float[] union = ids.toFloatArray();
      int[] touched = new int[union.length];
      for (int i = 0; i < union.length; i++) {
        touched[i] = (int) union[i];
      }
      p.touch(touched);
    }
  }
}
