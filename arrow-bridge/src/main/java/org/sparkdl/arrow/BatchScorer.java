package org.sparkdl.arrow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.tensor.Tensor;

/**
 * Scores the rows of a partition batch by batch: gathers up to {@code batchSize} rows' features
 * into a reused off-heap float buffer, hands it to a {@link BatchFunction} as a tensor, and emits
 * each input row with the {@link PredictionColumns} appended. Rows keep every input column.
 *
 * <p>The iterator it returns is lazy: it reads the next batch of input only when the previous one
 * has been consumed, so it suits {@code mapPartitions} over batch and streaming DataFrames alike and
 * never holds more than one batch of rows. Input rows are checked as by {@link BatchEncoder} (same
 * messages, without labels): nulls and sizes always, non-finite values when {@code validate} is on.
 *
 * <p>Sparse features ({@link FeatureInput#isSparse()}) reach the function as CSR rows ({@link
 * BatchFunction#applySparse}), never as a dense batch.
 *
 * <p>A scorer is immutable and serializable; build it on the driver (where {@link
 * #outputSchema(StructType)} also serves {@code transformSchema}) and call {@link #score} on the
 * executors:
 *
 * <pre>{@code
 * BatchScorer scorer = new BatchScorer(InputColumn.features(df.schema(), "features"), 784, 10, 512, true,
 *     PredictionColumns.vector("rawPrediction"));
 * Dataset<Row> out = df.mapPartitions((MapPartitionsFunction<Row, Row>) rows ->
 *     scorer.score(rows, cpu, (x, y) -> network.forwardInto(x, y), TaskContext.getPartitionId()),
 *     Encoders.row(scorer.outputSchema(df.schema())));
 * }</pre>
 */
public final class BatchScorer implements Serializable {
  private static final long serialVersionUID = 1L;
  private final FeatureInput features;
  private final int featureWidth;
  private final int outputWidth;
  private final int batchSize;
  private final boolean validate;
  private final PredictionColumns predictions;

  /**
   * A scorer reading {@code featureWidth} values a row from {@code features} and appending {@code
   * predictions} computed from {@code outputWidth} outputs a row.
   *
   * @param features the features column, resolved against the schema of the rows to score
   * @param featureWidth values per row the input layer expects
   * @param outputWidth floats per row the function writes
   * @param batchSize the most rows per call of the function
   * @param validate whether to check every feature value for NaN, infinity and float32 overflow
   * @param predictions the columns appended to each row
   * @throws IllegalArgumentException when a width or the batch size is not positive, disagrees with
   *     the column, or a batch would not fit in 2 GiB
   */
  public BatchScorer(InputColumn features, int featureWidth, int outputWidth, int batchSize, boolean validate,
      PredictionColumns predictions) {
    this(FeatureInput.flat(features, featureWidth), outputWidth, batchSize, validate, predictions);
  }

  /**
   * A scorer reading features of any type {@link FeatureInput} decodes (images, sequences with
   * their lengths, shaped vectors) and appending {@code predictions} computed from {@code
   * outputWidth} outputs a row. With {@link FeatureInput#lengths()}, the function is called through
   * {@link BatchFunction#apply(Tensor, Tensor, Tensor)} with each row's length.
   *
   * @throws IllegalArgumentException when the output width or the batch size is not positive, or a
   *     batch would not fit in 2 GiB
   */
  public BatchScorer(FeatureInput features, int outputWidth, int batchSize, boolean validate, PredictionColumns predictions) {
    int featureWidth = features.width();
    if (outputWidth < 1) {
      throw new IllegalArgumentException("Output width must be >= 1, found " + outputWidth + ".");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("Batch size must be >= 1, found " + batchSize + ".");
    }
    long bytes = 4L * batchSize * Math.max(features.isSparse() ? 1 : featureWidth, outputWidth);
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("A batch of " + batchSize + " rows of " + Math.max(featureWidth, outputWidth)
          + " values takes " + bytes + " bytes; it must fit in 2 GiB. Use a smaller batch size.");
    }
    this.features = features;
    this.featureWidth = featureWidth;
    this.outputWidth = outputWidth;
    this.batchSize = batchSize;
    this.validate = validate;
    this.predictions = predictions;
  }

  /**
   * The schema of the scored rows: {@code input} followed by the prediction columns.
   *
   * @throws IllegalArgumentException when a prediction column's name is already taken
   */
  public StructType outputSchema(StructType input) {
    List<StructField> fields = new ArrayList<>(List.of(input.fields()));
    for (StructField f : predictions.fields()) {
      for (String existing : input.fieldNames()) {
        if (existing.equals(f.name())) {
          throw new IllegalArgumentException("Column '" + f.name() + "' already exists; columns: "
              + String.join(", ", input.fieldNames()) + ". Choose another output column name.");
        }
      }
      fields.add(f);
    }
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * Scores one partition lazily. The returned iterator frees its buffers once the last batch is
   * scored, when a row or the function throws, and, inside a Spark task, when the task ends. It
   * also implements {@link AutoCloseable}: outside a task, close it when abandoning it early.
   *
   * @param rows rows of the schema {@code features} was resolved against
   * @param backend wraps the feature and output buffers as host tensors
   * @param function computes each batch's outputs
   * @param partition the partition id, for error messages
   */
  public Iterator<Row> score(Iterator<Row> rows, HostBackend backend, BatchFunction function, int partition) {
    return score(rows, RowForm.external(), backend, function, partition);
  }

  /**
   * As {@link #score(Iterator, HostBackend, BatchFunction, int)}, over Spark's internal rows of
   * {@code schema} (e.g. from {@code dataset.queryExecution().toRdd()}), giving internal rows of
   * {@link #outputSchema(StructType)}: the input's columns pass through as Spark keeps them, and a
   * vector of features is read in place, so no row is converted to a {@link Row} and back (for a
   * row of 784 features that conversion costs more than an MLP's forward pass). An output row is
   * valid until the next one is asked for, as Spark's internal rows are; the rows of {@code rows}
   * may be reused by their source.
   *
   * @param schema the schema of {@code rows}, the one {@code features} was resolved against
   */
  public Iterator<InternalRow> scoreInternal(Iterator<InternalRow> rows, StructType schema, HostBackend backend,
      BatchFunction function, int partition) {
    return score(rows, RowForm.internal(schema, predictions.fields()), backend, function, partition);
  }

  private <T, R> Iterator<R> score(Iterator<T> rows, RowForm<T, R> form, HostBackend backend, BatchFunction function,
      int partition) {
    ScoringIterator<T, R> it = features.isSparse()
        ? new ScoringIterator<>(rows, form, features.sparseReader(validate, partition), featureWidth, outputWidth, batchSize,
            backend, function, predictions, partition)
        : new ScoringIterator<>(rows, form, features.reader(validate, partition), features.lengths(), featureWidth,
            outputWidth, batchSize, backend, function, predictions, partition);
    TaskContext task = TaskContext.get();
    if (task != null) {
      // A consumer that stops early (limit, take) must not leak the buffers.
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> it.close());
    }
    return it;
  }
}
