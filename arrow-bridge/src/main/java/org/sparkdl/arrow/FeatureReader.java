package org.sparkdl.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.spark.sql.Row;

/**
 * Reads one row's features as float32 values straight into Arrow memory, checking the row on the
 * way: the decoder of one {@link FeatureInput} in one task ({@link FeatureInput#reader}). Used by
 * one thread; allocates nothing per row beyond what decoding an image needs.
 */
interface FeatureReader {
  /**
   * Writes {@code row}'s features, {@link FeatureInput#width()} floats, at byte offset {@code at}
   * of {@code buf}.
   *
   * @param rowIndex the row's position in its partition (0-based), for error messages
   * @return the row's number of steps for sequence and token columns, else 0
   * @throws IllegalArgumentException naming column, row and partition when the value is invalid
   */
  int read(Row row, long rowIndex, ArrowBuf buf, long at);
}
