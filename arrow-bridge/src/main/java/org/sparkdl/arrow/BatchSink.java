package org.sparkdl.arrow;

import java.util.SplittableRandom;
import org.apache.spark.sql.Row;

/**
 * Encodes rows pushed one at a time (the way a partition streams past, e.g. split between a
 * training and a validation sink) into training batches of at most {@code batchSize} rows, each
 * shuffled as it fills and handed over as soon as it is full ({@link #take()}; for sparse features,
 * also when its entries reach the encoder's budget): the memory in use
 * is that of one batch, never a copy of the partition's rows.
 *
 * <p><b>Shuffling.</b> With a seed, the rows of each batch are put in a uniformly random order by
 * the inside-out Fisher-Yates shuffle, which needs no row count in advance: the {@code k}-th row
 * of a batch goes to a random slot {@code j <= k}, whose row moves to slot {@code k}. Batch {@code
 * b} draws from a generator seeded by the seed and {@code b}. Rows never move between batches:
 * a partition larger than one batch is shuffled within windows of {@code batchSize} input rows.
 *
 * <p>Rows are checked as by {@link BatchEncoder}; errors name the position the caller gives.
 * Obtain one from {@link BatchEncoder#sink}; not thread-safe.
 */
public final class BatchSink implements AutoCloseable {
  /** Rows allocated for a batch at first; the vectors double as rows come, up to the batch size. */
  static final int FIRST_CAPACITY = 1024;

  private final BatchBuilder builder;
  private final int batchSize;
  private final long maxEntries;
  private final long seed;
  private final boolean shuffle;
  private SplittableRandom random;
  private int index;
  private Batch full;
  private int filled;
  private long firstRow = -1;
  private boolean finished;

  /**
   * One serialized batch.
   *
   * @param index its position among the sink's batches (0, 1, ...)
   * @param rows its number of rows
   * @param parts the Arrow IPC stream in parts of {@link Parts#PART_BYTES} but the last ({@link
   *     ArrowBatch#read(java.util.List)} reads them)
   */
  public record Batch(int index, int rows, byte[][] parts) {
    /** The stream's length in bytes. */
    public long bytes() {
      return Parts.length(parts);
    }

    /** The stream as one array: a copy, for batches small enough to be one. */
    public byte[] ipc() {
      return Parts.join(parts);
    }
  }

  BatchSink(TrainingColumns columns, int batchSize, long maxEntries, boolean validate, int partition, boolean shuffle,
      long seed) {
    this.builder = new BatchBuilder(columns, validate, partition);
    this.batchSize = batchSize;
    this.maxEntries = maxEntries;
    this.shuffle = shuffle;
    this.seed = seed;
  }

  /**
   * Adds a row, checking it. When the row fills the batch, the batch is serialized and waits for
   * {@link #take()}; take it before the next row.
   *
   * @param position the row's position in its partition (0-based), for error messages
   * @throws IllegalArgumentException naming column, row and partition when a value is invalid
   */
  public void add(Row row, long position) {
    if (finished) {
      throw new IllegalStateException("The sink was finished.");
    }
    if (full != null) {
      throw new IllegalStateException("Take the full batch before adding rows.");
    }
    try {
      if (filled == 0) {
        firstRow = position;
        random = shuffle ? new SplittableRandom(seed * 1_000_003L + index) : null;
      }
      builder.reserve(Math.min(batchSize, Math.max(FIRST_CAPACITY, filled == builder.capacity() ? 2 * filled : filled + 1)),
          filled);
      int slot = filled;
      if (random != null) {
        slot = random.nextInt(filled + 1);
        if (slot != filled) {
          builder.copyRow(slot, filled);
        }
      }
      builder.read(row, position, slot);
      filled++;
      if (filled == batchSize || builder.sparseEntries() >= maxEntries) {
        full = flush();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private Batch flush() {
    Batch b = new Batch(index++, filled, builder.serializeParts(filled, firstRow));
    filled = 0;
    return b;
  }

  /** The batch the last row filled, once (null when it did not fill one); the sink keeps no reference to it. */
  public Batch take() {
    Batch b = full;
    full = null;
    return b;
  }

  /**
   * The last batch, partly filled (null when there is none), and the Arrow memory freed. A full
   * batch not yet taken is a programming error.
   */
  public Batch finish() {
    if (full != null) {
      throw new IllegalStateException("Take the full batch before finishing.");
    }
    try {
      return !finished && filled > 0 ? flush() : null;
    } finally {
      close();
    }
  }

  /** Frees the Arrow memory (also done by {@link #finish()} and by a rejected row); idempotent. */
  @Override
  public void close() {
    finished = true;
    builder.close();
  }
}
