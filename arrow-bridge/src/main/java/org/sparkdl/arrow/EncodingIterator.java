package org.sparkdl.arrow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.Row;

/**
 * Pulls up to {@code batchSize} rows at a time from a partition, writes them into one reused set
 * of Arrow vectors, and returns each batch as a self-contained Arrow IPC stream (schema, one record
 * batch, end-of-stream marker).
 *
 * <p><b>Ownership.</b> Owns a child allocator and the vectors in it, created with the first batch
 * (an empty partition allocates nothing) and released as soon as the last batch is serialized, when
 * reading a row throws, or by {@link #close()}, whichever comes first. The returned byte arrays are plain heap
 * copies that outlive the iterator.
 */
final class EncodingIterator implements Iterator<byte[]>, AutoCloseable {
  private final Iterator<Row> rows;
  private final TrainingColumns columns;
  private final int batchSize;
  private final int partition;
  private final FeatureReader features;
  private final ColumnReader target;
  private final ColumnReader weight;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private ArrowBuf featureData;
  private ArrowBuf targetData;
  private ArrowBuf weightData;
  private ArrowBuf lengthData;
  private final long[] positions;
  private long rowIndex;
  private boolean closed;

  EncodingIterator(Iterator<Row> rows, TrainingColumns columns, int batchSize, boolean validate, int partition,
      long[] positions) {
    this.rows = rows;
    this.positions = positions;
    this.columns = columns;
    this.batchSize = batchSize;
    this.partition = partition;
    this.features = columns.input().reader(validate, partition);
    this.target = new ColumnReader(columns.target(), columns.targetWidth(), validate, partition);
    this.weight = columns.hasWeight() ? new ColumnReader(columns.weight(), 1, validate, partition) : null;
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    if (rows.hasNext()) {
      return true;
    }
    close();
    return false;
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException("No more batches in partition " + partition + ".");
    }
    try {
      return encodeBatch();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private byte[] encodeBatch() {
    if (root == null) {
      open();
    }
    long first = rowIndex;
    int fw = columns.featureWidth();
    int tw = columns.targetWidth();
    int n = 0;
    while (n < batchSize && rows.hasNext()) {
      Row row = rows.next();
      // errors name the row's position in the partition as the user sees it, before any reordering
      long at = positions == null ? rowIndex : positions[(int) rowIndex];
      int steps = features.read(row, at, featureData, 4L * n * fw);
      if (lengthData != null) {
        lengthData.setFloat(4L * n, steps);
      }
      target.read(row, at, targetData, 4L * n * tw);
      if (weight != null) {
        weight.read(row, at, weightData, 4L * n);
      }
      n++;
      rowIndex++;
    }
    root.setRowCount(n);
    byte[] batch = serialize(first);
    if (!rows.hasNext()) {
      close();
    }
    return batch;
  }

  private void open() {
    allocator = ArrowMemory.newChild("encoder-partition-" + partition);
    root = VectorSchemaRoot.create(new Schema(BatchLayout.fields(columns)), allocator);
    for (FieldVector v : root.getFieldVectors()) {
      v.setInitialCapacity(batchSize);
    }
    root.allocateNew();
    for (FieldVector v : root.getFieldVectors()) {
      BatchLayout.markAllValid(v);
    }
    featureData = data(root.getVector(BatchLayout.FEATURES), columns.featureWidth());
    targetData = data(root.getVector(BatchLayout.LABEL), columns.targetWidth());
    weightData = columns.hasWeight() ? data(root.getVector(BatchLayout.WEIGHT), 1) : null;
    lengthData = columns.input().lengths() ? data(root.getVector(BatchLayout.LENGTHS), 1) : null;
  }

  /** The float buffer behind a column, checked to hold a full batch. */
  private ArrowBuf data(FieldVector v, int width) {
    Float4Vector floats = (Float4Vector) (v instanceof FixedSizeListVector list ? list.getDataVector() : v);
    ArrowBuf buf = floats.getDataBuffer();
    if (buf.capacity() < 4L * batchSize * width) {
      throw new IllegalStateException("Arrow allocated " + buf.capacity() + " bytes for column '" + v.getName()
          + "'; a batch needs " + 4L * batchSize * width + ".");
    }
    return buf;
  }

  private byte[] serialize(long firstRow) {
    bytes.reset();
    WriteChannel out = new WriteChannel(Channels.newChannel(bytes));
    try {
      MessageSerializer.serialize(out, BatchLayout.schema(root.getSchema().getFields(), partition, firstRow));
      try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
        MessageSerializer.serialize(out, batch);
      }
      ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
    } catch (IOException e) {
      // The channel writes to memory; this only happens if Arrow itself fails to encode.
      throw new UncheckedIOException("Cannot serialize a batch of partition " + partition + " as Arrow IPC.", e);
    }
    return bytes.toByteArray();
  }

  /** Frees the Arrow memory now; idempotent. Batches already returned stay valid. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (root != null) {
      root.close();
    }
    if (allocator != null) {
      allocator.close();
    }
  }
}
