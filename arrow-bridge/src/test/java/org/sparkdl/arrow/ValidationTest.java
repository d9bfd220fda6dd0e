package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.testkit.SharedSpark;

/** The validating pass: every message, with its row and partition, as the user sees it. */
@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class ValidationTest {
  private static final StructType VECTORS = new StructType().add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType()).add("weight", DataTypes.DoubleType);
  private static final StructType ARRAYS = new StructType().add("label", DataTypes.DoubleType)
      .add("features", DataTypes.createArrayType(DataTypes.DoubleType)).add("weight", DataTypes.DoubleType);

  /** Encodes every row of one partition and returns the message it fails with. */
  private static String failure(StructType schema, int width, int partition, boolean validate, List<Row> rows) {
    TrainingColumns cols = TrainingColumns.forLabel(schema, "features", width, "label", "weight");
    Iterator<byte[]> batches = new BatchEncoder(cols, 4, validate).encode(rows.iterator(), partition);
    return assertThrows(IllegalArgumentException.class, () -> batches.forEachRemaining(b -> { })).getMessage();
  }

  private static List<Row> good(int n, Object features) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create(1.0, features, 1.0));
    }
    return rows;
  }

  @Test
  void rejectsAVectorOfTheWrongSizeNamingRowAndPartition() {
    double[] values = new double[784];
    List<Row> rows = good(1204, Vectors.dense(values));
    rows.add(RowFactory.create(1.0, Vectors.dense(new double[783]), 1.0));
    assertEquals("Column 'features', row 1204 of partition 3: 783 values; the input layer expects 784.",
        failure(VECTORS, 784, 3, true, rows));
  }

  @Test
  void rejectsNullFeatures() {
    List<Row> rows = good(17, Vectors.dense(new double[784]));
    rows.add(RowFactory.create(1.0, null, 1.0));
    assertEquals("Column 'features', row 17 of partition 0: null; expected a vector of 784 values.",
        failure(VECTORS, 784, 0, true, rows));
    assertEquals("Column 'features', row 0 of partition 0: null; expected a vector of 1 value.",
        failure(VECTORS, 1, 0, true, List.of(RowFactory.create(1.0, null, 1.0))));
  }

  @Test
  void rejectsNaNAndNullLabels() {
    List<Row> rows = good(5, Vectors.dense(1, 2));
    rows.add(RowFactory.create(Double.NaN, Vectors.dense(1, 2), 1.0));
    assertEquals("Column 'label', row 5 of partition 1: NaN.", failure(VECTORS, 2, 1, true, rows));
    assertEquals("Column 'label', row 0 of partition 1: null; expected a number.",
        failure(VECTORS, 2, 1, true, List.of(RowFactory.create(null, Vectors.dense(1, 2), 1.0))));
  }

  @Test
  void rejectsNonFiniteFeaturesAndFloatOverflow() {
    assertEquals("Column 'features', row 0 of partition 0: Infinity at index 2.",
        failure(VECTORS, 3, 0, true, good(1, Vectors.dense(1, 2, Double.POSITIVE_INFINITY))));
    assertEquals("Column 'features', row 0 of partition 0: NaN at index 1.",
        failure(VECTORS, 3, 0, true, good(1, Vectors.sparse(3, new int[] {1}, new double[] {Double.NaN}))));
    assertEquals("Column 'features', row 0 of partition 0: 1.0E300 at index 1 does not fit in float32.",
        failure(ARRAYS, 2, 0, true, good(1, new double[] {0, 1e300})));
    assertEquals("Column 'features', row 0 of partition 0: -Infinity at index 0.",
        failure(ARRAYS, 2, 0, true, good(1, new float[] {Float.NEGATIVE_INFINITY, 0})));
  }

  @Test
  void rejectsNullElementsAndWrongLengthsOfArrays() {
    assertEquals("Column 'features', row 0 of partition 0: null at index 1.",
        failure(ARRAYS, 2, 0, true, good(1, Arrays.asList(1.0, null))));
    assertEquals("Column 'features', row 0 of partition 0: 3 values; the input layer expects 2.",
        failure(ARRAYS, 2, 0, false, good(1, new double[] {1, 2, 3})));
    assertEquals("Column 'features', row 0 of partition 0: 5 values; the input layer expects 3.",
        failure(VECTORS, 3, 0, false, good(1, Vectors.sparse(5, new int[] {4}, new double[] {1}))));
  }

  @Test
  void rejectsNegativeAndNullWeights() {
    List<Row> rows = good(2, Vectors.dense(1));
    rows.add(RowFactory.create(1.0, Vectors.dense(1), -1.0));
    assertEquals("Column 'weight', row 2 of partition 0: -1.0 is negative; weights must be >= 0.",
        failure(VECTORS, 1, 0, true, rows));
    assertEquals("Column 'weight', row 0 of partition 0: null; expected a number.",
        failure(VECTORS, 1, 0, false, List.of(RowFactory.create(1.0, Vectors.dense(1), null))));
  }

  @Test
  void rejectsVectorTargetsOfTheWrongSize() {
    StructType schema = new StructType().add("x", SQLDataTypes.VectorType()).add("y", SQLDataTypes.VectorType());
    TrainingColumns cols = TrainingColumns.forTarget(schema, "x", 1, "y", 2, null);
    Iterator<byte[]> it = new BatchEncoder(cols, 4, true).encode(List.of(RowFactory.create(Vectors.dense(1), Vectors.dense(1))).iterator(), 2);
    assertEquals("Column 'y', row 0 of partition 2: 1 value; the output layer expects 2.",
        assertThrows(IllegalArgumentException.class, it::next).getMessage());
  }

  @Test
  void withValidationOffValuesPassThroughUnchecked() {
    StructType schema = VECTORS;
    TrainingColumns cols = TrainingColumns.forLabel(schema, "features", 2, "label", "weight");
    List<Row> rows = List.of(RowFactory.create(Double.NaN, Vectors.dense(Double.POSITIVE_INFINITY, 1e300), -2.0));
    Iterator<byte[]> batches = new BatchEncoder(cols, 4, false).encode(rows.iterator(), 0);
    byte[] bytes = batches.next();
    assertFalse(batches.hasNext());
    CpuBackend cpu = new CpuBackend(1);
    try (ArrowBatch batch = ArrowBatch.read(bytes)) {
      assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}, batch.features(cpu).toFloatArray());
      assertArrayEquals(new float[] {Float.NaN}, batch.labels(cpu).toFloatArray());
      assertArrayEquals(new float[] {-2f}, batch.weights(cpu).toFloatArray());
    }
  }

  @Test
  void aBadRowFailsTheSparkTaskWithTheSameMessage(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 6; r++) {
      Vector v = r == 5 ? Vectors.dense(Double.NaN, 0) : Vectors.dense(r, 0);
      rows.add(RowFactory.create((double) r, v, 1.0));
    }
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 2), VECTORS);
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", 2, "label", null);
    Exception e = assertThrows(Exception.class, () -> new BatchEncoder(cols, 2, true).encode(df).count());
    assertInstanceOf(SparkException.class, e);
    assertEquals("Column 'features', row 2 of partition 1: NaN at index 0.", rootArgumentError(e).getMessage());
  }

  /** The IllegalArgumentException a Spark job failure carries in its cause chain. */
  static IllegalArgumentException rootArgumentError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException iae) {
        return iae;
      }
    }
    throw new AssertionError("No IllegalArgumentException in the cause chain of " + e, e);
  }
}
