package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.testkit.SharedSpark;

/**
 * Spark's internal rows seen as Rows: every value as {@code Dataset.collect} gives it, vectors read
 * in place, and the batches encoded from them byte for byte those encoded from Rows.
 */
@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class InternalRowViewTest {
  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType()).add("name", DataTypes.StringType)
      .add("counts", DataTypes.createArrayType(DataTypes.IntegerType)).add("test", DataTypes.BooleanType);

  private static Dataset<Row> frame(SparkSession spark) {
    List<Row> rows = List.of(
        RowFactory.create(1.0, Vectors.dense(0.5, -1.5, 2.5, 3.0), "a", new int[] {1, 2}, false),
        RowFactory.create(2.0, Vectors.sparse(4, new int[] {1, 3}, new double[] {7.0, -8.0}), null, new int[] {}, true),
        RowFactory.create(null, null, "c", null, false),
        RowFactory.create(4.0, Vectors.dense(1e300, Double.NaN, -0.0, Double.NEGATIVE_INFINITY), "d", new int[] {3}, true));
    // a projection after the cache, so that the rows come from Spark's generated code, as in a fit
    return spark.createDataFrame(rows, SCHEMA).cache().select("label", "features", "name", "counts", "test");
  }

  private static List<Row> throughViews(Dataset<Row> df, java.util.function.Function<Row, Row> keep) {
    List<Row> out = new ArrayList<>();
    StructType schema = df.schema();
    // the internal rows of a partition may be one object, refilled: copied before they are collected
    for (InternalRow r : df.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect()) {
      Iterator<Row> it = InternalRowView.over(schema, List.of(r).iterator());
      out.add(keep.apply(it.next()));
    }
    return out;
  }

  @Test
  void everyValueIsTheOneCollectGives(SparkSession spark) {
    Dataset<Row> df = frame(spark);
    List<Row> expected = df.collectAsList();
    List<Row> copies = throughViews(df, Row::copy);
    assertEquals(expected.size(), copies.size());
    for (int r = 0; r < expected.size(); r++) {
      for (int i = 0; i < SCHEMA.size(); i++) {
        assertEquals(expected.get(r).isNullAt(i), copies.get(r).isNullAt(i), "row " + r + ", column " + i);
        assertEquals(expected.get(r).get(i), copies.get(r).get(i), "row " + r + ", column " + i);
      }
    }
  }

  @Test
  void vectorsAreReadInPlace(SparkSession spark) {
    Dataset<Row> df = frame(spark);
    List<Object[]> seen = throughViews(df, row -> {
      InternalRowView v = (InternalRowView) row;
      assertTrue(v.isVector(1));
      assertFalse(v.isVector(0));
      assertEquals("Column 'label' holds double, not vectors.",
          assertThrows(IllegalArgumentException.class, () -> v.vectorValues(0)).getMessage());
      if (v.isNullAt(1)) {
        return RowFactory.create(null, null, null);
      }
      boolean dense = v.vectorIndices(1) == null;
      double[] values = dense ? java.util.Arrays.copyOf(v.denseValues(1), v.vectorSize(1)) : v.vectorValues(1).toDoubleArray();
      return RowFactory.create(v.vectorSize(1), values, dense ? null : v.vectorIndices(1).toIntArray());
    }).stream().map(r -> new Object[] {r.get(0), r.get(1), r.get(2)}).toList();

    assertEquals(4, seen.get(0)[0]);
    assertArrayEquals(new double[] {0.5, -1.5, 2.5, 3.0}, (double[]) seen.get(0)[1]);
    assertNull(seen.get(0)[2]);
    assertEquals(4, seen.get(1)[0]);
    assertArrayEquals(new double[] {7.0, -8.0}, (double[]) seen.get(1)[1]);
    assertArrayEquals(new int[] {1, 3}, (int[]) seen.get(1)[2]);
    assertNull(seen.get(2)[0]);
    // bits kept: NaN, signed zero, infinities
    assertArrayEquals(new double[] {1e300, Double.NaN, -0.0, Double.NEGATIVE_INFINITY}, (double[]) seen.get(3)[1]);
  }

  @Test
  void aRowsDenseValuesAreCopiedOnceAndFollowTheIterator(SparkSession spark) {
    Dataset<Row> df = frame(spark);
    List<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect();
    Iterator<Row> it = InternalRowView.over(df.schema(), rows.iterator());
    InternalRowView v = (InternalRowView) it.next();
    double[] first = v.denseValues(1);
    // a second reader of the same row gets the same copy, not another one
    assertTrue(first == v.denseValues(1));
    assertArrayEquals(new double[] {0.5, -1.5, 2.5, 3.0}, java.util.Arrays.copyOf(first, 4));
    it.next();
    assertEquals("Column 'features' holds a sparse vector in this row; read its active values with vectorValues and"
        + " vectorIndices.", assertThrows(IllegalArgumentException.class, () -> v.denseValues(1)).getMessage());
    it.next();
    it.next();
    double[] fourth = v.denseValues(1);
    assertArrayEquals(new double[] {1e300, Double.NaN, -0.0, Double.NEGATIVE_INFINITY}, java.util.Arrays.copyOf(fourth, 4));
  }

  @Test
  void batchesEncodedFromInternalRowsAreTheBytesEncodedFromRows(SparkSession spark) {
    Dataset<Row> df = frame(spark).na().drop(new String[] {"label", "features"});
    TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", 4, "label", null);
    // validation off: the NaN row is encoded as it is by both
    BatchEncoder encoder = new BatchEncoder(cols, 2, false);
    List<byte[]> fromInternal = encoder.encode(df.coalesce(1)).collect();
    List<byte[]> fromRows = new ArrayList<>();
    encoder.encode(df.coalesce(1).collectAsList().iterator(), 0).forEachRemaining(fromRows::add);
    assertEquals(fromRows.size(), fromInternal.size());
    for (int b = 0; b < fromRows.size(); b++) {
      assertArrayEquals(fromRows.get(b), fromInternal.get(b), "batch " + b);
    }
    // with validation on, the bad row is named alike
    BatchEncoder checking = new BatchEncoder(cols, 2, true);
    String fromRowsError = assertThrows(IllegalArgumentException.class,
        () -> checking.encode(df.coalesce(1).collectAsList().iterator(), 0).forEachRemaining(b -> { })).getMessage();
    Exception fromInternalError = assertThrows(Exception.class, () -> checking.encode(df.coalesce(1)).collect());
    assertTrue(String.valueOf(fromInternalError.getMessage()).contains(fromRowsError), fromInternalError.getMessage());
    assertEquals("Column 'features', row 2 of partition 0: 1.0E300 at index 0 does not fit in float32.", fromRowsError);
  }
}
