package org.sparkdl.arrow;

import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Reads one {@link InputColumn} of a row as {@code width} float32 values written straight into
 * Arrow memory, checking the row on the way (the validating pass). Shared by the training encoder
 * and the scorer so both report bad rows in the same words.
 *
 * <p>Null values and wrong sizes are always checked: they cost one comparison per row, and missing
 * them would misalign every later row or write past the row's slot. With {@code validate} off, only
 * the per-value scans are skipped (NaN, infinity, float32 overflow, negative weights).
 *
 * <p>Nothing is allocated per row: dense double values are narrowed into one reused heap row and
 * copied in bulk, sparse vectors are densified by zeroing the row's slot and writing the active
 * entries. From an {@link InternalRowView}, vectors are read where Spark keeps them.
 */
final class ColumnReader {
  private final InputColumn column;
  private final int width;
  private final boolean validate;
  private final int partition;
  /** A dense row narrowed to float32 before its bulk write; made on the first dense row. */
  private float[] narrowed;

  /** {@code width} was checked against the column by the caller ({@link TrainingColumns#checkWidth}). */
  ColumnReader(InputColumn column, int width, boolean validate, int partition) {
    this.column = column;
    this.width = width;
    this.validate = validate;
    this.partition = partition;
  }

  /**
   * Writes {@code row}'s value as {@code width} floats at byte offset {@code at} of {@code buf}.
   *
   * @param rowIndex the row's position in its partition (0-based), for error messages
   * @throws IllegalArgumentException naming column, row and partition when the value is invalid
   */
  void read(Row row, long rowIndex, ArrowBuf buf, long at) {
    int i = column.index();
    if (row.isNullAt(i)) {
      throw rowError(rowIndex, column.isScalar() ? "null; expected a number." : "null; expected a vector of " + count(width) + ".");
    }
    if (column.kind() == InputColumn.Kind.VECTOR && row instanceof InternalRowView view && view.isVector(i)) {
      readVector(view, i, rowIndex, buf, at);
      return;
    }
    Object v = row.get(i);
    switch (column.kind()) {
      case NUMBER -> readNumber(((Number) v).doubleValue(), rowIndex, buf, at);
      case VECTOR -> readVector((Vector) v, rowIndex, buf, at);
      default -> readArray(v, rowIndex, buf, at);
    }
  }

  private void readNumber(double d, long rowIndex, ArrowBuf buf, long at) {
    float f = (float) d;
    if (validate) {
      if (!Float.isFinite(f)) {
        throw rowError(rowIndex, Double.isFinite(d) ? d + " does not fit in float32." : d + ".");
      }
      if (column.role() == InputColumn.Role.WEIGHT && f < 0) {
        throw rowError(rowIndex, d + " is negative; weights must be >= 0.");
      }
    }
    buf.setFloat(at, f);
  }

  private void readVector(Vector v, long rowIndex, ArrowBuf buf, long at) {
    checkSize(v.size(), rowIndex);
    if (v instanceof DenseVector dv) {
      putAll(dv.values(), rowIndex, buf, at);
    } else if (v instanceof SparseVector sv) {
      buf.setZero(at, 4L * width);
      int[] indices = sv.indices();
      double[] values = sv.values();
      for (int k = 0; k < indices.length; k++) {
        put(values[k], indices[k], rowIndex, buf, at);
      }
    } else {
      throw rowError(rowIndex, "a " + v.getClass().getName() + "; expected a DenseVector or SparseVector.");
    }
  }

  /** A vector read in place from Spark's internal row, as {@link #readVector(Vector, long, ArrowBuf, long)} reads a {@code Vector}. */
  private void readVector(InternalRowView view, int i, long rowIndex, ArrowBuf buf, long at) {
    checkSize(view.vectorSize(i), rowIndex);
    ArrayData indices = view.vectorIndices(i);
    if (indices == null) {
      putAll(view.denseValues(i), rowIndex, buf, at);
    } else {
      ArrayData values = view.vectorValues(i);
      buf.setZero(at, 4L * width);
      for (int k = 0; k < values.numElements(); k++) {
        put(values.getDouble(k), indices.getInt(k), rowIndex, buf, at);
      }
    }
  }

  private void readArray(Object value, long rowIndex, ArrowBuf buf, long at) {
    Object a = ArrayValues.unwrap(value);
    checkSize(ArrayValues.length(a), rowIndex);
    if (a instanceof float[] f) {
      for (int j = 0; j < width; j++) {
        float x = f[j];
        if (validate && !Float.isFinite(x)) {
          throw rowError(rowIndex, x + " at index " + j + ".");
        }
        buf.setFloat(at + 4L * j, x);
      }
    } else if (a instanceof double[] d) {
      putAll(d, rowIndex, buf, at);
    } else {
      for (int j = 0; j < width; j++) {
        Object e = ArrayValues.element(a, j);
        if (e == null) {
          throw rowError(rowIndex, "null at index " + j + ".");
        }
        put(((Number) e).doubleValue(), j, rowIndex, buf, at);
      }
    }
  }

  /**
   * {@code values} narrowed to float32 at {@code at}: converted into a heap row and written in one
   * bulk copy (a write per value through the Arrow buffer checks its bounds every time, which cost
   * a quarter of an MLP's scoring); a row holding a value that is not a finite float32 goes through
   * {@link #put} value by value, which names the first.
   */
  private void putAll(double[] values, long rowIndex, ArrowBuf buf, long at) {
    float[] out = narrowed != null ? narrowed : (narrowed = new float[width]);
    // two loops: the conversion alone is vectorised, which halves the row's time against one loop doing both
    for (int j = 0; j < width; j++) {
      out[j] = (float) values[j];
    }
    if (validate && !allFinite(out)) {
      for (int j = 0; j < width; j++) {
        put(values[j], j, rowIndex, buf, at);
      }
      return;
    }
    buf.nioBuffer(at, 4 * width).order(ByteOrder.nativeOrder()).asFloatBuffer().put(out, 0, width);
  }

  /** Whether every value of {@code row} is a finite float32 (not NaN, not infinite, not overflowed). */
  private boolean allFinite(float[] row) {
    // the largest |value| without an early exit, a loop HotSpot vectorises (1.4x faster than stopping at the first bad
    // value, which almost never comes); a NaN anywhere makes the maximum NaN
    float largest = 0;
    for (int j = 0; j < width; j++) {
      largest = Math.max(largest, Math.abs(row[j]));
    }
    return largest <= Float.MAX_VALUE;
  }

  private void put(double d, int j, long rowIndex, ArrowBuf buf, long at) {
    float f = (float) d;
    if (validate && !Float.isFinite(f)) {
      throw rowError(rowIndex, d + " at index " + j + (Double.isFinite(d) ? " does not fit in float32." : "."));
    }
    buf.setFloat(at + 4L * j, f);
  }

  private void checkSize(int found, long rowIndex) {
    if (found != width) {
      String layer = column.role() == InputColumn.Role.FEATURES ? "the input layer" : "the output layer";
      throw rowError(rowIndex, count(found) + "; " + layer + " expects " + width + ".");
    }
  }

  private static String count(int n) {
    return n + (n == 1 ? " value" : " values");
  }

  private IllegalArgumentException rowError(long rowIndex, String what) {
    return rowError(column, partition, rowIndex, what);
  }

  /** The error for a bad value in row {@code rowIndex} of {@code partition}, naming the column. */
  static IllegalArgumentException rowError(InputColumn column, int partition, long rowIndex, String what) {
    return new IllegalArgumentException(
        "Column '" + column.name() + "', row " + rowIndex + " of partition " + partition + ": " + what);
  }
}
