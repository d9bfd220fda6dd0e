package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.Shape;
import org.sparkdl.testkit.SharedSpark;

/** Sequences of steps and token ids, padded to the input shape, with each row's length; and every bad sequence. */
@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class SequenceInputTest {
  private static final CpuBackend CPU = new CpuBackend(1);
  private static final DataType STEPS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType));
  private static final DataType WIDE_STEPS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType));
  private static final DataType INTS = DataTypes.createArrayType(DataTypes.IntegerType);
  private static final DataType LONGS = DataTypes.createArrayType(DataTypes.LongType);

  static StructType schema(DataType features) {
    return new StructType().add("label", DataTypes.DoubleType).add("seq", features);
  }

  static TrainingColumns columns(DataType type, List<Integer> shape, boolean lengths) {
    StructType s = schema(type);
    return TrainingColumns.forLabel(s, FeatureInput.resolve(s, "seq", shape, lengths, null, null), "label", null);
  }

  /** Encodes {@code rows} through a local[2] DataFrame in one partition and returns its single batch. */
  static byte[] throughSpark(SparkSession spark, DataType type, List<Integer> shape, List<Row> rows) {
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 1), schema(type));
    List<byte[]> batches = new BatchEncoder(columns(type, shape, true), 16, true).encode(df).collect();
    assertEquals(1, batches.size());
    return batches.get(0);
  }

  /** The message a single bad row fails with, encoded outside Spark as partition 0. */
  static String failure(DataType type, List<Integer> shape, boolean validate, Object seq) {
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(0.0, seq));
    Iterator<byte[]> it = new BatchEncoder(columns(type, shape, true), 4, validate).encode(rows.iterator(), 0);
    return assertThrows(IllegalArgumentException.class, it::next).getMessage();
  }

  @Test
  void stepsArePaddedToTheInputShapeWithTheirLengths(SparkSession spark) {
    List<Row> rows = List.of(RowFactory.create(1.0, new float[][] {{1, 2}, {3, 4}, {5, 6}}),
        RowFactory.create(0.0, new float[][] {{7, 8}}), RowFactory.create(1.0, new float[][] {{9, 10}, {11, 12}, {13, 14}, {15, 16}}));
    try (ArrowBatch batch = ArrowBatch.read(throughSpark(spark, STEPS, List.of(4, 2), rows))) {
      assertEquals(8, batch.featureWidth());
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 0, 0, 0, 0, 0, 0, 9, 10, 11, 12, 13, 14, 15, 16},
          batch.features(CPU).toFloatArray());
      assertTrue(batch.hasLengths());
      assertEquals(Shape.of(3, 1), batch.lengths(CPU).shape());
      assertArrayEquals(new float[] {3, 1, 4}, batch.lengths(CPU).toFloatArray());
      assertArrayEquals(new float[] {1, 0, 1}, batch.labels(CPU).toFloatArray());
    }
  }

  @Test
  void doubleStepsAreReadAsFloats(SparkSession spark) {
    List<Row> rows = List.of(RowFactory.create(0.0, new double[][] {{0.5}, {-1.5}}));
    try (ArrowBatch batch = ArrowBatch.read(throughSpark(spark, WIDE_STEPS, List.of(3, 1), rows))) {
      assertArrayEquals(new float[] {0.5f, -1.5f, 0}, batch.features(CPU).toFloatArray());
      assertArrayEquals(new float[] {2}, batch.lengths(CPU).toFloatArray());
    }
  }

  @Test
  void tokenIdsArePaddedWithTheirLengths(SparkSession spark) {
    List<Row> ints = List.of(RowFactory.create(0.0, new int[] {4, 0, 7}), RowFactory.create(1.0, new int[] {16777216}));
    try (ArrowBatch batch = ArrowBatch.read(throughSpark(spark, INTS, List.of(5), ints))) {
      assertEquals(Shape.of(2, 5), batch.features(CPU).shape());
      assertArrayEquals(new float[] {4, 0, 7, 0, 0, 16777216, 0, 0, 0, 0}, batch.features(CPU).toFloatArray());
      assertArrayEquals(new float[] {3, 1}, batch.lengths(CPU).toFloatArray());
    }
    List<Row> longs = List.of(RowFactory.create(0.0, new long[] {1, 2, 3, 4, 5}));
    try (ArrowBatch batch = ArrowBatch.read(throughSpark(spark, LONGS, List.of(5), longs))) {
      assertArrayEquals(new float[] {1, 2, 3, 4, 5}, batch.features(CPU).toFloatArray());
      assertArrayEquals(new float[] {5}, batch.lengths(CPU).toFloatArray());
    }
  }

  @Test
  void withoutALengthsInputTheBatchHasNone() {
    StructType s = schema(STEPS);
    TrainingColumns cols = TrainingColumns.forLabel(s, FeatureInput.resolve(s, "seq", List.of(2, 1), false, null, null), "label", null);
    Iterator<byte[]> it = new BatchEncoder(cols, 4, true).encode(List.of(RowFactory.create(0.0, new float[][] {{3}})).iterator(), 0);
    try (ArrowBatch batch = ArrowBatch.read(it.next())) {
      assertFalse(batch.hasLengths());
      assertArrayEquals(new float[] {3, 0}, batch.features(CPU).toFloatArray());
      assertEquals("This batch has no lengths; its features are not sequences read for a 'lengths' input.",
          assertThrows(IllegalStateException.class, () -> batch.lengths(CPU)).getMessage());
    }
  }

  @Test
  void rejectsSequencesThatAreEmptyTooLongOrNull() {
    List<Integer> shape = List.of(4, 2);
    assertEquals("Column 'seq', row 0 of partition 0: 5 steps; the input holds at most 4 (shape [4, 2]).",
        failure(STEPS, shape, true, new float[][] {{1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}));
    assertEquals("Column 'seq', row 0 of partition 0: an empty sequence; expected 1 to 4 steps.",
        failure(STEPS, shape, true, new float[0][]));
    assertEquals("Column 'seq', row 0 of partition 0: null; expected a sequence of 1 to 4 steps of 2 values.",
        failure(STEPS, shape, false, null));
    assertEquals("Column 'seq', row 0 of partition 0: null; expected a sequence of 1 to 4 steps of 1 value.",
        failure(STEPS, List.of(4, 1), false, null));
  }

  @Test
  void rejectsStepsOfAnotherWidthAndNullStepsOrValues() {
    List<Integer> shape = List.of(4, 2);
    assertEquals("Column 'seq', row 0 of partition 0: step 1 has 3 values; the input expects 2 (shape [4, 2]).",
        failure(STEPS, shape, false, new float[][] {{1, 2}, {1, 2, 3}}));
    assertEquals("Column 'seq', row 0 of partition 0: step 0 has 1 value; the input expects 2 (shape [4, 2]).",
        failure(STEPS, shape, false, new float[][] {{1}}));
    assertEquals("Column 'seq', row 0 of partition 0: step 1 is null.",
        failure(STEPS, shape, false, Arrays.asList(List.of(1f, 2f), null)));
    assertEquals("Column 'seq', row 0 of partition 0: null at step 0, index 1.",
        failure(STEPS, shape, false, List.of(Arrays.asList(1f, null))));
  }

  @Test
  void checksStepValuesOnlyWhenValidating() {
    List<Integer> shape = List.of(2, 2);
    assertEquals("Column 'seq', row 0 of partition 0: NaN at step 1, index 0.",
        failure(STEPS, shape, true, new float[][] {{1, 2}, {Float.NaN, 0}}));
    assertEquals("Column 'seq', row 0 of partition 0: 1.0E300 at step 0, index 1 does not fit in float32.",
        failure(WIDE_STEPS, shape, true, new double[][] {{0, 1e300}}));
    Iterator<byte[]> it = new BatchEncoder(columns(STEPS, shape, true), 4, false)
        .encode(List.of(RowFactory.create(0.0, new float[][] {{Float.NaN, 1}})).iterator(), 0);
    try (ArrowBatch batch = ArrowBatch.read(it.next())) {
      assertArrayEquals(new float[] {Float.NaN, 1, 0, 0}, batch.features(CPU).toFloatArray());
    }
  }

  @Test
  void rejectsTokenIdsThatAreNullNegativeOrBeyondFloat32() {
    List<Integer> shape = List.of(5);
    assertEquals("Column 'seq', row 0 of partition 0: null; expected a sequence of 1 to 5 token ids.",
        failure(INTS, shape, true, null));
    assertEquals("Column 'seq', row 0 of partition 0: an empty sequence; expected 1 to 5 token ids.",
        failure(INTS, shape, true, new int[0]));
    assertEquals("Column 'seq', row 0 of partition 0: 6 token ids; the input holds at most 5 (shape [5]).",
        failure(INTS, shape, true, new int[6]));
    assertEquals("Column 'seq', row 0 of partition 0: null at index 2.", failure(INTS, shape, false, Arrays.asList(1, 2, null)));
    assertEquals("Column 'seq', row 0 of partition 0: token id -1 at index 0 is negative.",
        failure(INTS, shape, false, new int[] {-1}));
    assertEquals("Column 'seq', row 0 of partition 0: token id 16777217 at index 1 exceeds 16777216, the largest float32"
        + " holds exactly.", failure(LONGS, shape, false, new long[] {3, 16777217L}));
  }

  @Test
  void aBadSequenceFailsTheSparkTaskWithItsRow(SparkSession spark) {
    List<Row> rows = List.of(RowFactory.create(0.0, new int[] {1}), RowFactory.create(0.0, new int[] {1, 2, 3}));
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 1), schema(INTS));
    Exception e = assertThrows(Exception.class, () -> new BatchEncoder(columns(INTS, List.of(2), true), 4, true).encode(df).count());
    assertEquals("Column 'seq', row 1 of partition 0: 3 token ids; the input holds at most 2 (shape [2]).",
        ValidationTest.rootArgumentError(e).getMessage());
  }

  @Test
  void theScorerHandsEachRowsLengthToTheFunction() {
    StructType s = new StructType().add("seq", INTS);
    FeatureInput f = FeatureInput.resolve(s, "seq", List.of(3), true, null, null);
    BatchScorer scorer = new BatchScorer(f, 4, 2, true, PredictionColumns.vector("out"));
    BatchFunction echo = new BatchFunction() {
      @Override
      public void apply(org.sparkdl.tensor.Tensor x, org.sparkdl.tensor.Tensor y) {
        throw new AssertionError("the scorer gives lengths");
      }

      @Override
      public void apply(org.sparkdl.tensor.Tensor x, org.sparkdl.tensor.Tensor lengths, org.sparkdl.tensor.Tensor y) {
        CPU.copy(x, y.slice(1, 0, 3));
        CPU.copy(lengths, y.slice(1, 3, 4));
      }
    };
    List<Row> rows = List.of(RowFactory.create((Object) new int[] {5, 6}), RowFactory.create((Object) new int[] {7, 8, 9}),
        RowFactory.create((Object) new int[] {1}));
    List<double[]> out = new ArrayList<>();
    scorer.score(rows.iterator(), CPU, echo, 0).forEachRemaining(r -> out.add(((Vector) r.get(1)).toArray()));
    assertArrayEquals(new double[] {5, 6, 0, 2}, out.get(0));
    assertArrayEquals(new double[] {7, 8, 9, 3}, out.get(1));
    assertArrayEquals(new double[] {1, 0, 0, 1}, out.get(2));
    BatchFunction featuresOnly = (x, y) -> CPU.copy(x, y.slice(1, 0, 3));
    assertEquals("This batch function reads features only; the scorer gives sequence lengths too. Override"
        + " apply(features, lengths, output).", assertThrows(IllegalStateException.class,
            () -> scorer.score(rows.iterator(), CPU, featuresOnly, 0).next()).getMessage());
  }
}
