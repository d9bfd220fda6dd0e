package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class BatchScorerTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType).add("name", DataTypes.StringType)
      .add("features", SQLDataTypes.VectorType());

  /** Row i: features [i, 2i, 0, -i] (every third row stored sparse). */
  static Vector features(int i) {
    return i % 3 == 0 ? Vectors.sparse(4, new int[] {0, 1, 3}, new double[] {i, 2 * i, -i}) : Vectors.dense(i, 2 * i, 0, -i);
  }

  /** Output per row: [sum of features, max of features], computed by the CPU backend on the borrowed tensors. */
  static BatchFunction sumAndMax(CpuBackend cpu) {
    return (x, y) -> {
      cpu.reduce(ReduceOp.SUM, x, y.slice(1, 0, 1));
      cpu.reduce(ReduceOp.MAX, x, y.slice(1, 1, 2));
    };
  }

  static BatchScorer scorer(StructType schema, int batchSize, boolean validate) {
    return new BatchScorer(InputColumn.features(schema, "features"), 4, 2, batchSize, validate,
        PredictionColumns.vector("raw").and(PredictionColumns.value("sum", 0)));
  }

  @Test
  void scoresADataFrameBatchByBatchAppendingColumns(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      rows.add(RowFactory.create((long) i, "row" + i, features(i)));
    }
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 3), SCHEMA);
    BatchScorer scorer = scorer(df.schema(), 4, true);
    Dataset<Row> scored = scoredAsRows(df, scorer);

    assertEquals("id,name,features,raw,sum", String.join(",", scored.schema().fieldNames()));
    List<Row> result = scored.orderBy("id").collectAsList();
    assertEquals(25, result.size());
    for (int i = 0; i < 25; i++) {
      Row r = result.get(i);
      assertEquals((long) i, r.getLong(0));
      assertEquals("row" + i, r.getString(1));
      assertEquals(features(i), r.get(2));
      assertArrayEquals(new double[] {2 * i, 2 * i}, ((Vector) r.get(3)).toArray(), 1e-6);
      assertEquals(2.0 * i, r.getDouble(4), 1e-6);
    }
  }

  /**
   * The same rows scored as Spark's internal rows: the source reuses one row object (Spark's scans
   * do), so an output that kept the row instead of a copy would show the batch's last row
   * everywhere; a bad row gives the same message.
   */
  @Test
  void scoresSparksInternalRowsAsItScoresRows(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      rows.add(RowFactory.create((long) i, i % 4 == 0 ? null : "row" + i, features(i)));
    }
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 3), SCHEMA);
    BatchScorer scorer = scorer(df.schema(), 4, true);
    StructType out = scorer.outputSchema(df.schema());
    List<Row> expected = scoredAsRows(df, scorer).orderBy("id").collectAsList();

    Dataset<Row> internal = internallyScored(spark, df, scorer);
    assertEquals(out, internal.schema());
    assertEquals(expected, internal.orderBy("id").collectAsList());
    assertEquals(features(7), expected.get(7).get(2));

    List<Row> bad = new ArrayList<>(rows);
    bad.set(9, RowFactory.create(9L, "r", Vectors.dense(1, 2, 3)));
    Dataset<Row> badDf = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(bad, 3), SCHEMA);
    Exception e = assertThrows(Exception.class, () -> internallyScored(spark, badDf, scorer).count());
    assertEquals("Column 'features', row 1 of partition 1: 3 values; the input layer expects 4.",
        ValidationTest.rootArgumentError(e).getMessage());
  }

  /** {@code df} scored through {@code mapPartitions} over {@code Row}s, the path streaming DataFrames take. */
  private static Dataset<Row> scoredAsRows(Dataset<Row> df, BatchScorer scorer) {
    return df.mapPartitions((MapPartitionsFunction<Row, Row>) it -> {
      CpuBackend cpu = new CpuBackend(1);
      return scorer.score(it, cpu, sumAndMax(cpu), TaskContext.getPartitionId());
    }, Encoders.row(scorer.outputSchema(df.schema())));
  }

  private static Dataset<Row> internallyScored(SparkSession spark, Dataset<Row> df, BatchScorer scorer) {
    StructType schema = df.schema();
    JavaRDD<InternalRow> scored = df.queryExecution().toRdd().toJavaRDD().mapPartitions(
        (FlatMapFunction<Iterator<InternalRow>, InternalRow>) it -> {
          CpuBackend cpu = new CpuBackend(1);
          return scorer.scoreInternal(it, schema, cpu, sumAndMax(cpu), TaskContext.getPartitionId());
        });
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(scored.rdd(),
        scorer.outputSchema(schema), false);
  }

  @Test
  void scoresAStreamingDataFrame(SparkSession spark, @TempDir Path dir) throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      json.append("{\"id\":").append(i).append(",\"features\":[").append(i).append(",1,2,3]}\n");
    }
    Files.writeString(in.resolve("part-0.json"), json);
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> stream = spark.readStream().schema(schema).json(in.toString());
    BatchScorer scorer = scorer(schema, 3, true);
    Dataset<Row> scored = scoredAsRows(stream, scorer);
    StreamingQuery query = scored.writeStream().format("memory").queryName("scored_stream")
        .trigger(Trigger.AvailableNow()).option("checkpointLocation", dir.resolve("checkpoint").toString()).start();
    query.awaitTermination(60_000);
    List<Row> result = spark.sql("SELECT id, sum FROM scored_stream ORDER BY id").collectAsList();
    assertEquals(10, result.size());
    for (int i = 0; i < 10; i++) {
      assertEquals(i + 6.0, result.get(i).getDouble(1), 1e-6);
    }
  }

  @Test
  void pullsInputOnlyOneBatchAhead() throws Exception {
    int[] pulled = {0};
    Iterator<Row> endless = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Row next() {
        return RowFactory.create((long) pulled[0], "x", features(pulled[0]++));
      }
    };
    CpuBackend cpu = new CpuBackend(1);
    Iterator<Row> scored = scorer(SCHEMA, 4, true).score(endless, cpu, sumAndMax(cpu), 0);
    assertEquals(0, pulled[0]);
    for (int i = 0; i < 4; i++) {
      assertEquals((double) 2 * i, scored.next().getDouble(4), 1e-6);
    }
    assertEquals(4, pulled[0]);
    scored.next();
    assertEquals(8, pulled[0]);
    ((AutoCloseable) scored).close();
  }

  @Test
  void revokesTheTensorsAfterEachCall() {
    AtomicReference<Tensor> kept = new AtomicReference<>();
    CpuBackend cpu = new CpuBackend(1);
    BatchFunction keeping = (x, y) -> {
      kept.set(x);
      cpu.fill(y, 0);
    };
    Iterator<Row> scored = scorer(SCHEMA, 2, true).score(List.of(RowFactory.create(1L, "a", features(1))).iterator(), cpu, keeping, 0);
    scored.next();
    assertFalse(scored.hasNext());
    assertEquals("Tensor memory was already freed (used after close).",
        assertThrows(IllegalStateException.class, () -> kept.get().toFloatArray()).getMessage());
  }

  @Test
  void reportsBadFeaturesWithRowAndPartition() {
    CpuBackend cpu = new CpuBackend(1);
    List<Row> rows = List.of(RowFactory.create(0L, "a", features(0)), RowFactory.create(1L, "b", null));
    Iterator<Row> scored = scorer(SCHEMA, 4, true).score(rows.iterator(), cpu, sumAndMax(cpu), 5);
    assertEquals("Column 'features', row 1 of partition 5: null; expected a vector of 4 values.",
        assertThrows(IllegalArgumentException.class, scored::hasNext).getMessage());
    assertFalse(scored.hasNext());

    List<Row> nan = List.of(RowFactory.create(0L, "a", Vectors.dense(0, Double.NaN, 0, 0)));
    assertEquals("Column 'features', row 0 of partition 0: NaN at index 1.", assertThrows(IllegalArgumentException.class,
        () -> scorer(SCHEMA, 4, true).score(nan.iterator(), cpu, sumAndMax(cpu), 0).next()).getMessage());
    Row unchecked = scorer(SCHEMA, 4, false).score(nan.iterator(), cpu, sumAndMax(cpu), 0).next();
    assertTrue(Double.isNaN(unchecked.getDouble(4)));
  }

  @Test
  void aBadRowFailsTheSparkTaskWithTheSameMessage(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(RowFactory.create((long) i, "r", i == 4 ? Vectors.dense(1, 2, 3) : features(i)));
    }
    Dataset<Row> df = spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, 2), SCHEMA);
    BatchScorer scorer = scorer(df.schema(), 4, true);
    Dataset<Row> scored = scoredAsRows(df, scorer);
    Exception e = assertThrows(Exception.class, scored::count);
    assertEquals("Column 'features', row 1 of partition 1: 3 values; the input layer expects 4.",
        ValidationTest.rootArgumentError(e).getMessage());
  }

  @Test
  void freesItsBuffersWhenTheFunctionThrows() {
    CpuBackend cpu = new CpuBackend(1);
    BatchFunction failing = (x, y) -> {
      throw new IllegalStateException("backend lost");
    };
    Iterator<Row> scored = scorer(SCHEMA, 4, true).score(List.of(RowFactory.create(0L, "a", features(0))).iterator(), cpu, failing, 0);
    assertEquals("backend lost", assertThrows(IllegalStateException.class, scored::next).getMessage());
    assertFalse(scored.hasNext());
  }

  @Test
  void readsArrayAndNumericFeatures() {
    CpuBackend cpu = new CpuBackend(1);
    StructType arrays = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType));
    Row a = scorer(arrays, 2, true).score(List.of(RowFactory.create((Object) new float[] {1, 2, 3, 4})).iterator(), cpu,
        sumAndMax(cpu), 0).next();
    assertEquals(10.0, a.getDouble(2), 1e-6);
    StructType numbers = new StructType().add("features", DataTypes.DoubleType);
    BatchScorer one = new BatchScorer(InputColumn.features(numbers, "features"), 1, 1, 2, true, PredictionColumns.value("twice", 0));
    List<Row> twice = new ArrayList<>();
    one.score(List.of(RowFactory.create(1.5), RowFactory.create(-2.0), RowFactory.create(4.0)).iterator(), cpu,
        (x, y) -> cpu.zip(org.sparkdl.backend.BinaryOp.ADD, x, x, y), 0).forEachRemaining(twice::add);
    assertEquals(List.of(RowFactory.create(1.5, 3.0), RowFactory.create(-2.0, -4.0), RowFactory.create(4.0, 8.0)), twice);
  }

  @Test
  void outputSchemaAppendsThePredictionColumnsAndRefusesClashes() {
    StructType taken = new StructType().add("id", DataTypes.LongType).add("sum", DataTypes.DoubleType)
        .add("features", SQLDataTypes.VectorType());
    assertEquals("Column 'sum' already exists; columns: id, sum, features. Choose another output column name.",
        assertThrows(IllegalArgumentException.class, () -> scorer(taken, 4, true).outputSchema(taken)).getMessage());
    StructType out = scorer(SCHEMA, 4, true).outputSchema(SCHEMA);
    assertEquals(SQLDataTypes.VectorType(), out.apply("raw").dataType());
    assertEquals(DataTypes.DoubleType, out.apply("sum").dataType());
  }

  @Test
  void rejectsImpossibleConfigurations() {
    InputColumn f = InputColumn.features(SCHEMA, "features");
    PredictionColumns p = PredictionColumns.vector("raw");
    assertEquals("Output width must be >= 1, found 0.",
        assertThrows(IllegalArgumentException.class, () -> new BatchScorer(f, 4, 0, 8, true, p)).getMessage());
    assertEquals("Batch size must be >= 1, found 0.",
        assertThrows(IllegalArgumentException.class, () -> new BatchScorer(f, 4, 2, 0, true, p)).getMessage());
    assertEquals("A batch of 65536 rows of 65536 values takes 17179869184 bytes; it must fit in 2 GiB. Use a smaller batch size.",
        assertThrows(IllegalArgumentException.class, () -> new BatchScorer(f, 65536, 2, 65536, true, p)).getMessage());
    StructType labelled = new StructType().add("label", DataTypes.DoubleType);
    assertEquals("Column 'label' was resolved as LABEL; expected FEATURES.", assertThrows(IllegalArgumentException.class,
        () -> new BatchScorer(InputColumn.label(labelled, "label"), 1, 1, 8, true, p)).getMessage());
    assertEquals("Column 'x' reads output 2, but the network gives 2 outputs a row.", assertThrows(IllegalArgumentException.class,
        () -> PredictionColumns.value("x", 2).write(new float[2], 0, 2, new Object[1], 0)).getMessage());
  }
}
