package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class BatchEncoderTest {
  private static final int WIDTH = 3;
  private static final CpuBackend CPU = new CpuBackend(1);

  /** Row r has label r, weight r / 2 and features r * 10 + j (sparse: only index r % 3, value r + 1). */
  static Object featureValue(String kind, int r) {
    return switch (kind) {
      case "dense" -> Vectors.dense(r * 10, r * 10 + 1, r * 10 + 2);
      case "sparse" -> Vectors.sparse(WIDTH, new int[] {r % WIDTH}, new double[] {r + 1});
      case "floats" -> new float[] {r * 10f, r * 10f + 1, r * 10f + 2};
      default -> new double[] {r * 10.0, r * 10.0 + 1, r * 10.0 + 2};
    };
  }

  static float[] expectedFeatures(String kind, int r) {
    if (kind.equals("sparse")) {
      float[] f = new float[WIDTH];
      f[r % WIDTH] = r + 1;
      return f;
    }
    return new float[] {r * 10, r * 10 + 1, r * 10 + 2};
  }

  static DataType featureType(String kind) {
    return switch (kind) {
      case "dense", "sparse" -> SQLDataTypes.VectorType();
      case "floats" -> DataTypes.createArrayType(DataTypes.FloatType, false);
      default -> DataTypes.createArrayType(DataTypes.DoubleType, false);
    };
  }

  /** Ten rows over three partitions (3, 3, 4), then rows 0-2 filtered out so that partition 0 is empty. */
  static Dataset<Row> frame(SparkSession spark, String kind) {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", featureType(kind))
        .add("weight", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      rows.add(RowFactory.create((double) r, featureValue(kind, r), r / 2.0));
    }
    return spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 3), schema).filter("label >= 3");
  }

  @ParameterizedTest
  @CsvSource({"dense,true", "sparse,false", "floats,true", "doubles,false"})
  void roundTripsEveryFeatureTypeWithLabelsAndWeights(String kind, boolean validate, SparkSession spark) {
    Dataset<Row> df = frame(spark, kind);
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", WIDTH, "label", "weight");
    List<byte[]> batches = new BatchEncoder(cols, 2, validate).encode(df).collect();

    // partition 0 is empty; partition 1 holds rows 3-5, partition 2 rows 6-9, in batches of 2
    int[][] expected = {{1, 0, 3, 4}, {1, 2, 5}, {2, 0, 6, 7}, {2, 2, 8, 9}};
    assertEquals(expected.length, batches.size());
    for (int b = 0; b < expected.length; b++) {
      try (ArrowBatch batch = ArrowBatch.read(batches.get(b))) {
        int rows = expected[b].length - 2;
        assertEquals(expected[b][0], batch.partition());
        assertEquals(expected[b][1], batch.firstRow());
        assertEquals(rows, batch.rows());
        assertEquals(WIDTH, batch.featureWidth());
        assertTrue(batch.hasWeights());
        assertFalse(batch.vectorTarget());
        float[] x = new float[rows * WIDTH];
        float[] y = new float[rows];
        float[] w = new float[rows];
        for (int i = 0; i < rows; i++) {
          int r = expected[b][i + 2];
          System.arraycopy(expectedFeatures(kind, r), 0, x, i * WIDTH, WIDTH);
          y[i] = r;
          w[i] = r / 2f;
        }
        assertEquals(Shape.of(rows, WIDTH), batch.features(CPU).shape());
        assertArrayEquals(x, batch.features(CPU).toFloatArray());
        assertEquals(Shape.of(rows), batch.labels(CPU).shape());
        assertArrayEquals(y, batch.labels(CPU).toFloatArray());
        assertArrayEquals(w, batch.weights(CPU).toFloatArray());
      }
    }
  }

  @Test
  void encodesNumericFeaturesAndVectorTargets(SparkSession spark) {
    StructType schema = new StructType().add("x", DataTypes.IntegerType)
        .add("y", DataTypes.createArrayType(DataTypes.DoubleType, false));
    List<Row> rows = List.of(RowFactory.create(1, new double[] {0.5, 1.5}), RowFactory.create(2, new double[] {2.5, 3.5}),
        RowFactory.create(3, new double[] {4.5, 5.5}));
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 1), schema);
    TrainingColumns cols = TrainingColumns.forTarget(df.schema(), "x", 1, "y", 2, null);
    List<byte[]> batches = new BatchEncoder(cols, 8, true).encode(df).collect();
    assertEquals(1, batches.size());
    try (ArrowBatch batch = ArrowBatch.read(batches.get(0))) {
      assertFalse(batch.hasWeights());
      assertTrue(batch.vectorTarget());
      assertEquals(2, batch.targetWidth());
      assertEquals(Shape.of(3, 1), batch.features(CPU).shape());
      assertArrayEquals(new float[] {1, 2, 3}, batch.features(CPU).toFloatArray());
      assertEquals(Shape.of(3, 2), batch.labels(CPU).shape());
      assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, batch.labels(CPU).toFloatArray());
      assertEquals("This batch has no weights; its encoder was given no weight column.",
          assertThrows(IllegalStateException.class, () -> batch.weights(CPU)).getMessage());
    }
  }

  @Test
  void tensorsViewTheArrowBuffersWithoutCopying(SparkSession spark) {
    Dataset<Row> df = frame(spark, "dense");
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", WIDTH, "label", "weight");
    byte[] bytes = new BatchEncoder(cols, 4, true).encode(df).collect().get(0);
    try (ArrowBatch batch = ArrowBatch.read(bytes)) {
      Tensor x = batch.features(CPU);
      assertEquals(batch.featureValues().getDataBuffer().memoryAddress(), x.address());
      assertEquals(batch.labelValues().getDataBuffer().memoryAddress(), batch.labels(CPU).address());
      assertEquals(batch.weightValues().getDataBuffer().memoryAddress(), batch.weights(CPU).address());
      assertFalse(x.isOwner());
      // a write through the tensor is a write into the Arrow vector
      x.copyFrom(new float[] {-1, -2, -3, -4, -5, -6, -7, -8, -9});
      Float4Vector arrow = batch.featureValues();
      assertEquals(-1f, arrow.get(0));
      assertEquals(-9f, arrow.get(8));
    }
  }

  @Test
  void tensorsCannotBeUsedAfterTheBatchCloses(SparkSession spark) {
    Dataset<Row> df = frame(spark, "dense");
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", WIDTH, "label", null);
    ArrowBatch batch = ArrowBatch.read(new BatchEncoder(cols, 4, true).encode(df).collect().get(0));
    Tensor x = batch.features(CPU);
    Tensor view = x.reshape(-1);
    batch.close();
    batch.close();
    assertEquals("Tensor memory was already freed (used after close).",
        assertThrows(IllegalStateException.class, x::toFloatArray).getMessage());
    assertEquals("Tensor memory was already freed (used after close).",
        assertThrows(IllegalStateException.class, view::toFloatArray).getMessage());
    assertEquals("This Arrow batch is closed; its memory was freed.",
        assertThrows(IllegalStateException.class, () -> batch.labels(CPU)).getMessage());
  }

  @Test
  void emptyPartitionGivesNoBatchesAndAllocatesNothing() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    TrainingColumns cols = TrainingColumns.forLabel(schema, "features", WIDTH, "label", null);
    Iterator<byte[]> it = new BatchEncoder(cols, 4, true).encode(Collections.emptyIterator(), 7);
    assertFalse(it.hasNext());
    assertEquals(0, ArrowMemory.allocatedBytes());
  }

  @Test
  void freesItsVectorsOnceThePartitionIsConsumed() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    TrainingColumns cols = TrainingColumns.forLabel(schema, "features", WIDTH, "label", null);
    List<Row> rows = List.of(RowFactory.create(1.0, Vectors.dense(1, 2, 3)), RowFactory.create(0.0, Vectors.dense(4, 5, 6)));
    Iterator<byte[]> it = new BatchEncoder(cols, 1, true).encode(rows.iterator(), 0);
    it.next();
    assertTrue(ArrowMemory.allocatedBytes() > 0, "vectors are reused across batches");
    it.next();
    assertFalse(it.hasNext());
    assertEquals(0, ArrowMemory.allocatedBytes());
  }

  @Test
  void rejectsArrowStreamsThatAreNotTrainingBatches() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator a = ArrowMemory.newChild("foreign");
        Float4Vector v = new Float4Vector("features", a);
        VectorSchemaRoot root = VectorSchemaRoot.of(v);
        ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
      v.allocateNew(1);
      v.set(0, 1f);
      root.setRowCount(1);
      w.start();
      w.writeBatch();
      w.end();
    }
    assertEquals("The Arrow stream is not a spark-dl training batch: its schema has no 'sparkdl.layout' metadata.",
        assertThrows(IllegalArgumentException.class, () -> ArrowBatch.read(out.toByteArray())).getMessage());
    IllegalArgumentException garbage = assertThrows(IllegalArgumentException.class, () -> ArrowBatch.read(new byte[] {1, 2, 3}));
    assertEquals("Cannot read an Arrow training batch from 3 bytes: Unexpected end of input. Missing schema.", garbage.getMessage());
  }

  @Test
  void runningOutOfArrowMemoryIsAMemoryErrorNotABadBatch(SparkSession spark) {
    Dataset<Row> df = frame(spark, "dense");
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", WIDTH, "label", null);
    byte[] bytes = new BatchEncoder(cols, 4, true).encode(df).collect().get(0);
    try (BufferAllocator small = new org.apache.arrow.memory.RootAllocator(64)) {
      // not wrapped as a malformed batch: Spark would find the allocator's OutOfMemoryError among the causes and end the executor
      assertThrows(org.apache.arrow.memory.OutOfMemoryException.class, () -> ArrowBatch.read(List.of(bytes), small));
      assertEquals(0, small.getAllocatedMemory());
    }
    try (ArrowBatch batch = ArrowBatch.read(List.of(bytes))) {
      assertTrue(batch.rows() > 0);
    }
  }

  @Test
  void rejectsBatchesTooLargeForOneBuffer() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    TrainingColumns cols = TrainingColumns.forLabel(schema, "features", 1 << 20, "label", null);
    assertEquals("A batch of 1024 rows of 1048576 features takes 4294967296 bytes; a column of one batch must fit in 2 GiB."
        + " Use a smaller batch size.", assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 1024, true)).getMessage());
    assertEquals("Batch size must be >= 1, found 0.",
        assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 0, true)).getMessage());
  }
}
