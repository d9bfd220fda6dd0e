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
 * @param partition the input partition the rows came from
 * @param validation whether the rows are validation rows
 * @param index the batch's position in its partition's split (0, 1, ...)
 * @param rows the batch's number of rows
 * @param part this part's position in the batch
 * @param parts the batch's number of parts
 * @param bytes this part of the stream
 * @param error what was wrong with the partition's input, for a {@link #failure}; else null
 */
record EncodedPart(int partition, boolean validation, int index, int rows, int part, int parts, byte[] bytes,
    String error) implements Serializable {
  private static final long serialVersionUID = 3L;

  /** A part of a batch. */
  EncodedPart(int partition, boolean validation, int index, int rows, int part, int parts, byte[] bytes) {
    this(partition, validation, index, rows, part, parts, bytes, null);
  }

  /**
   * What a partition's encoding found wrong with its input (a bad row, named), in place of its
   * batches: the driver raises it, so that bad input fails the fit once, without failed tasks.
   */
  static EncodedPart failure(int partition, String message) {
    return new EncodedPart(partition, false, -1, 0, 0, 1, new byte[0], message);
  }

  /** Whether this is its batch's last part. */
  boolean last() {
    return part == parts - 1;
  }
}
