package org.sparkdl.arrow;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * One training batch read back from the bytes a {@link BatchEncoder} wrote, with its columns as
 * tensors that view the Arrow memory directly.
 *
 * <p><b>Ownership and lifecycle.</b> A batch owns a child of the {@link ArrowMemory} root
 * allocator and the Arrow vectors loaded into it; {@link #close()} frees both (idempotent). The
 * tensors returned by {@link #features}, {@link #labels} and {@link #weights} are borrowed views of
 * that memory: they are never closed by the caller's scope, and once the batch is closed any use of
 * them (or of views made from them) throws {@link IllegalStateException}. Copy what must outlive
 * the batch. A batch is used by one thread at a time.
 *
 * <p>On a device backend, copy from the host view once per batch, e.g. {@code
 * cuda.copyIn(deviceX, batch.features(cpu).storage().hostBuffer())}.
 *
 * <pre>{@code
 * try (ArrowBatch batch = ArrowBatch.read(bytes)) {
 *   Tensor x = batch.features(cpu);   // [rows, featureWidth], no copy
 *   Tensor y = batch.labels(cpu);     // [rows] or [rows, targetWidth]
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Size.</b> Over 400 lines: one decoded batch and every view of it (dense, sparse,
 * sequences, targets, weights), with the ownership rules they share.
 */
public final class ArrowBatch implements AutoCloseable {
  private final BufferAllocator allocator;
  private final ArrowStreamReader reader;
  private final int rows;
  private final int partition;
  private final long firstRow;
  private final Float4Vector featureData;
  private final int featureWidth;
  /** Sparse features: the values' list (its offsets are the row starts) and the columns' entries; else null. */
  private final ListVector sparseValues;
  private final Float4Vector sparseColumns;
  private ArrowBuf rowStarts;
  private CsrMatrix sparseFeatures;
  private final Float4Vector labelData;
  private final int targetWidth;
  private final boolean vectorTarget;
  private final Float4Vector weightData;
  private final Float4Vector lengthData;
  private final List<Tensor> lent = new ArrayList<>(4);
  private Tensor features;
  private Tensor labels;
  private Tensor weights;
  private Tensor lengths;
  private boolean closed;

  private ArrowBatch(BufferAllocator allocator, ArrowStreamReader reader, VectorSchemaRoot root) {
    this.allocator = allocator;
    this.reader = reader;
    Map<String, String> meta = root.getSchema().getCustomMetadata();
    String version = meta == null ? null : meta.get(BatchLayout.VERSION_KEY);
    if (!BatchLayout.VERSION.equals(version)) {
      throw new IllegalArgumentException(version == null
          ? "The Arrow stream is not a spark-dl training batch: its schema has no '" + BatchLayout.VERSION_KEY + "' metadata."
          : "The Arrow batch has layout version " + version + "; this reader understands version " + BatchLayout.VERSION + ".");
    }
    this.rows = root.getRowCount();
    this.partition = Integer.parseInt(meta.get(BatchLayout.PARTITION_KEY));
    this.firstRow = Long.parseLong(meta.get(BatchLayout.FIRST_ROW_KEY));
    FieldVector f = required(root, BatchLayout.FEATURES);
    if (f instanceof ListVector list) {
      FieldVector c = required(root, BatchLayout.FEATURE_COLUMNS);
      String width = meta.get(BatchLayout.FEATURE_WIDTH_KEY);
      if (!(c instanceof ListVector columnList) || width == null) {
        throw layoutError(c, "List<float32> beside sparse features, with the width in the schema metadata");
      }
      this.sparseValues = list;
      this.featureData = floats(list.getDataVector(), f);
      this.sparseColumns = floats(columnList.getDataVector(), c);
      this.featureWidth = Integer.parseInt(width);
    } else if (f instanceof FixedSizeListVector fixed) {
      this.sparseValues = null;
      this.sparseColumns = null;
      this.featureData = floats(f);
      this.featureWidth = fixed.getListSize();
    } else {
      throw layoutError(f, "FixedSizeList<float32> or, for sparse features, List<float32>");
    }
    FieldVector l = required(root, BatchLayout.LABEL);
    this.vectorTarget = l instanceof FixedSizeListVector;
    this.labelData = floats(l);
    this.targetWidth = vectorTarget ? ((FixedSizeListVector) l).getListSize() : 1;
    FieldVector w = root.getVector(BatchLayout.WEIGHT);
    this.weightData = w == null ? null : floats(w);
    FieldVector n = root.getVector(BatchLayout.LENGTHS);
    this.lengthData = n == null ? null : floats(n);
  }

  /**
   * Loads a batch from the bytes {@link BatchEncoder} produced (one Arrow IPC stream). The bytes
   * are copied once into Arrow memory; everything after that is a view.
   *
   * @throws IllegalArgumentException when the bytes are not such a batch
   */
  public static ArrowBatch read(byte[] ipc) {
    return read(new ByteArrayInputStream(ipc), ipc.length + " bytes", ArrowMemory.root());
  }

  /**
   * Reads a batch from the parts of an IPC stream, in order, as {@link BatchSink} hands them over
   * (no copy of the whole stream on the heap).
   *
   * @throws IllegalArgumentException when the bytes are not such a batch
   * @throws org.apache.arrow.memory.OutOfMemoryException when Arrow cannot allocate the batch
   */
  public static ArrowBatch read(java.util.List<byte[]> parts) {
    return read(parts, ArrowMemory.root());
  }

  /** {@link #read(java.util.List)} into a child of {@code parent}. */
  static ArrowBatch read(java.util.List<byte[]> parts, BufferAllocator parent) {
    long n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    return read(Parts.stream(parts), n + " bytes in " + parts.size() + " parts", parent);
  }

  /**
   * Reads a batch from a file holding what {@link BatchEncoder} wrote, straight into Arrow memory
   * (no copy of the whole file on the heap).
   *
   * @throws IllegalArgumentException when the file cannot be read or is not a training batch
   */
  public static ArrowBatch read(java.nio.file.Path file) {
    java.io.InputStream in;
    try {
      in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read an Arrow training batch from " + file + ": " + e.getMessage(), e);
    }
    return read(in, file.toString(), ArrowMemory.root());
  }

  /**
   * The batch in {@code in}. Running out of Arrow memory is not a malformed batch: that {@link
   * org.apache.arrow.memory.OutOfMemoryException} is thrown as it is, for the task to report as
   * a memory failure (wrapped, its cause, an {@link OutOfMemoryError} of Netty's, would make
   * Spark end the executor).
   */
  private static ArrowBatch read(java.io.InputStream in, String source, BufferAllocator parent) {
    BufferAllocator allocator = parent.newChildAllocator("batch", 0, Long.MAX_VALUE);
    ArrowStreamReader reader = null;
    try {
      reader = new ArrowStreamReader(in, allocator);
      if (!reader.loadNextBatch()) {
        throw new IllegalArgumentException("The Arrow stream holds no record batch.");
      }
      return new ArrowBatch(allocator, reader, reader.getVectorSchemaRoot());
    } catch (IOException | RuntimeException e) {
      if (reader == null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // the allocator is what matters
        }
      }
      release(reader, allocator);
      if (e instanceof IllegalArgumentException || e instanceof org.apache.arrow.memory.OutOfMemoryException) {
        throw (RuntimeException) e;
      }
      throw new IllegalArgumentException("Cannot read an Arrow training batch from " + source + ": " + e.getMessage(), e);
    }
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }

  /** Values per row of the features. */
  public int featureWidth() {
    return featureWidth;
  }

  /** Values per row of the label or target (1 for a scalar label). */
  public int targetWidth() {
    return targetWidth;
  }

  /** True when the target is a vector column, so {@link #labels} has shape {@code [rows, targetWidth]}. */
  public boolean vectorTarget() {
    return vectorTarget;
  }

  /** True when the batch carries per-row weights. */
  public boolean hasWeights() {
    return weightData != null;
  }

  /** True when the batch carries each row's sequence length ({@link FeatureInput#lengths()}). */
  public boolean hasLengths() {
    return lengthData != null;
  }

  /** The partition the rows came from. */
  public int partition() {
    return partition;
  }

  /** Position of this batch's first row within its partition (0-based). */
  public long firstRow() {
    return firstRow;
  }

  /** Whether the features are sparse rows ({@link #sparseFeatures}) rather than a dense tensor. */
  public boolean hasSparseFeatures() {
    return sparseValues != null;
  }

  /**
   * The sparse features as CSR rows {@code [rows, featureWidth]}: columns and values are borrowed
   * views of the Arrow buffers, the row starts a float copy of the list's offsets in this batch's
   * Arrow memory; all revoked and freed with the batch.
   *
   * @throws IllegalStateException when the features are dense ({@link #hasSparseFeatures()})
   */
  public CsrMatrix sparseFeatures(HostBackend backend) {
    checkOpen();
    if (sparseValues == null) {
      throw new IllegalStateException("This batch's features are dense; use features().");
    }
    if (sparseFeatures == null || Backend.of(sparseFeatures.values()) != backend) {
      if (rowStarts == null) {
        ArrowBuf offsets = sparseValues.getOffsetBuffer();
        rowStarts = allocator.buffer(4L * (rows + 1));
        for (int i = 0; i <= rows; i++) {
          rowStarts.setFloat(4L * i, rows == 0 ? 0 : offsets.getInt(4L * i));
        }
      }
      int entries = rows == 0 ? 0 : sparseValues.getOffsetBuffer().getInt(4L * rows);
      if (entries > BatchEncoder.MAX_SPARSE_ENTRIES) {
        throw new IllegalStateException("This batch holds " + entries + " sparse entries; float32 row starts address at most "
            + BatchEncoder.MAX_SPARSE_ENTRIES + " (a row of more than 2^23 non-zeros cannot be trained on).");
      }
      sparseFeatures = new CsrMatrix(lend(ArrowTensors.borrow(backend, rowStarts, Shape.of(rows + 1))),
          lend(ArrowTensors.borrow(backend, sparseColumns.getDataBuffer(), Shape.of(entries))),
          lend(ArrowTensors.borrow(backend, featureData.getDataBuffer(), Shape.of(entries))), featureWidth);
    }
    return sparseFeatures;
  }

  /**
   * The features as a borrowed {@code [rows, featureWidth]} tensor over the Arrow buffer.
   *
   * @throws IllegalStateException when the features are sparse ({@link #hasSparseFeatures()})
   */
  public Tensor features(HostBackend backend) {
    checkOpen();
    if (sparseValues != null) {
      throw new IllegalStateException("This batch's features are sparse rows; use sparseFeatures().");
    }
    if (features == null || Backend.of(features) != backend) {
      features = lend(ArrowTensors.borrow(backend, featureData.getDataBuffer(), Shape.of(rows, featureWidth)));
    }
    return features;
  }

  /**
   * The labels as a borrowed tensor over the Arrow buffer: {@code [rows]} for a scalar label,
   * {@code [rows, targetWidth]} for a vector target.
   */
  public Tensor labels(HostBackend backend) {
    checkOpen();
    if (labels == null || Backend.of(labels) != backend) {
      Shape shape = vectorTarget ? Shape.of(rows, targetWidth) : Shape.of(rows);
      labels = lend(ArrowTensors.borrow(backend, labelData.getDataBuffer(), shape));
    }
    return labels;
  }

  /**
   * The weights as a borrowed {@code [rows]} tensor over the Arrow buffer.
   *
   * @throws IllegalStateException when the batch has no weights ({@link #hasWeights()})
   */
  public Tensor weights(HostBackend backend) {
    checkOpen();
    if (weightData == null) {
      throw new IllegalStateException("This batch has no weights; its encoder was given no weight column.");
    }
    if (weights == null || Backend.of(weights) != backend) {
      weights = lend(ArrowTensors.borrow(backend, weightData.getDataBuffer(), Shape.of(rows)));
    }
    return weights;
  }

  /**
   * Each row's sequence length as a borrowed {@code [rows, 1]} tensor over the Arrow buffer: the
   * network's {@code lengths} input.
   *
   * @throws IllegalStateException when the batch has no lengths ({@link #hasLengths()})
   */
  public Tensor lengths(HostBackend backend) {
    checkOpen();
    if (lengthData == null) {
      throw new IllegalStateException("This batch has no lengths; its features are not sequences read for a 'lengths' input.");
    }
    if (lengths == null || Backend.of(lengths) != backend) {
      lengths = lend(ArrowTensors.borrow(backend, lengthData.getDataBuffer(), Shape.of(rows, 1)));
    }
    return lengths;
  }

  /** Revokes every tensor handed out and frees the Arrow memory. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Tensor t : lent) {
      ArrowTensors.revoke(t);
    }
    lent.clear();
    if (rowStarts != null) {
      rowStarts.close();
      rowStarts = null;
    }
    release(reader, allocator);
  }

  @Override
  public String toString() {
    return "ArrowBatch(" + rows + " rows of partition " + partition + " from row " + firstRow + ", features " + featureWidth
        + ", target " + targetWidth + (weightData != null ? ", weighted" : "") + (lengthData != null ? ", lengths" : "")
        + (closed ? ", closed" : "") + ")";
  }

  /** The Arrow vector behind {@link #features}; for tests proving the view copies nothing. */
  Float4Vector featureValues() {
    return featureData;
  }

  /** The Arrow vector behind {@link #labels}. */
  Float4Vector labelValues() {
    return labelData;
  }

  /** The Arrow vector behind {@link #weights}, or null. */
  Float4Vector weightValues() {
    return weightData;
  }

  private Tensor lend(Tensor t) {
    lent.add(t);
    return t;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This Arrow batch is closed; its memory was freed.");
    }
  }

  private static FieldVector required(VectorSchemaRoot root, String name) {
    FieldVector v = root.getVector(name);
    if (v == null) {
      throw new IllegalArgumentException("The Arrow training batch has no '" + name + "' column; columns: " + root.getSchema().getFields() + ".");
    }
    return v;
  }

  /** The float32 vector holding a column's values: the column itself or its fixed-size list's child. */
  private static Float4Vector floats(FieldVector v) {
    return floats(v instanceof FixedSizeListVector list ? list.getDataVector() : v, v);
  }

  private static Float4Vector floats(FieldVector data, FieldVector column) {
    if (!(data instanceof Float4Vector f)) {
      throw layoutError(column, "float32 values");
    }
    return f;
  }

  private static IllegalArgumentException layoutError(FieldVector v, String expected) {
    return new IllegalArgumentException(
        "Column '" + v.getName() + "' of the Arrow training batch has type " + v.getField().getType() + "; expected " + expected + ".");
  }

  private static void release(ArrowStreamReader reader, BufferAllocator allocator) {
    try {
      if (reader != null) {
        reader.close();
      }
    } catch (IOException e) {
      // The reader's source is an in-memory array or a local file read to its end; nothing is lost.
    } finally {
      allocator.close();
    }
  }
}
