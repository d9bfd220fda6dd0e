package org.sparkdl.arrow;

import org.apache.spark.rdd.InputFileBlockHolder;

/**
 * Where in its input file the row a task is reading comes from, followed row by row through the
 * file Spark's scan reads ({@code input_file_name()}'s source), so that an error about a bad row
 * can name the file and the row there: what a user can open, where "row 200 of partition 1" is not.
 * Empty when the rows are not read from files by this task (in-memory data, a shuffle, a cache).
 */
public final class InputFilePosition {
  private String file = "";
  private long start;
  private long row;

  /** Moves to the next row; call once per row, before reading it. */
  public void next() {
    String now = InputFileBlockHolder.getInputFilePath().toString();
    long from = InputFileBlockHolder.getStartOffset();
    if (now.equals(file) && from == start) {
      row++;
    } else {
      file = now;
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
