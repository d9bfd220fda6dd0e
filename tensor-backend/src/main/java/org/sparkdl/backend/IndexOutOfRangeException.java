package org.sparkdl.backend;

/**
 * An index tensor held a value that does not name a row: not an integer, or outside {@code [0,
 * limit)}. Carries the offending element's position (row-major, in the index tensor) and value, so
 * that a layer can name the example and step in its own message.
 */
public final class IndexOutOfRangeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int position;
  private final double value;
  private final int limit;

  /**
   * @param position row-major position of the bad element in the index tensor
   * @param value the element
   * @param limit the number of rows, so valid indices are {@code 0 .. limit - 1}
   */
  public IndexOutOfRangeException(int position, double value, int limit) {
    super("Index " + value + " at position " + position + " is not an integer in [0, " + limit + ").");
    this.position = position;
    this.value = value;
    this.limit = limit;
  }

  /** Row-major position of the bad element in the index tensor. */
  public int position() {
    return position;
  }

  /** The bad element. */
  public double value() {
    return value;
  }

  /** The number of rows indexed. */
  public int limit() {
    return limit;
  }
}
