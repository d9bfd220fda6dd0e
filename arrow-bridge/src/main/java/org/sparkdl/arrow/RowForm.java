package org.sparkdl.arrow;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import scala.Function1;

/**
 * The form of the rows a {@link ScoringIterator} scores: how the feature readers see an input row,
 * what the iterator holds of it until its batch is scored, and the output row made of it and its
 * appended prediction values. Used by one thread.
 *
 * @param <T> the input rows
 * @param <R> the output rows
 */
interface RowForm<T, R> {
  /** {@code row} as the feature readers read it, valid until the next call. */
  Row read(T row);

  /** What stays of {@code row} until its batch is out (the row itself where the source does not reuse rows). */
  T hold(T row);

  /**
   * A new batch begins: the rows held for the last one are out, and whoever took their output
   * rows has moved on (Spark's iterators keep a returned row valid until the next call).
   */
  default void newBatch() {}

  /** The output row: {@code held}'s columns followed by {@code appended} (the prediction columns' values as {@code Row}s hold them). */
  R emit(T held, Object[] appended);

  /** {@link Row}s in and out: an output row copies the input's values. */
  static RowForm<Row, Row> external() {
    return new RowForm<>() {
      @Override
      public Row read(Row row) {
        return row;
      }

      @Override
      public Row hold(Row row) {
        return row;
      }

      @Override
      public Row emit(Row held, Object[] appended) {
        int width = held.length();
        Object[] values = new Object[width + appended.length];
        for (int i = 0; i < width; i++) {
          values[i] = held.get(i);
        }
        System.arraycopy(appended, 0, values, width, appended.length);
        return RowFactory.create(values);
      }
    };
  }

  /**
   * Spark's internal rows of {@code schema} in and out: the readers see them through an {@link
   * InternalRowView} (a vector is read where Spark keeps it), each is held as a copy (sources reuse
   * their rows; an {@code UnsafeRow}'s bytes are copied into an array the form reuses batch after
   * batch), and an output row is the input joined to the appended values in Spark's
   * internal types, so no input column is converted to a {@code Row}'s types and back.
   */
  static RowForm<InternalRow, InternalRow> internal(StructType schema, List<StructField> appendedFields) {
    InternalRowView view = InternalRowView.of(schema);
    @SuppressWarnings("unchecked")
    Function1<Object, Object>[] toInternal = new Function1[appendedFields.size()];
    for (int i = 0; i < toInternal.length; i++) {
      toInternal[i] = CatalystTypeConverters.createToCatalystConverter(appendedFields.get(i).dataType());
    }
    return new RowForm<>() {
      @Override
      public Row read(InternalRow row) {
        return view.at(row);
      }

      /** The held rows' bytes, batch after batch (a copy of its own for each row was 6 KB of garbage per MNIST row). */
      private byte[] arena = new byte[0];
      private int used;
      /** The held rows, reused batch after batch, each pointing into the arena. */
      private UnsafeRow[] held = new UnsafeRow[0];
      private int count;

      @Override
      public void newBatch() {
        used = 0;
        count = 0;
      }

      @Override
      public InternalRow hold(InternalRow row) {
        if (!(row instanceof UnsafeRow u)) {
          return row.copy();
        }
        int size = u.getSizeInBytes();
        if (used + size > arena.length) {
          // rows already held keep the old array alive; this batch's next rows go to a larger one
          arena = new byte[Math.max(2 * arena.length, size * 64)];
          used = 0;
        }
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset(), arena, Platform.BYTE_ARRAY_OFFSET + used, size);
        if (count == held.length) {
          held = java.util.Arrays.copyOf(held, Math.max(64, 2 * count));
        }
        UnsafeRow h = held[count];
        if (h == null || h.numFields() != u.numFields()) {
          h = new UnsafeRow(u.numFields());
          held[count] = h;
        }
        h.pointTo(arena, Platform.BYTE_ARRAY_OFFSET + used, size);
        used += size;
        count++;
        return h;
      }

      @Override
      public InternalRow emit(InternalRow held, Object[] appended) {
        Object[] values = new Object[appended.length];
        for (int i = 0; i < values.length; i++) {
          values[i] = toInternal[i].apply(appended[i]);
        }
        return new JoinedRow(held, new GenericInternalRow(values));
      }
    };
  }
}
