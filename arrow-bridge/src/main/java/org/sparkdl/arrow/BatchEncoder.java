package org.sparkdl.arrow;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Converts the rows of a partition into Arrow record batches of float32 features, labels and
 * weights (layout in {@link BatchLayout}), each serialized as its own Arrow IPC stream so that the
 * result can live in an {@code RDD<byte[]>} persisted by Spark (e.g. {@code MEMORY_AND_DISK_SER})
 * and be read back every epoch with {@link ArrowBatch#read(byte[])}.
 *
 * <p>This is also the validating pass: with {@code validate} on, a null, NaN, infinite or
 * float32-overflowing value, a vector of the wrong size or a negative weight fails the task with an
 * {@link IllegalArgumentException} naming the column, the row's position in its partition (0-based)
 * and the partition. With it off, nulls and sizes are still checked (they would corrupt the batch)
 * but values are copied without being looked at.
 *
 * <p>An encoder is immutable and serializable, so it can be built on the driver and used inside
 * Spark closures.
 *
 * <pre>{@code
 * TrainingColumns cols = TrainingColumns.forLabel(df.schema(), "features", 784, "label", null);
 * JavaRDD<byte[]> batches = new BatchEncoder(cols, 1024, true).encode(df)
 *     .persist(StorageLevel.MEMORY_AND_DISK_SER());
 * }</pre>
 */
public final class BatchEncoder implements Serializable {
  private static final long serialVersionUID = 1L;
  private final TrainingColumns columns;
  private final int batchSize;
  private final boolean validate;
  private final long sparseBytes;
  /**
   * Entries of one sparse batch at most: its row starts are float32 tensors, exact up to 2^24. A
   * batch ends once it reaches half of that, so that the row that reaches it fits too unless it
   * alone has 2^23 non-zeros.
   */
  static final long MAX_SPARSE_ENTRIES = 1L << 24;

  /**
   * An encoder of rows holding {@code columns} into batches of at most {@code batchSize} rows and,
   * for sparse features ({@link FeatureInput#isSparse()}), of at most {@code sparseBytes} bytes of
   * entries (8 an entry: column and value), and at most 2^23 entries (its row starts are float32):
   * a batch ends at whichever comes first, so that rows of many non-zeros make shorter batches,
   * not larger ones.
   *
   * @throws IllegalArgumentException as {@link #BatchEncoder(TrainingColumns, int, boolean)}, and
   *     when {@code sparseBytes} is below one entry
   */
  public BatchEncoder(TrainingColumns columns, int batchSize, boolean validate, long sparseBytes) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("Batch size must be >= 1, found " + batchSize + ".");
    }
    if (sparseBytes < 8) {
      throw new IllegalArgumentException("A batch needs room for at least one sparse entry (8 bytes); found " + sparseBytes + ".");
    }
    long bytes = 4L * batchSize * Math.max(columns.input().isSparse() ? 1 : columns.featureWidth(), columns.targetWidth());
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("A batch of " + batchSize + " rows of " + columns.featureWidth()
          + " features takes " + bytes + " bytes; a column of one batch must fit in 2 GiB. Use a smaller batch size.");
    }
    this.columns = columns;
    this.batchSize = batchSize;
    this.validate = validate;
    this.sparseBytes = sparseBytes;
  }

  /**
   * An encoder of rows holding {@code columns} into batches of at most {@code batchSize} rows.
   *
   * @param columns the columns to read, resolved against the schema of the rows to encode
   * @param batchSize the most rows in one batch; the last batch of a partition may hold fewer
   * @param validate whether to check every value (NaN, infinity, float32 overflow, negative weights)
   * @throws IllegalArgumentException when {@code batchSize} is not positive or a batch of features
   *     would not fit in 2 GiB
   */
  public BatchEncoder(TrainingColumns columns, int batchSize, boolean validate) {
    this(columns, batchSize, validate, Integer.MAX_VALUE);
  }

  /** The columns this encoder reads. */
  public TrainingColumns columns() {
    return columns;
  }

  /** The most rows in one batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Whether every value is checked. */
  public boolean validates() {
    return validate;
  }

  /**
   * Encodes one partition lazily: each {@code next()} pulls up to {@link #batchSize()} rows and
   * returns one serialized batch; an empty partition gives no batches. The iterator frees its Arrow
   * memory once the last batch is out or a row is rejected, and, inside a Spark task, when the task
   * ends. It also implements {@link AutoCloseable}: outside a task, close it when abandoning it early.
   *
   * @param rows rows of the schema the columns were resolved against
   * @param partition the partition id, for error messages and the batch metadata
   */
  public Iterator<byte[]> encode(Iterator<Row> rows, int partition) {
    EncodingIterator it = new EncodingIterator(rows, new BatchSink(columns, batchSize,
        Math.min(sparseBytes / 8, MAX_SPARSE_ENTRIES / 2), validate, partition, false, 0), partition);
    TaskContext task = TaskContext.get();
    if (task != null) {
      // A consumer that stops early (take, a failed sibling task) must not leak the vectors.
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> it.close());
    }
    return it;
  }

  /**
   * A push-style encoder for one partition: rows are added one at a time (see {@link BatchSink}),
   * and each batch's rows are shuffled with a generator seeded by {@code shuffleSeed}. Inside a
   * Spark task the sink's Arrow memory is also freed when the task ends.
   *
   * @param partition the partition id, for error messages and the batch metadata
   */
  public BatchSink sink(int partition, long shuffleSeed) {
    BatchSink s = new BatchSink(columns, batchSize, Math.min(sparseBytes / 8, MAX_SPARSE_ENTRIES / 2), validate, partition,
        true, shuffleSeed);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> s.close());
    }
    return s;
  }

  /**
   * Encodes every partition of {@code data}; nothing runs until the RDD is computed. Persist the
   * result so that epochs read the batches instead of re-encoding rows.
   *
   * @throws IllegalArgumentException when {@code data}'s schema is not the one the columns were
   *     resolved against
   */
  public JavaRDD<byte[]> encode(Dataset<Row> data) {
    check(data, columns.features());
    check(data, columns.target());
    if (columns.hasWeight()) {
      check(data, columns.weight());
    }
    // Spark's internal rows, not Rows: a vector is read where Spark keeps it rather than copied into a new double[]
    StructType schema = data.schema();
    Function2<Integer, Iterator<InternalRow>, Iterator<byte[]>> perPartition =
        (p, rows) -> encode(InternalRowView.over(schema, rows), p);
    return data.queryExecution().toRdd().toJavaRDD().mapPartitionsWithIndex(perPartition, true);
  }

  private static void check(Dataset<Row> data, InputColumn c) {
    StructField[] fields = data.schema().fields();
    if (c.index() >= fields.length || !fields[c.index()].name().equals(c.name())) {
      throw new IllegalArgumentException("Column '" + c.name() + "' is not at position " + c.index()
          + " of this DataFrame; resolve the columns against the schema of the rows you encode.");
    }
  }
}
