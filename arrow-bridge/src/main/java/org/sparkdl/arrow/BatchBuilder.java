package org.sparkdl.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
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
 * The Arrow vectors of one training batch ({@link BatchLayout}), filled row by row at slots the
 * caller chooses, grown as rows come, and serialized as a self-contained Arrow IPC stream (schema,
 * one record batch, end-of-stream marker). Every column is a fixed number of float32 values a row,
 * so a row is a slot of each column's data buffer and can be moved as bytes.
 *
 * <p><b>Ownership.</b> Owns a child allocator and the vectors in it, created by the first {@link
 * #reserve} and released by {@link #close()}; serialized batches are heap copies that outlive it.
 */
final class BatchBuilder implements AutoCloseable {
  private final TrainingColumns columns;
  private final int partition;
  private final FeatureReader features;
  private final ColumnReader target;
  private final ColumnReader weight;
  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private ArrowBuf[] data;
  private int[] widths;
  private int capacity;

  BatchBuilder(TrainingColumns columns, boolean validate, int partition) {
    this.columns = columns;
    this.partition = partition;
    this.features = columns.input().reader(validate, partition);
    this.target = new ColumnReader(columns.target(), columns.targetWidth(), validate, partition);
    this.weight = columns.hasWeight() ? new ColumnReader(columns.weight(), 1, validate, partition) : null;
  }

  /** Rows the vectors hold now. */
  int capacity() {
    return capacity;
  }

  /**
   * Makes room for {@code rows} rows, keeping the first {@code filled}: the first call allocates,
   * a later one with more rows than the capacity moves the filled rows to larger vectors.
   */
  void reserve(int rows, int filled) {
    if (rows <= capacity) {
      return;
    }
    if (allocator == null) {
      allocator = ArrowMemory.newChild("encoder-partition-" + partition);
    }
    VectorSchemaRoot grown = VectorSchemaRoot.create(new Schema(BatchLayout.fields(columns)), allocator);
    try {
      for (FieldVector v : grown.getFieldVectors()) {
        v.setInitialCapacity(rows);
      }
      grown.allocateNew();
      for (FieldVector v : grown.getFieldVectors()) {
        BatchLayout.markAllValid(v);
      }
      String[] names = {BatchLayout.FEATURES, BatchLayout.LABEL, BatchLayout.WEIGHT, BatchLayout.LENGTHS};
      int[] w = {columns.featureWidth(), columns.targetWidth(), 1, 1};
      boolean[] present = {true, true, columns.hasWeight(), columns.input().lengths()};
      ArrowBuf[] d = new ArrowBuf[names.length];
      for (int c = 0; c < names.length; c++) {
        if (present[c]) {
          d[c] = buffer(grown.getVector(names[c]), w[c], rows);
          if (data != null && filled > 0) {
            d[c].setBytes(0, data[c], 0, 4L * filled * w[c]);
          }
        }
      }
      if (root != null) {
        root.close();
      }
      root = grown;
      data = d;
      widths = w;
      capacity = rows;
    } catch (RuntimeException e) {
      grown.close();
      throw e;
    }
  }

  /** The float buffer behind a column, checked to hold {@code rows} rows. */
  private static ArrowBuf buffer(FieldVector v, int width, int rows) {
    Float4Vector floats = (Float4Vector) (v instanceof FixedSizeListVector list ? list.getDataVector() : v);
    ArrowBuf buf = floats.getDataBuffer();
    if (buf.capacity() < 4L * rows * width) {
      throw new IllegalStateException("Arrow allocated " + buf.capacity() + " bytes for column '" + v.getName()
          + "'; " + rows + " rows need " + 4L * rows * width + ".");
    }
    return buf;
  }

  /**
   * Reads and checks {@code row} into slot {@code slot} (below the capacity).
   *
   * @param position the row's position in its partition, for error messages
   */
  void read(Row row, long position, int slot) {
    int steps = features.read(row, position, data[0], 4L * slot * widths[0]);
    if (data[3] != null) {
      data[3].setFloat(4L * slot, steps);
    }
    target.read(row, position, data[1], 4L * slot * widths[1]);
    if (weight != null) {
      weight.read(row, position, data[2], 4L * slot * widths[2]);
    }
  }

  /** Copies the row in slot {@code from} to slot {@code to}, every column. */
  void copyRow(int from, int to) {
    for (int c = 0; c < data.length; c++) {
      if (data[c] != null) {
        long len = 4L * widths[c];
        data[c].setBytes(to * len, data[c], from * len, len);
      }
    }
  }

  /** The first {@code rows} slots as an IPC stream whose metadata names the partition and {@code firstRow}. */
  byte[] serialize(int rows, long firstRow) {
    return Parts.join(serializeParts(rows, firstRow));
  }

  /**
   * The same stream cut into parts of {@link Parts#PART_BYTES} (the last one shorter), written
   * part by part: no array as large as the stream is ever allocated, and none is copied.
   */
  byte[][] serializeParts(int rows, long firstRow) {
    root.setRowCount(rows);
    Parts bytes = new Parts();
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
    return bytes.toParts();
  }

  /** Frees the Arrow memory; idempotent. Batches already serialized stay valid. */
  @Override
  public void close() {
    if (root != null) {
      root.close();
      root = null;
    }
    data = null;
    capacity = 0;
    if (allocator != null) {
      allocator.close();
      allocator = null;
    }
  }
}
