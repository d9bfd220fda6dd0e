package org.sparkdl.arrow;

import java.util.Arrays;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

/**
 * Reads one row's features as sparse entries (column and value, float32) appended to growing
 * arrays, checking the row on the way, in the same words as {@link ColumnReader}: the decoder of a
 * {@linkplain FeatureInput#sparse sparse} input in one task. A {@code SparseVector} gives its active
 * entries as stored (explicit zeros included, repeated indices summed by the kernels); a dense
 * vector or array gives its non-zero values. Columns travel as float32, exact up to 2^24, which
 * {@link TrainingColumns#checkWidth} and the input width bound. Used by one thread.
 */
final class SparseRowReader {
  private final InputColumn column;
  private final int width;
  private final boolean validate;
  private final int partition;
  private float[] columns = new float[1024];
  private float[] values = new float[1024];
  private int entries;

  SparseRowReader(InputColumn column, int width, boolean validate, int partition) {
    if (width > 1 << 24) {
      throw new IllegalArgumentException("Column '" + column.name() + "' is read as sparse rows of " + width + " values; at most"
          + " 16,777,216 (2^24) columns are addressable in float32.");
    }
    this.column = column;
    this.width = width;
    this.validate = validate;
    this.partition = partition;
  }

  /** Entries appended so far (since the last {@link #clear}). */
  int entries() {
    return entries;
  }

  /** The columns of the entries appended so far; valid up to {@link #entries()}. */
  float[] columns() {
    return columns;
  }

  /** The values of the entries appended so far; valid up to {@link #entries()}. */
  float[] values() {
    return values;
  }

  /** Forgets every entry (the batch was written). */
  void clear() {
    entries = 0;
  }

  /**
   * Appends {@code row}'s entries.
   *
   * @param rowIndex the row's position in its partition (0-based), for error messages
   * @return the number of entries appended
   * @throws IllegalArgumentException naming column, row and partition when the value is invalid
   */
  int read(Row row, long rowIndex) {
    int i = column.index();
    if (row.isNullAt(i)) {
      throw rowError(rowIndex, "null; expected a vector of " + width + " values.");
    }
    Object v = row.get(i);
    int before = entries;
    if (column.kind() == InputColumn.Kind.VECTOR) {
      Vector vector = (Vector) v;
      checkSize(vector.size(), rowIndex);
      if (vector instanceof SparseVector sv) {
        int[] idx = sv.indices();
        double[] val = sv.values();
        room(idx.length);
        for (int k = 0; k < idx.length; k++) {
          append(idx[k], val[k], rowIndex);
        }
      } else if (vector instanceof DenseVector dv) {
        appendNonZeros(dv.values(), rowIndex);
      } else {
        throw rowError(rowIndex, "a " + v.getClass().getName() + "; expected a DenseVector or SparseVector.");
      }
    } else {
      Object a = ArrayValues.unwrap(v);
      checkSize(ArrayValues.length(a), rowIndex);
      if (a instanceof double[] d) {
        appendNonZeros(d, rowIndex);
      } else {
        for (int j = 0; j < width; j++) {
          Object e = ArrayValues.element(a, j);
          if (e == null) {
            throw rowError(rowIndex, "null at index " + j + ".");
          }
          double x = ((Number) e).doubleValue();
          if (x != 0 || Double.isNaN(x)) {
            room(1);
            append(j, x, rowIndex);
          }
        }
      }
    }
    return entries - before;
  }

  private void appendNonZeros(double[] d, long rowIndex) {
    for (int j = 0; j < d.length; j++) {
      if (d[j] != 0 || Double.isNaN(d[j])) {
        room(1);
        append(j, d[j], rowIndex);
      }
    }
  }

  private void room(int more) {
    if (entries + more > columns.length) {
      int n = Math.max(entries + more, 2 * columns.length);
      columns = Arrays.copyOf(columns, n);
      values = Arrays.copyOf(values, n);
    }
  }

  private void append(int index, double d, long rowIndex) {
    float f = (float) d;
    if (validate && !Float.isFinite(f)) {
      throw rowError(rowIndex, d + " at index " + index + (Double.isFinite(d) ? " does not fit in float32." : "."));
    }
    columns[entries] = index;
    values[entries] = f;
    entries++;
  }

  private void checkSize(int found, long rowIndex) {
    if (found != width) {
      throw rowError(rowIndex, found + (found == 1 ? " value" : " values") + "; the input layer expects " + width + ".");
    }
  }

  private IllegalArgumentException rowError(long rowIndex, String what) {
    return ColumnReader.rowError(column, partition, rowIndex, what);
  }
}
