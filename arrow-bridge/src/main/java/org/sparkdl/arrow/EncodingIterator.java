package org.sparkdl.arrow;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * Pulls a partition's rows through a {@link BatchSink} (the one Row-to-Arrow filler of training
 * batches, here without shuffling) and returns each batch of up to {@code batchSize} rows as a
 * self-contained Arrow IPC stream (schema, one record batch, end-of-stream marker).
 *
 * <p><b>Ownership.</b> The sink owns the Arrow memory, allocated with the first row (an empty
 * partition allocates nothing) and released once the last batch is serialized, when reading a row
 * throws, or by {@link #close()}, whichever comes first. The returned byte arrays are plain heap
 * copies that outlive the iterator.
 */
final class EncodingIterator implements Iterator<byte[]>, AutoCloseable {
  private final Iterator<Row> rows;
  private final int partition;
  private final BatchSink sink;
  private long rowIndex;
  private BatchSink.Batch ready;
  private boolean finished;

  EncodingIterator(Iterator<Row> rows, BatchSink sink, int partition) {
    this.rows = rows;
    this.sink = sink;
    this.partition = partition;
  }

  @Override
  public boolean hasNext() {
    while (ready == null && !finished) {
      if (rows.hasNext()) {
        sink.add(rows.next(), rowIndex++);
        ready = sink.take();
      } else {
        finished = true;
        ready = sink.finish();
      }
    }
    return ready != null;
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException("No more batches in partition " + partition + ".");
    }
    byte[] batch = ready.ipc();
    ready = null;
    return batch;
  }

  /** Frees the Arrow memory now; idempotent. Batches already returned stay valid. */
  @Override
  public void close() {
    finished = true;
    sink.close();
  }
}
