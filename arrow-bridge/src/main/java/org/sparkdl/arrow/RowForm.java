package org.sparkdl.arrow;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
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
   * InternalRowView} (a vector is read where Spark keeps it), each is held as its own copy (sources
   * reuse their rows), and an output row is the input joined to the appended values in Spark's
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

      @Override
      public InternalRow hold(InternalRow row) {
        return row.copy();
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
