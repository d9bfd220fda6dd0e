package org.sparkdl.arrow;

import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The lazy iterator behind {@link BatchScorer#score}: holds at most one batch of input rows and
 * their outputs, and fills the next batch only when this one has been handed out.
 *
 * <p><b>Ownership.</b> Owns a child allocator with two buffers (features and outputs), allocated
 * with the first batch and reused for every later one; released as soon as the last batch is scored,
 * when a row or the function throws, or by {@link #close()}. The tensors lent to the function are revoked
 * right after each call.
 */
final class ScoringIterator implements Iterator<Row>, AutoCloseable {
  private final Iterator<Row> source;
  private final ColumnReader reader;
  private final int featureWidth;
  private final int outputWidth;
  private final int batchSize;
  private final CpuBackend backend;
  private final BatchFunction function;
  private final PredictionColumns predictions;
  private final int appended;
  private final int partition;
  private final Row[] pending;
  private final float[] outputs;
  private int pendingCount;
  private int cursor;
  private long rowIndex;
  private BufferAllocator allocator;
  private ArrowBuf featureBuf;
  private ArrowBuf outputBuf;
  private boolean closed;

  ScoringIterator(Iterator<Row> source, ColumnReader reader, int featureWidth, int outputWidth, int batchSize,
      CpuBackend backend, BatchFunction function, PredictionColumns predictions, int partition) {
    this.source = source;
    this.reader = reader;
    this.featureWidth = featureWidth;
    this.outputWidth = outputWidth;
    this.batchSize = batchSize;
    this.backend = backend;
    this.function = function;
    this.predictions = predictions;
    this.appended = predictions.fields().size();
    this.partition = partition;
    this.pending = new Row[batchSize];
    this.outputs = new float[batchSize * outputWidth];
  }

  @Override
  public boolean hasNext() {
    if (cursor < pendingCount) {
      return true;
    }
    if (closed) {
      return false;
    }
    if (!source.hasNext()) {
      close();
      return false;
    }
    try {
      scoreNextBatch();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException("No more rows in partition " + partition + ".");
    }
    Row in = pending[cursor];
    pending[cursor] = null;
    int width = in.length();
    Object[] values = new Object[width + appended];
    for (int i = 0; i < width; i++) {
      values[i] = in.get(i);
    }
    predictions.write(outputs, cursor * outputWidth, outputWidth, values, width);
    cursor++;
    return RowFactory.create(values);
  }

  private void scoreNextBatch() {
    if (allocator == null) {
      allocator = ArrowMemory.newChild("scorer-partition-" + partition);
      featureBuf = allocator.buffer(4L * batchSize * featureWidth);
      outputBuf = allocator.buffer(4L * batchSize * outputWidth);
    }
    int n = 0;
    while (n < batchSize && source.hasNext()) {
      Row row = source.next();
      reader.read(row, rowIndex, featureBuf, 4L * n * featureWidth);
      pending[n++] = row;
      rowIndex++;
    }
    Tensor x = ArrowTensors.borrow(backend, featureBuf, Shape.of(n, featureWidth));
    Tensor y = ArrowTensors.borrow(backend, outputBuf, Shape.of(n, outputWidth));
    try {
      function.apply(x, y);
    } finally {
      ArrowTensors.revoke(x);
      ArrowTensors.revoke(y);
    }
    outputBuf.nioBuffer(0, 4 * n * outputWidth).order(ByteOrder.nativeOrder()).asFloatBuffer().get(outputs, 0, n * outputWidth);
    pendingCount = n;
    cursor = 0;
    if (!source.hasNext()) {
      // The outputs are on the heap now; a partition's last batch need not hold Arrow memory.
      close();
    }
  }

  /** Frees the buffers now; idempotent. Rows already returned stay valid. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (allocator != null) {
      featureBuf.close();
      outputBuf.close();
      allocator.close();
    }
  }
}
