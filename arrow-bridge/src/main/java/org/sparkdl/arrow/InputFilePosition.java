package org.sparkdl.arrow;

import org.apache.spark.rdd.InputFileBlockHolder;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Where in its input file the row a task is reading comes from, followed row by row through the
 * file Spark's scan reads ({@code input_file_name()}'s source), so that an error about a bad row
 * can name the file and the row there: what a user can open, where "row 200 of partition 1" is not.
 * Empty when the rows are not read from files by this task (in-memory data, a shuffle, a cache).
 */
public final class InputFilePosition {
  private String file = "";
  /** Spark's own value of the current file's path: the same object for every row of one file. */
  private UTF8String path;
  private long start;
  private long row;

  /** Moves to the next row; call once per row, before reading it (no allocation while the file stays the same). */
  public void next() {
    UTF8String now = InputFileBlockHolder.getInputFilePath();
    long from = InputFileBlockHolder.getStartOffset();
    if (from == start && (now == path || now.equals(path))) {
      row++;
    } else {
      path = now;
      file = now.toString();
      start = from;
      row = 0;
    }
  }

  /**
   * {@code e} with the current row's file and row there added to its message, or {@code e} itself
   * when the row was not read from a file.
   */
  public IllegalArgumentException locate(IllegalArgumentException e) {
    if (file.isEmpty()) {
      return e;
    }
    return new IllegalArgumentException(e.getMessage() + " (input file " + file + ", row " + row + (start <= 0
        ? " of the file" : " of its split from byte " + start) + ", counting from 0)", e);
  }
}
