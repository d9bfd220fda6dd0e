package org.sparkdl.arrow;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * Pulls up to {@code batchSize} rows at a time from a partition, writes them into one reused set
 * of Arrow vectors ({@link BatchBuilder}), and returns each batch as a self-contained Arrow IPC
 * stream (schema, one record batch, end-of-stream marker).
 *
 * <p><b>Ownership.</b> Owns the builder's Arrow memory, allocated with the first batch (an empty
 * partition allocates nothing) and released as soon as the last batch is serialized, when reading
 * a row throws, or by {@link #close()}, whichever comes first. The returned byte arrays are plain
 * heap copies that outlive the iterator.
 */
final class EncodingIterator implements Iterator<byte[]>, AutoCloseable {
  private final Iterator<Row> rows;
  private final int batchSize;
  private final int partition;
  private final BatchBuilder builder;
  private long rowIndex;
  private boolean closed;

  EncodingIterator(Iterator<Row> rows, TrainingColumns columns, int batchSize, boolean validate, int partition) {
    this.rows = rows;
    this.batchSize = batchSize;
    this.partition = partition;
    this.builder = new BatchBuilder(columns, validate, partition);
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
    builder.reserve(batchSize, 0);
    long first = rowIndex;
    int n = 0;
    while (n < batchSize && rows.hasNext()) {
      Row row = rows.next();
      builder.read(row, rowIndex, n);
      n++;
      rowIndex++;
    }
    byte[] batch = builder.serialize(n, first);
    if (!rows.hasNext()) {
      close();
    }
    return batch;
  }

  /** Frees the Arrow memory now; idempotent. Batches already returned stay valid. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    builder.close();
  }
}
