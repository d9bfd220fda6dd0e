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
import org.apache.arrow.vector.complex.ListVector;
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
 * <p>Sparse features ({@link FeatureInput#isSparse()}) are the exception: a row's entries are
 * appended to heap arrays as it is read, its slot holds where they start and how many they are,
 * and the batch's CSR lists are written in slot order when it is serialized.
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
  private final SparseRowReader sparse;
  private int[] entryStart = new int[0];
  private int[] entryCount = new int[0];
  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private ArrowBuf[] data;
  private int[] widths;
  private int capacity;

  BatchBuilder(TrainingColumns columns, boolean validate, int partition) {
    this.columns = columns;
    this.partition = partition;
    this.sparse = columns.input().isSparse() ? columns.input().sparseReader(validate, partition) : null;
    this.features = sparse == null ? columns.input().reader(validate, partition) : null;
    this.target = new ColumnReader(columns.target(), columns.targetWidth(), validate, partition);
    this.weight = columns.hasWeight() ? new ColumnReader(columns.weight(), 1, validate, partition) : null;
  }

  /** Sparse entries of the rows read since the last batch was written; 0 for dense features. */
  long sparseEntries() {
    return sparse == null ? 0 : sparse.entries();
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
      boolean[] present = {sparse == null, true, columns.hasWeight(), columns.input().lengths()};
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
      if (sparse != null) {
        entryStart = java.util.Arrays.copyOf(entryStart, rows);
        entryCount = java.util.Arrays.copyOf(entryCount, rows);
      }
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
    int steps = 0;
    if (sparse != null) {
      entryStart[slot] = sparse.entries();
      entryCount[slot] = sparse.read(row, position);
    } else {
      steps = features.read(row, position, data[0], 4L * slot * widths[0]);
    }
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
    if (sparse != null) {
      entryStart[to] = entryStart[from];
      entryCount[to] = entryCount[from];
    }
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
    if (sparse != null) {
      writeSparseRows(rows);
    }
    root.setRowCount(rows);
    Parts bytes = new Parts();
    WriteChannel out = new WriteChannel(Channels.newChannel(bytes));
    try {
      MessageSerializer.serialize(out, BatchLayout.schema(root.getSchema().getFields(), partition, firstRow,
          sparse == null ? 0 : columns.featureWidth()));
      try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
        MessageSerializer.serialize(out, batch);
      }
      ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
    } catch (IOException e) {
      // The channel writes to memory; this only happens if Arrow itself fails to encode.
      throw new UncheckedIOException("Cannot serialize a batch of partition " + partition + " as Arrow IPC.", e);
    }
    if (sparse != null) {
      sparse.clear();
    }
    return bytes.toParts();
  }

  /** The sparse rows of the first {@code rows} slots, in slot order, as the two CSR lists. */
  private void writeSparseRows(int rows) {
    ListVector values = (ListVector) root.getVector(BatchLayout.FEATURES);
    ListVector cols = (ListVector) root.getVector(BatchLayout.FEATURE_COLUMNS);
    int total = 0;
    for (int i = 0; i < rows; i++) {
      total += entryCount[i];
    }
    for (ListVector list : new ListVector[] {values, cols}) {
      list.clear();
      list.setInitialCapacity(rows);
      list.allocateNew();
      Float4Vector child = (Float4Vector) list.getDataVector();
      child.setInitialCapacity(total);
      child.allocateNew(Math.max(total, 1));
      float[] from = list == values ? sparse.values() : sparse.columns();
      for (int i = 0; i < rows; i++) {
        int at = list.startNewValue(i);
        int start = entryStart[i];
        for (int k = 0; k < entryCount[i]; k++) {
          child.set(at + k, from[start + k]);
        }
        list.endValue(i, entryCount[i]);
      }
    }
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
