package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
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

/** Sparse features travel as CSR rows: shuffled with their labels, exact, checked, and never densified. */
@ExtendWith(NoArrowLeaks.class)
class SparseBatchTest {
  private static final CpuBackend CPU = new CpuBackend(1);
  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType());

  private static TrainingColumns columns(int width) {
    FeatureInput sparse = FeatureInput.sparse(InputColumn.features(SCHEMA, "features"), width);
    return TrainingColumns.forLabel(SCHEMA, sparse, "label", null);
  }

  private static List<BatchSink.Batch> encode(TrainingColumns columns, List<Row> rows, int batchSize, long seed) {
    BatchSink sink = new BatchEncoder(columns, batchSize, true).sink(0, seed);
    List<BatchSink.Batch> out = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      sink.add(rows.get(r), r);
      BatchSink.Batch full = sink.take();
      if (full != null) {
        out.add(full);
      }
    }
    BatchSink.Batch last = sink.finish();
    if (last != null) {
      out.add(last);
    }
    return out;
  }

  /** Row {@code i} of a CSR matrix, densified, from its host arrays. */
  private static double[] row(CsrMatrix x, int i) {
    float[] starts = x.rowStarts().toFloatArray();
    float[] cols = x.columns().toFloatArray();
    float[] vals = x.values().toFloatArray();
    double[] d = new double[x.width()];
    for (int k = (int) starts[i]; k < (int) starts[i + 1]; k++) {
      d[(int) cols[k]] += vals[k];
    }
    return d;
  }

  @Test
  void sparseAndDenseVectorsComeBackAsTheirNonZerosBesideTheirLabelsInShuffledBatches() {
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    List<Vector> vectors = new ArrayList<>();
    int entries = 0;
    for (int i = 0; i < 11; i++) {
      Vector v;
      if (i % 3 == 2) {
        double[] d = new double[6];
        d[i % 6] = i + 0.5;
        d[(i + 2) % 6] = -1;
        v = Vectors.dense(d);    // two non-zeros among six
        entries += 2;
      } else {
        int n = r.nextInt(3);
        int[] idx = new int[n];
        double[] val = new double[n];
        for (int k = 0; k < n; k++) {
          idx[k] = 2 * k + (i % 2);
          val[k] = r.nextGaussian();
        }
        v = Vectors.sparse(6, idx, val);
        entries += n;
      }
      vectors.add(v);
      rows.add(RowFactory.create((double) i, v));
    }
    List<BatchSink.Batch> batches = encode(columns(6), rows, 4, 9);
    assertEquals(3, batches.size());
    assertEquals(0, ArrowMemory.allocatedBytes(), "finish frees the vectors");
    Set<Integer> seen = new HashSet<>();
    int decoded = 0;
    boolean shuffled = false;
    for (BatchSink.Batch b : batches) {
      try (ArrowBatch batch = ArrowBatch.read(b.ipc())) {
        assertTrue(batch.hasSparseFeatures());
        assertEquals(6, batch.featureWidth());
        CsrMatrix x = batch.sparseFeatures(CPU);
        assertEquals(b.rows(), x.rows());
        float[] labels = batch.labels(CPU).toFloatArray();
        for (int i = 0; i < labels.length; i++) {
          int id = (int) labels[i];
          assertTrue(seen.add(id), "row " + id + " twice");
          shuffled |= id != b.index() * 4 + i;
          assertArrayEquals(vectors.get(id).toArray(), row(x, i), 1e-6, "row " + id + " moved without its features");
        }
        decoded += x.entries();
        assertThrows(IllegalStateException.class, () -> batch.features(CPU));
      }
    }
    assertEquals(11, seen.size());
    assertEquals(entries, decoded, "zeros of dense vectors are left out");
    assertTrue(shuffled, "rows are shuffled within their batch");
  }

  @Test
  void aMillionColumnsStayExactAndTheBatchHoldsOnlyTheEntries() {
    int width = 1_000_000;
    List<Row> rows = List.of(
        RowFactory.create(0.0, Vectors.sparse(width, new int[] {0, 999_999}, new double[] {1, 2})),
        RowFactory.create(1.0, Vectors.sparse(width, new int[] {524_287, 16_777_215 % width}, new double[] {3, 4})));
    List<BatchSink.Batch> batches = encode(columns(width), rows, 64, -1);
    assertEquals(1, batches.size());
    assertTrue(batches.get(0).bytes() < 2_000, "a batch of two sparse rows of a million columns took " + batches.get(0).bytes()
        + " bytes");
    try (ArrowBatch batch = ArrowBatch.read(batches.get(0).ipc())) {
      CsrMatrix x = batch.sparseFeatures(CPU);
      float[] labels = batch.labels(CPU).toFloatArray();
      for (int i = 0; i < 2; i++) {
        float[] cols = x.columns().toFloatArray();
        float[] starts = x.rowStarts().toFloatArray();
        int[] expected = labels[i] == 0 ? new int[] {0, 999_999} : new int[] {524_287, 16_777_215 % width};
        assertEquals(expected[0], (int) cols[(int) starts[i]]);
        assertEquals(expected[1], (int) cols[(int) starts[i] + 1]);
      }
    }
  }

  @Test
  void aBatchEndsWhenItsEntriesReachTheBudget() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      rows.add(RowFactory.create((double) i, Vectors.sparse(6, new int[] {1, 4}, new double[] {i, -i})));
    }
    BatchSink sink = new BatchEncoder(columns(6), 100, true, 8 * 5).sink(0, 1);
    List<Integer> sizes = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      sink.add(rows.get(r), r);
      BatchSink.Batch b = sink.take();
      if (b != null) {
        sizes.add(b.rows());
      }
    }
    sizes.add(sink.finish().rows());
    assertEquals(List.of(3, 3, 1), sizes, "2 entries a row: a batch ends at the row that reaches 5");
  }

  @Test
  void badSparseRowsAreNamedByColumnRowAndPartition() {
    TrainingColumns c = columns(6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encode(c, List.of(
        RowFactory.create(0.0, Vectors.sparse(6, new int[] {1}, new double[] {1})),
        RowFactory.create(1.0, Vectors.sparse(6, new int[] {5}, new double[] {Double.NaN}))), 4, 1));
    assertEquals("Column 'features', row 1 of partition 0: NaN at index 5.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> encode(c, List.<Row>of(
        RowFactory.create(0.0, Vectors.sparse(7, new int[] {1}, new double[] {1}))), 4, 1));
    assertEquals("Column 'features', row 0 of partition 0: 7 values; the input layer expects 6.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> FeatureInput.sparse(InputColumn.features(new StructType().add("f", DataTypes.DoubleType), "f"), 1));
    assertEquals("Column 'f' holds numbers; a sparse input reads vectors, array<float> or array<double>.", e.getMessage());
    assertEquals(0, ArrowMemory.allocatedBytes(), "a rejected row frees the vectors");
    assertFalse(FeatureInput.flat(InputColumn.features(SCHEMA, "features"), 6).isSparse());
  }
}
