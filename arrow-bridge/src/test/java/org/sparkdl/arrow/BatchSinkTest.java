package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;

/** Rows pushed into a sink come out in batches of at most the batch size, each a shuffle of its own window. */
@ExtendWith(NoArrowLeaks.class)
class BatchSinkTest {
  private static final CpuBackend CPU = new CpuBackend(1);
  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType());
  private static final TrainingColumns COLUMNS = TrainingColumns.forLabel(SCHEMA, "features", 2, "label", null);

  /** Labels of each batch, after checking that every row's features are (label, -label). */
  private static List<int[]> encode(int rows, int batchSize, long seed) {
    BatchSink sink = new BatchEncoder(COLUMNS, batchSize, true).sink(3, seed);
    List<BatchSink.Batch> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      sink.add(RowFactory.create((double) r, Vectors.dense(r, -r)), r);
      BatchSink.Batch full = sink.take();
      if (full != null) {
        out.add(full);
        assertEquals(batchSize, full.rows(), "handed over as soon as it is full");
        assertEquals(null, sink.take(), "once");
      }
    }
    BatchSink.Batch last = sink.finish();
    if (last != null) {
      out.add(last);
    }
    assertEquals(0, ArrowMemory.allocatedBytes(), "finish frees the vectors");
    List<int[]> labels = new ArrayList<>();
    for (int b = 0; b < out.size(); b++) {
      assertEquals(b, out.get(b).index());
      try (ArrowBatch batch = ArrowBatch.read(out.get(b).ipc())) {
        assertEquals(out.get(b).rows(), batch.rows());
        assertEquals(3, batch.partition());
        float[] y = batch.labels(CPU).toFloatArray();
        float[] x = batch.features(CPU).toFloatArray();
        int[] l = new int[y.length];
        for (int i = 0; i < y.length; i++) {
          l[i] = (int) y[i];
          assertEquals(y[i], x[2 * i], "the features moved with their label");
          assertEquals(0f - y[i], x[2 * i + 1]);
        }
        labels.add(l);
      }
    }
    return labels;
  }

  @Test
  void aBatchOverOnePartComesInFullPartsThatReadBackAsTheWholeStream() {
    int rows = 2_000;
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    TrainingColumns wide = TrainingColumns.forLabel(schema, "features", 300, "label", null);
    BatchSink sink = new BatchEncoder(wide, rows, true).sink(0, 7);
    double[] x = new double[300];
    for (int r = 0; r < rows; r++) {
      x[r % 300] = r;
      sink.add(RowFactory.create((double) r, Vectors.dense(x)), r);
    }
    BatchSink.Batch b = sink.take();
    assertEquals(null, sink.finish());
    byte[][] parts = b.parts();
    assertTrue(parts.length >= 3, "2,000 rows of 300 floats are over two parts: " + parts.length);
    for (int i = 0; i < parts.length - 1; i++) {
      assertEquals(Parts.PART_BYTES, parts[i].length, "every part but the last is full");
    }
    assertTrue(parts[parts.length - 1].length > 0 && parts[parts.length - 1].length <= Parts.PART_BYTES);
    assertEquals(b.bytes(), b.ipc().length);
    try (ArrowBatch fromParts = ArrowBatch.read(Arrays.asList(parts)); ArrowBatch whole = ArrowBatch.read(b.ipc())) {
      assertEquals(rows, fromParts.rows());
      assertArrayEquals(whole.features(CPU).toFloatArray(), fromParts.features(CPU).toFloatArray());
      assertArrayEquals(whole.labels(CPU).toFloatArray(), fromParts.labels(CPU).toFloatArray());
    }
  }

  @Test
  void partsKeepEveryByteWrittenInAnyPieces() {
    Parts out = new Parts();
    byte[] all = new byte[3 * Parts.PART_BYTES + 17];
    new java.util.Random(3).nextBytes(all);
    int at = 0;
    java.util.Random sizes = new java.util.Random(5);
    while (at < all.length) {
      if (sizes.nextInt(10) == 0) {
        out.write(all[at++]);
      } else {
        int n = Math.min(all.length - at, sizes.nextInt(300_000));
        out.write(all, at, n);
        at += n;
      }
    }
    byte[][] parts = out.toParts();
    assertEquals(4, parts.length);
    assertEquals(17, parts[3].length);
    assertArrayEquals(all, Parts.join(parts));
    assertEquals(0, new Parts().toParts().length, "nothing written, no parts");
  }

  @Test
  void eachBatchIsAShuffleOfItsOwnWindowOfInputRows() {
    List<int[]> batches = encode(10, 4, 42);
    assertEquals(3, batches.size());
    for (int b = 0; b < 3; b++) {
      int[] sorted = batches.get(b).clone();
      Arrays.sort(sorted);
      int from = 4 * b;
      assertArrayEquals(java.util.stream.IntStream.range(from, Math.min(10, from + 4)).toArray(), sorted);
    }
  }

  @Test
  void theOrderIsSeededAndGrowsPastTheFirstAllocation() {
    int rows = 3 * BatchSink.FIRST_CAPACITY + 17;   // two doublings of the vectors inside one batch
    int[] a = encode(rows, 10_000, 7).get(0);
    assertArrayEquals(a, encode(rows, 10_000, 7).get(0), "same seed, same order");
    assertNotEquals(Arrays.toString(a), Arrays.toString(encode(rows, 10_000, 8).get(0)), "another seed, another order");
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    assertArrayEquals(java.util.stream.IntStream.range(0, rows).toArray(), sorted, "a permutation of the rows");
    int inPlace = 0;
    for (int i = 0; i < rows; i++) {
      inPlace += a[i] == i ? 1 : 0;
    }
    assertTrue(inPlace < 20, inPlace + " rows stayed where they were; a uniform shuffle leaves about one");
  }

  @Test
  void aBadRowNamesItsPositionAndFreesTheVectors() {
    BatchSink sink = new BatchEncoder(COLUMNS, 4, true).sink(1, 0);
    sink.add(RowFactory.create(0.0, Vectors.dense(1, 2)), 0);
    assertTrue(ArrowMemory.allocatedBytes() > 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sink.add(RowFactory.create(1.0, Vectors.dense(1, Double.NaN)), 5));
    assertEquals("Column 'features', row 5 of partition 1: NaN at index 1.", e.getMessage());
    assertEquals(0, ArrowMemory.allocatedBytes());
    assertThrows(IllegalStateException.class, () -> sink.add(RowFactory.create(0.0, Vectors.dense(1, 2)), 6));
  }

  @Test
  void anEmptySinkGivesNoBatchesAndAllocatesNothing() {
    BatchSink sink = new BatchEncoder(COLUMNS, 4, true).sink(0, 0);
    assertEquals(null, sink.finish());
    assertEquals(0, ArrowMemory.allocatedBytes());
  }
}
