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
    Segment seg = Segment.of(mine.length, c);
    long total = seg.total();
    long offset = seg.offset();
    if (total == 0) {
      return;
    }
    if (total * (width + 1) > Integer.MAX_VALUE / 2) {
      throw new IllegalStateException("The tasks touched " + total + " rows of '" + p.name() + "' in one step; at most "
          + Integer.MAX_VALUE / 2 / (width + 1) + " can be exchanged. Use a smaller batchSize.");
    }
    Backend be = Backend.of(p.grad());
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

  /**
   * Average mode's mean of the row-sparse parameters and their optimizer state over the tasks,
   * moving only the rows some task touched since the last mean ({@code touched}, per parameter):
   * every other row was the same on every task after that mean and no task has changed it since,
   * so it already is the mean. Each task sends its touched rows' indices; all take the union and
   * send those rows of every buffer in {@code flats} (network-order flat buffers: the parameters,
   * then each optimizer state) times {@code share}, their weight in the mean, and write the sums back.
   */
  static void average(List<Parameter> rowSparse, List<java.util.BitSet> touched, List<Tensor> flats,
      org.sparkdl.nn.ParameterStore store, double share, Collective c) {
    for (int i = 0; i < rowSparse.size(); i++) {
      Parameter p = rowSparse.get(i);
      int[] union = union(touched.get(i).stream().toArray(), c);
      if (union.length == 0) {
        continue;
      }
      int rows = p.shape().dim(0);
      int width = p.shape().dim(1);
      int from = store.offset(p);
      Backend be = Backend.of(p.value());
      try (Scope tmp = be.openScope("sparse-average")) {
        Tensor ids = tmp.of(p.value().dtype(), Shape.of(union.length), Arrays.stream(union).asDoubleStream().toArray());
        Tensor all = tmp.allocate(p.value().dtype(), Shape.of(flats.size(), union.length, width));
        List<Tensor> tables = flats.stream().map(f -> f.slice(0, from, from + rows * width).reshape(rows, width)).toList();
        for (int k = 0; k < tables.size(); k++) {
          Tensor mine = all.slice(0, k, k + 1).reshape(union.length, width);
          be.gatherRows(tables.get(k), ids, mine);
          be.map(org.sparkdl.backend.UnaryOp.SCALE, mine, mine, share);
        }
        c.allreduce(all);
        for (int k = 0; k < tables.size(); k++) {
          be.zeroRows(tables.get(k), ids);
          be.scatterAddRows(all.slice(0, k, k + 1).reshape(union.length, width), ids, tables.get(k));
        }
      }
    }
  }

  /** The union of every task's {@code mine} (ascending row ids), ascending, the same on every task. */
  private static int[] union(int[] mine, Collective c) {
    Segment seg = Segment.of(mine.length, c);
    long total = seg.total();
    long offset = seg.offset();
    if (total == 0) {
      return new int[0];
    }
    if (total > Integer.MAX_VALUE / 2) {
      throw new IllegalStateException("The tasks touched " + total + " rows in one round; at most " + Integer.MAX_VALUE / 2
          + " can be exchanged. Use fewer localSteps or a smaller batchSize.");
    }
    // row ids up to 2^24 are exact in float32; double keeps larger tables exact too
    double[] ids = new double[(int) total];
    for (int j = 0; j < mine.length; j++) {
      ids[(int) offset + j] = mine[j];
    }
    c.allreduce(ids);
    return Arrays.stream(ids).mapToInt(d -> (int) d).sorted().distinct().toArray();
  }

  /** Where this task's {@code count} entries go in a vector of every task's, in rank order, and its length. */
  private record Segment(long offset, long total) {
    static Segment of(int count, Collective c) {
      double[] counts = new double[c.size()];
      counts[c.rank()] = count;
      c.allreduce(counts);
      long total = 0;
      long offset = 0;
      for (int r = 0; r < counts.length; r++) {
        offset += r < c.rank() ? (long) counts[r] : 0;
        total += (long) counts[r];
      }
      return new Segment(offset, total);
    }
  }
}
