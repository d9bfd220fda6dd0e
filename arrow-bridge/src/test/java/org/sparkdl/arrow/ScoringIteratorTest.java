package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Tensor;

/**
 * The lazy scorer behind {@link BatchScorer#score}, outside Spark: the batches it hands the
 * function, the Arrow memory it holds while rows are out (one batch's buffers, reused) and gives
 * back at the end, on a bad row, on the function's error and on close, and sparse rows as CSR.
 * Outputs are checked against the features summed on the heap.
 */
@ExtendWith(NoArrowLeaks.class)
class ScoringIteratorTest {
  private static final CpuBackend CPU = new CpuBackend(1);
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("features", SQLDataTypes.VectorType());

  /** Row i: features [i, -2i, 0.5, i * i], stored sparse for odd i. */
  private static Row row(int i) {
    Vector v = i % 2 == 1 ? Vectors.sparse(4, new int[] {0, 1, 2, 3}, new double[] {i, -2 * i, 0.5, i * i})
        : Vectors.dense(i, -2 * i, 0.5, i * i);
    return RowFactory.create(i, v);
  }

  private static List<Row> rows(int n) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(row(i));
    }
    return out;
  }

  /** The sum of row i's features, on the heap. */
  private static double sum(int i) {
    return i - 2.0 * i + 0.5 + (double) i * i;
  }

  /** Each row's [sum of its features, its first feature], recording each batch's rows in {@code batches}. */
  private static BatchFunction sumAndFirst(List<Integer> batches) {
    return (x, y) -> {
      batches.add(x.dim(0));
      float[] f = x.toFloatArray();
      float[] out = new float[x.dim(0) * 2];
      for (int r = 0; r < x.dim(0); r++) {
        for (int j = 0; j < 4; j++) {
          out[2 * r] += f[4 * r + j];
        }
        out[2 * r + 1] = f[4 * r];
      }
      y.copyFrom(out);
    };
  }

  private static BatchScorer scorer(FeatureInput features, int batchSize) {
    return new BatchScorer(features, 2, batchSize, true, PredictionColumns.value("sum", 0).and(PredictionColumns.value("first", 1)));
  }

  private static BatchScorer dense(int batchSize) {
    return scorer(FeatureInput.flat(InputColumn.features(SCHEMA, "features"), 4), batchSize);
  }

  @Test
  void scoresFullBatchesThenTheRestAppendingEachRowsOutputs() {
    List<Integer> batches = new ArrayList<>();
    Iterator<Row> scored = dense(4).score(rows(10).iterator(), CPU, sumAndFirst(batches), 0);
    for (int i = 0; i < 10; i++) {
      Row r = scored.next();
      assertEquals(4, r.length());
      assertEquals(i, r.getInt(0));
      assertEquals(row(i).get(1), r.get(1));
      assertEquals(sum(i), r.getDouble(2), 1e-5);
      assertEquals(i, r.getDouble(3), 0);
    }
    assertFalse(scored.hasNext());
    assertEquals(List.of(4, 4, 2), batches);
    assertFalse(dense(4).score(List.<Row>of().iterator(), CPU, sumAndFirst(batches), 0).hasNext());
    assertEquals(List.of(4, 4, 2), batches, "no rows, no call");
  }

  @Test
  void holdsOneBatchsBuffersReusedAndFreesThemOnceTheLastBatchIsScored() {
    List<Long> held = new ArrayList<>();
    Iterator<Row> scored = dense(8).score(rows(20).iterator(), CPU, (x, y) -> {
      held.add(ArrowMemory.allocatedBytes());
      y.copyFrom(new float[y.size()]);
    }, 0);
    assertEquals(0, ArrowMemory.allocatedBytes(), "nothing before the first row is asked for");
    for (int i = 0; i < 16; i++) {
      scored.next();
      assertTrue(ArrowMemory.allocatedBytes() >= 4L * 8 * (4 + 2), "batch " + i / 8 + ": " + ArrowMemory.allocatedBytes());
    }
    assertEquals(2, held.size());
    assertEquals(held.get(0), held.get(1), "the second batch reuses the first one's buffers");
    scored.next();
    assertEquals(3, held.size());
    assertEquals(held.get(0), held.get(2));
    assertEquals(0, ArrowMemory.allocatedBytes(), "the last batch's outputs are on the heap: its buffers are freed");
    int left = 0;
    while (scored.hasNext()) {
      assertEquals(17 + left, scored.next().getInt(0));
      left++;
    }
    assertEquals(3, left, "the last batch's rows are still handed out");
  }

  @Test
  void aBadRowInALaterBatchNamesItsRowAndPartitionAndFreesTheBuffers() {
    List<Row> input = rows(7);
    input.set(5, RowFactory.create(5, Vectors.dense(1, 2, 3)));
    List<Integer> batches = new ArrayList<>();
    Iterator<Row> scored = dense(3).score(input.iterator(), CPU, sumAndFirst(batches), 9);
    for (int i = 0; i < 3; i++) {
      assertEquals(sum(i), scored.next().getDouble(2), 1e-5);
    }
    assertEquals("Column 'features', row 5 of partition 9: 3 values; the input layer expects 4.",
        assertThrows(IllegalArgumentException.class, scored::hasNext).getMessage());
    assertEquals(0, ArrowMemory.allocatedBytes());
    assertFalse(scored.hasNext());
    assertEquals(List.of(3), batches, "the batch with the bad row never reaches the function");
  }

  @Test
  void theFunctionsErrorFreesTheBuffersAndEndsTheIterator() {
    BatchFunction failing = (x, y) -> {
      throw new IllegalStateException("device lost");
    };
    Iterator<Row> scored = dense(4).score(rows(6).iterator(), CPU, failing, 0);
    assertEquals("device lost", assertThrows(IllegalStateException.class, scored::hasNext).getMessage());
    assertEquals(0, ArrowMemory.allocatedBytes());
    assertFalse(scored.hasNext());
  }

  @Test
  void closingEarlyFreesTheBuffersAndStopsReading() throws Exception {
    int[] pulled = {0};
    Iterator<Row> source = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Row next() {
        return row(pulled[0]++);
      }
    };
    Iterator<Row> scored = dense(5).score(source, CPU, sumAndFirst(new ArrayList<>()), 0);
    scored.next();
    assertTrue(ArrowMemory.allocatedBytes() > 0);
    ((AutoCloseable) scored).close();
    assertEquals(0, ArrowMemory.allocatedBytes());
    ((AutoCloseable) scored).close();
    for (int i = 1; i < 5; i++) {
      assertEquals(sum(i), scored.next().getDouble(2), 1e-5, "rows already scored stay valid");
    }
    assertFalse(scored.hasNext());
    assertEquals(5, pulled[0], "nothing read after close");
  }

  @Test
  void sparseRowsReachTheFunctionAsCsrRowsNeverDense() {
    List<Integer> batches = new ArrayList<>();
    List<Integer> entries = new ArrayList<>();
    BatchFunction csr = new BatchFunction() {
      @Override
      public void apply(Tensor features, Tensor output) {
        throw new AssertionError("sparse rows went to the dense path");
      }

      @Override
      public void applySparse(CsrMatrix x, Tensor y) {
        batches.add(x.rows());
        entries.add(x.values().size());
        assertEquals(4, x.width());
        float[] starts = x.rowStarts().toFloatArray();
        float[] cols = x.columns().toFloatArray();
        float[] vals = x.values().toFloatArray();
        float[] out = new float[x.rows() * 2];
        for (int r = 0; r < x.rows(); r++) {
          for (int k = (int) starts[r]; k < (int) starts[r + 1]; k++) {
            out[2 * r] += vals[k];
            out[2 * r + 1] += cols[k] == 0 ? vals[k] : 0;
          }
        }
        y.copyFrom(out);
      }
    };
    BatchScorer sparse = scorer(FeatureInput.sparse(InputColumn.features(SCHEMA, "features"), 4), 4);
    List<Row> out = new ArrayList<>();
    sparse.score(rows(9).iterator(), CPU, csr, 0).forEachRemaining(out::add);
    assertEquals(List.of(4, 4, 1), batches);
    for (int i = 0; i < 9; i++) {
      assertEquals(sum(i), out.get(i).getDouble(2), 1e-5, "row " + i);
      assertEquals(i, out.get(i).getDouble(3), 0, "row " + i);
    }
    assertEquals(List.of(1 + 3 * 4, 4 * 4, 4), entries, "the non-zeros only: row 0 has one of its four values");
    assertEquals(0, ArrowMemory.allocatedBytes());

    List<Row> bad = rows(6);
    bad.set(4, RowFactory.create(4, Vectors.sparse(5, new int[] {4}, new double[] {1})));
    Iterator<Row> scored = sparse.score(bad.iterator(), CPU, csr, 2);
    for (int i = 0; i < 4; i++) {
      scored.next();
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, scored::hasNext);
    assertTrue(e.getMessage().startsWith("Column 'features', row 4 of partition 2: "), e.getMessage());
    assertEquals(0, ArrowMemory.allocatedBytes());
  }
}
