package org.sparkdl.arrow;

import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The lazy iterator behind {@link BatchScorer#score}: holds at most one batch of input rows and
 * their outputs, and fills the next batch only when this one has been handed out.
 *
 * <p><b>Ownership.</b> Owns a child allocator with two buffers (features and outputs, and a third
 * for sequence lengths when the reader gives them), allocated
 * with the first batch and reused for every later one; released as soon as the last batch is scored,
 * when a row or the function throws, or by {@link #close()}. The tensors lent to the function are revoked
 * right after each call.
 */
final class ScoringIterator<T, R> implements Iterator<R>, AutoCloseable {
  private final Iterator<T> source;
  private final RowForm<T, R> form;
  private final FeatureReader reader;
  private final SparseRowReader sparse;
  private final int[] starts;
  private final boolean lengths;
  private final int featureWidth;
  private final int outputWidth;
  private final int batchSize;
  private final HostBackend backend;
  private final BatchFunction function;
  private final PredictionColumns predictions;
  private final int appended;
  private final int partition;
  private final Object[] pending;
  private final float[] outputs;
  private int pendingCount;
  private int cursor;
  private long rowIndex;
  private final InputFilePosition file = new InputFilePosition();
  private BufferAllocator allocator;
  private ArrowBuf featureBuf;
  private ArrowBuf outputBuf;
  private ArrowBuf lengthBuf;
  private boolean closed;

  ScoringIterator(Iterator<T> source, RowForm<T, R> form, FeatureReader reader, boolean lengths, int featureWidth,
      int outputWidth, int batchSize, HostBackend backend, BatchFunction function, PredictionColumns predictions,
      int partition) {
    this(source, form, reader, null, lengths, featureWidth, outputWidth, batchSize, backend, function, predictions,
        partition);
  }

  /** A scorer of sparse rows: each batch goes to {@link BatchFunction#applySparse}. */
  ScoringIterator(Iterator<T> source, RowForm<T, R> form, SparseRowReader sparse, int featureWidth, int outputWidth,
      int batchSize, HostBackend backend, BatchFunction function, PredictionColumns predictions, int partition) {
    this(source, form, null, sparse, false, featureWidth, outputWidth, batchSize, backend, function, predictions,
        partition);
  }

  private ScoringIterator(Iterator<T> source, RowForm<T, R> form, FeatureReader reader, SparseRowReader sparse,
      boolean lengths, int featureWidth, int outputWidth, int batchSize, HostBackend backend, BatchFunction function,
      PredictionColumns predictions, int partition) {
    this.source = source;
    this.form = form;
    this.reader = reader;
    this.sparse = sparse;
    this.starts = sparse == null ? null : new int[batchSize + 1];
    this.lengths = lengths;
    this.featureWidth = featureWidth;
    this.outputWidth = outputWidth;
    this.batchSize = batchSize;
    this.backend = backend;
    this.function = function;
    this.predictions = predictions;
    this.appended = predictions.fields().size();
    this.partition = partition;
    this.pending = new Object[batchSize];
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
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException("No more rows in partition " + partition + ".");
    }
    @SuppressWarnings("unchecked")
    T in = (T) pending[cursor];
    pending[cursor] = null;
    Object[] values = new Object[appended];
    predictions.write(outputs, cursor * outputWidth, outputWidth, values, 0);
    cursor++;
    return form.emit(in, values);
  }

  private void scoreNextBatch() {
    form.newBatch();
    if (sparse != null) {
      scoreNextSparseBatch();
      return;
    }
    if (allocator == null) {
      allocator = ArrowMemory.newChild("scorer-partition-" + partition);
      featureBuf = allocator.buffer(4L * batchSize * featureWidth);
      outputBuf = allocator.buffer(4L * batchSize * outputWidth);
      lengthBuf = lengths ? allocator.buffer(4L * batchSize) : null;
    }
    int n = 0;
    while (n < batchSize && source.hasNext()) {
      T row = source.next();
      file.next();
      int steps;
      try {
        steps = reader.read(form.read(row), rowIndex, featureBuf, 4L * n * featureWidth);
      } catch (IllegalArgumentException e) {
        throw file.locate(e);
      }
      if (lengthBuf != null) {
        lengthBuf.setFloat(4L * n, steps);
      }
      pending[n++] = form.hold(row);
      rowIndex++;
    }
    Tensor x = ArrowTensors.borrow(backend, featureBuf, Shape.of(n, featureWidth));
    Tensor y = ArrowTensors.borrow(backend, outputBuf, Shape.of(n, outputWidth));
    Tensor len = lengthBuf == null ? null : ArrowTensors.borrow(backend, lengthBuf, Shape.of(n, 1));
    try {
      function.apply(x, len, y);
    } finally {
      ArrowTensors.revoke(x);
      ArrowTensors.revoke(y);
      if (len != null) {
        ArrowTensors.revoke(len);
      }
    }
    outputBuf.nioBuffer(0, 4 * n * outputWidth).order(ByteOrder.nativeOrder()).asFloatBuffer().get(outputs, 0, n * outputWidth);
    pendingCount = n;
    cursor = 0;
    if (!source.hasNext()) {
      // The outputs are on the heap now; a partition's last batch need not hold Arrow memory.
      close();
    }
  }

  /** As {@link #scoreNextBatch} for sparse rows: their entries gathered on the heap, copied to Arrow memory as CSR. */
  private void scoreNextSparseBatch() {
    if (allocator == null) {
      allocator = ArrowMemory.newChild("scorer-partition-" + partition);
      outputBuf = allocator.buffer(4L * batchSize * outputWidth);
    }
    sparse.clear();
    int n = 0;
    while (n < batchSize && source.hasNext()) {
      T row = source.next();
      starts[n] = sparse.entries();
      file.next();
      try {
        sparse.read(form.read(row), rowIndex);
      } catch (IllegalArgumentException e) {
        throw file.locate(e);
      }
      pending[n++] = form.hold(row);
      rowIndex++;
    }
    starts[n] = sparse.entries();
    int entries = sparse.entries();
    try (ArrowBuf startBuf = allocator.buffer(4L * (n + 1));
        ArrowBuf columnBuf = allocator.buffer(4L * Math.max(1, entries));
        ArrowBuf valueBuf = allocator.buffer(4L * Math.max(1, entries))) {
      for (int i = 0; i <= n; i++) {
        startBuf.setFloat(4L * i, starts[i]);
      }
      columnBuf.nioBuffer(0, 4 * entries).order(ByteOrder.nativeOrder()).asFloatBuffer().put(sparse.columns(), 0, entries);
      valueBuf.nioBuffer(0, 4 * entries).order(ByteOrder.nativeOrder()).asFloatBuffer().put(sparse.values(), 0, entries);
      Tensor s = ArrowTensors.borrow(backend, startBuf, Shape.of(n + 1));
      Tensor c = ArrowTensors.borrow(backend, columnBuf, Shape.of(entries));
      Tensor v = ArrowTensors.borrow(backend, valueBuf, Shape.of(entries));
      Tensor y = ArrowTensors.borrow(backend, outputBuf, Shape.of(n, outputWidth));
      try {
        function.applySparse(new CsrMatrix(s, c, v, featureWidth), y);
      } finally {
        for (Tensor t : new Tensor[] {s, c, v, y}) {
          ArrowTensors.revoke(t);
        }
      }
    }
    outputBuf.nioBuffer(0, 4 * n * outputWidth).order(ByteOrder.nativeOrder()).asFloatBuffer().get(outputs, 0, n * outputWidth);
    pendingCount = n;
    cursor = 0;
    if (!source.hasNext()) {
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
      if (featureBuf != null) {
        featureBuf.close();
      }
      outputBuf.close();
      if (lengthBuf != null) {
        lengthBuf.close();
      }
      allocator.close();
    }
  }
}
