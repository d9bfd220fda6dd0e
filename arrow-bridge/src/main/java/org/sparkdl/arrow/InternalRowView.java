package org.sparkdl.arrow;

import java.util.Iterator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import scala.Function1;

/**
 * A row of Spark's internal format ({@link InternalRow}, e.g. from {@code
 * dataset.queryExecution().toRdd()}) seen as a {@link Row}: a value is converted to its external
 * type only when {@link #get} asks for it, and a {@code Vector} column can be read in place
 * ({@link #vectorValues}, {@link #vectorIndices}, {@link #denseValues}) instead of being copied
 * into a new {@code double[]} and wrapped in a {@code DenseVector} for every row, which is most of
 * what turning a partition of vectors into {@code Row}s costs.
 *
 * <p>One view is reused for every row of an iterator ({@link #over}): it is valid until the
 * iterator's next row, as the internal rows themselves are. Readers take what they need at once;
 * {@link #copy()} makes a row that stays.
 */
public final class InternalRowView implements Row {
  private static final long serialVersionUID = 1L;
  /** The fields of Spark ML's {@code VectorUDT} as stored: type (0 sparse, 1 dense), size, indices, values. */
  private static final int VECTOR_FIELDS = 4;
  private static final byte DENSE = 1;

  private final StructType schema;
  private final DataType[] types;
  private final boolean[] vectors;
  private final Function1<Object, Object>[] converters;
  private transient InternalRow row;
  /** The current row's number in the iterator: what the per-row caches below belong to. */
  private long rowNumber;
  /** The current row's vector struct of column {@link #structColumn}, read once per row. */
  private transient InternalRow struct;
  private int structColumn = -1;
  private long structRow = -1;
  /** The current row's dense values of column {@link #denseColumn}, copied once per row. */
  private double[] dense = new double[0];
  private int denseColumn = -1;
  private long denseRow = -1;

  @SuppressWarnings("unchecked")
  private InternalRowView(StructType schema) {
    this.schema = schema;
    int n = schema.fields().length;
    this.types = new DataType[n];
    this.vectors = new boolean[n];
    this.converters = new Function1[n];
    for (int i = 0; i < n; i++) {
      types[i] = schema.fields()[i].dataType();
      vectors[i] = types[i].equals(SQLDataTypes.VectorType());
    }
  }

  /** The rows of {@code rows} (of {@code schema}) through one reused view. */
  public static Iterator<Row> over(StructType schema, Iterator<InternalRow> rows) {
    InternalRowView view = new InternalRowView(schema);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return view.at(rows.next());
      }
    };
  }

  /** A view of rows of {@code schema}, pointed at one row at a time by {@link #at}. */
  static InternalRowView of(StructType schema) {
    return new InternalRowView(schema);
  }

  /** This view, now showing {@code next} (valid as long as {@code next} is). */
  InternalRowView at(InternalRow next) {
    row = next;
    rowNumber++;
    return this;
  }

  @Override
  public StructType schema() {
    return schema;
  }

  @Override
  public int length() {
    return types.length;
  }

  @Override
  public boolean isNullAt(int i) {
    return row.isNullAt(i);
  }

  @Override
  public Object get(int i) {
    if (row.isNullAt(i)) {
      return null;
    }
    Function1<Object, Object> c = converters[i];
    if (c == null) {
      c = CatalystTypeConverters.createToScalaConverter(types[i]);
      converters[i] = c;
    }
    return c.apply(row.get(i, types[i]));
  }

  /** Whether column {@code i} holds Spark ML vectors, which {@link #vectorValues} reads in place. */
  public boolean isVector(int i) {
    return vectors[i];
  }

  /** The vector's length (not null; column {@code i} holds vectors). */
  public int vectorSize(int i) {
    InternalRow v = vector(i);
    return v.getByte(0) == DENSE ? v.getArray(3).numElements() : v.getInt(1);
  }

  /** The values of the vector: all of them for a dense one, the active ones for a sparse one. */
  public ArrayData vectorValues(int i) {
    return vector(i).getArray(3);
  }

  /**
   * A dense vector's values, its first {@link #vectorSize} entries: copied out of Spark's memory
   * once per row, in one block copy where Spark keeps them as {@link UnsafeArrayData}, into an
   * array the view owns and reuses, valid until the next row. Readers of the same row (the
   * encoder's scale hint and its column reader) share the copy.
   *
   * @throws IllegalArgumentException when the row's vector is sparse
   */
  public double[] denseValues(int i) {
    InternalRow v = vector(i);
    if (v.getByte(0) != DENSE) {
      throw new IllegalArgumentException("Column '" + schema.fields()[i].name() + "' holds a sparse vector in this row;"
          + " read its active values with vectorValues and vectorIndices.");
    }
    if (denseColumn != i || denseRow != rowNumber) {
      ArrayData values = v.getArray(3);
      int n = values.numElements();
      if (dense.length < n) {
        dense = new double[n];
      }
      if (values instanceof UnsafeArrayData u) {
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n), dense,
            Platform.DOUBLE_ARRAY_OFFSET, 8L * n);
      } else {
        for (int j = 0; j < n; j++) {
          dense[j] = values.getDouble(j);
        }
      }
      denseColumn = i;
      denseRow = rowNumber;
    }
    return dense;
  }

  /** The indices of a sparse vector's active values, in the order of {@link #vectorValues}; null for a dense one. */
  public ArrayData vectorIndices(int i) {
    InternalRow v = vector(i);
    return v.getByte(0) == DENSE ? null : v.getArray(2);
  }

  /** Column {@code i}'s vector as Spark stores it, read once per row. */
  private InternalRow vector(int i) {
    if (!vectors[i]) {
      throw new IllegalArgumentException("Column '" + schema.fields()[i].name() + "' holds " + types[i].simpleString()
          + ", not vectors.");
    }
    if (structColumn != i || structRow != rowNumber) {
      struct = row.getStruct(i, VECTOR_FIELDS);
      structColumn = i;
      structRow = rowNumber;
    }
    return struct;
  }

  @Override
  public Row copy() {
    Object[] values = new Object[types.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = get(i);
    }
    return new GenericRowWithSchema(values, schema);
  }
}
