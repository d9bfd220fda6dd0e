package org.sparkdl.arrow;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.spark.sql.Row;

/**
 * Reads a sequence column into a zero-padded block: {@code array<array<float|double>>} rows of 1
 * to T steps of F values into {@code [T, F]}, or {@code array<int|long>} rows of 1 to T token ids
 * into {@code [T]}; returns each row's number of steps for the {@code lengths} input.
 *
 * <p>Always checked, since they would corrupt the batch or the ids: null rows, steps and values,
 * empty and too long sequences, steps of another width, and token ids outside {@code [0, 2^24]}
 * (the integers float32 holds exactly). With {@code validate} on, step values are also checked
 * for NaN, infinity and float32 overflow.
 */
final class SequenceReader implements FeatureReader {
  /** The largest token id float32 represents exactly, with every id below it. */
  static final long MAX_TOKEN = 1L << 24;

  private final InputColumn column;
  private final int[] shape;
  private final boolean tokens;
  private final boolean validate;
  private final int partition;

  SequenceReader(InputColumn column, int[] shape, boolean validate, int partition) {
    this.column = column;
    this.shape = shape;
    this.tokens = column.kind() == InputColumn.Kind.TOKENS;
    this.validate = validate;
    this.partition = partition;
  }

  @Override
  public int read(Row row, long rowIndex, ArrowBuf buf, long at) {
    int steps = shape[0];
    int per = tokens ? 1 : shape[1];
    String what = tokens ? "token ids" : "steps";
    if (row.isNullAt(column.index())) {
      throw error(rowIndex, "null; expected a sequence of 1 to " + steps + " " + what
          + (tokens ? "." : " of " + per + (per == 1 ? " value." : " values.")));
    }
    Object seq = ArrayValues.unwrap(row.get(column.index()));
    int n = length(seq);
    if (n == 0) {
      throw error(rowIndex, "an empty sequence; expected 1 to " + steps + " " + what + ".");
    }
    if (n > steps) {
      throw error(rowIndex, n + " " + what + "; the input holds at most " + steps + " (shape " + Arrays.toString(shape) + ").");
    }
    if (tokens) {
      for (int t = 0; t < n; t++) {
        buf.setFloat(at + 4L * t, token(seq, t, rowIndex));
      }
    } else {
      for (int t = 0; t < n; t++) {
        Object step = ArrayValues.element(seq, t);
        if (step == null) {
          throw error(rowIndex, "step " + t + " is null.");
        }
        readStep(ArrayValues.unwrap(step), t, per, rowIndex, buf, at + 4L * t * per);
      }
    }
    if (n < steps) {
      buf.setZero(at + 4L * n * per, 4L * (steps - n) * per);
    }
    return n;
  }

  private float token(Object seq, int t, long rowIndex) {
    long id;
    if (seq instanceof int[] ints) {
      id = ints[t];
    } else if (seq instanceof long[] longs) {
      id = longs[t];
    } else {
      Object e = ArrayValues.element(seq, t);
      if (e == null) {
        throw error(rowIndex, "null at index " + t + ".");
      }
      id = ((Number) e).longValue();
    }
    if (id < 0) {
      throw error(rowIndex, "token id " + id + " at index " + t + " is negative.");
    }
    if (id > MAX_TOKEN) {
      throw error(rowIndex, "token id " + id + " at index " + t + " exceeds " + MAX_TOKEN + ", the largest float32 holds"
          + " exactly.");
    }
    return id;
  }

  private void readStep(Object step, int t, int per, long rowIndex, ArrowBuf buf, long at) {
    int found = length(step);
    if (found != per) {
      throw error(rowIndex, "step " + t + " has " + found + (found == 1 ? " value" : " values") + "; the input expects " + per
          + " (shape " + Arrays.toString(shape) + ").");
    }
    for (int j = 0; j < per; j++) {
      double d;
      if (step instanceof float[] f) {
        d = f[j];
      } else if (step instanceof double[] a) {
        d = a[j];
      } else {
        Object e = ArrayValues.element(step, j);
        if (e == null) {
          throw error(rowIndex, "null at step " + t + ", index " + j + ".");
        }
        d = ((Number) e).doubleValue();
      }
      float x = (float) d;
      if (validate && !Float.isFinite(x)) {
        throw error(rowIndex, d + " at step " + t + ", index " + j + (Double.isFinite(d) ? " does not fit in float32." : "."));
      }
      buf.setFloat(at + 4L * j, x);
    }
  }

  /** Length of an unwrapped array value, including the int and long arrays of token columns. */
  private static int length(Object a) {
    if (a instanceof int[] i) {
      return i.length;
    }
    if (a instanceof long[] l) {
      return l.length;
    }
    return ArrayValues.length(a);
  }

  private IllegalArgumentException error(long rowIndex, String what) {
    return new IllegalArgumentException("Column '" + column.name() + "', row " + rowIndex + " of partition " + partition + ": "
        + what);
  }
}
