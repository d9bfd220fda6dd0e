package org.sparkdl.ml;

import java.io.Serializable;

/**
 * One part of an encoded batch's Arrow IPC stream (at most {@link org.sparkdl.arrow.Parts#PART_BYTES}),
 * the element of the persisted encoded RDD. A batch (up to {@code spark.sparkdl.encode.batchBytes})
 * is a run of parts {@code 0 .. parts - 1} in order, never interleaved with another batch's. The
 * elements are small so that Spark's block manager, which checks its memory only every few
 * elements while it caches a partition and keeps the last hundred elements it wrote to disk
 * reachable, holds a bounded amount of a partition on the heap whatever the batch size; and a
 * training task can write a batch to a file, or decode it, part by part.
 *
 * @param partition the encoded partition (the input partition, or its slice when the input is dealt out)
 * @param validation whether the rows are validation rows
 * @param index the batch's position in its partition's split (0, 1, ...)
 * @param rows the batch's number of rows
 * @param part this part's position in the batch
 * @param parts the batch's number of parts
 * @param bytes this part of the stream
 * @param error what was wrong with the partition's input, for a {@link #failure}; else null
 * @param badRow for a {@link #failure}, the bad row's position in its input partition; else -1
 */
record EncodedPart(int partition, boolean validation, int index, int rows, int part, int parts, byte[] bytes,
    String error, long badRow) implements Serializable {
  private static final long serialVersionUID = 4L;

  /** A part of a batch. */
  EncodedPart(int partition, boolean validation, int index, int rows, int part, int parts, byte[] bytes) {
    this(partition, validation, index, rows, part, parts, bytes, null, -1);
  }

  /**
   * What a partition's encoding found wrong with its input (the bad row at {@code badRow} of its
   * input partition, named in {@code message}), in place of its batches: the driver raises it, so
   * that bad input fails the fit once, without failed tasks.
   */
  static EncodedPart failure(int partition, long badRow, String message) {
    return new EncodedPart(partition, false, -1, 0, 0, 1, new byte[0], message, badRow);
  }

  /** Whether this is its batch's last part. */
  boolean last() {
    return part == parts - 1;
  }
}
