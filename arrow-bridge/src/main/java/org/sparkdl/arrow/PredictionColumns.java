package org.sparkdl.arrow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;

/**
 * The columns a {@link BatchScorer} appends to each row, computed from that row's slice of the
 * batch output ({@code outputWidth} floats). Immutable and serializable, so it can be built on the
 * driver, where {@link #fields()} also gives the output schema.
 *
 * <pre>{@code
 * PredictionColumns out = PredictionColumns.vector("rawPrediction")
 *     .and(PredictionColumns.of("prediction", DataTypes.DoubleType, (o, at, w) -> (double) argmax(o, at, w)));
 * }</pre>
 */
public interface PredictionColumns extends Serializable {

  /** Computes one appended value from a row's outputs {@code outputs[offset, offset + width)}. */
  @FunctionalInterface
  interface Value extends Serializable {
    /** The value for one row; must match the column's Spark type (e.g. {@code Double}, a {@code Vector}). */
    Object apply(float[] outputs, int offset, int width);
  }

  /** The appended fields, in order. */
  List<StructField> fields();

  /**
   * Writes this row's appended values into {@code values[at, at + fields().size())}.
   *
   * @param outputs the batch outputs, row-major
   * @param offset where this row's outputs start
   * @param width outputs per row
   */
  void write(float[] outputs, int offset, int width, Object[] values, int at);

  /** These columns followed by {@code next}'s. */
  default PredictionColumns and(PredictionColumns next) {
    PredictionColumns first = this;
    List<StructField> fields = new ArrayList<>(first.fields());
    fields.addAll(next.fields());
    List<StructField> all = List.copyOf(fields);
    int split = first.fields().size();
    return new PredictionColumns() {
      private static final long serialVersionUID = 1L;

      @Override
      public List<StructField> fields() {
        return all;
      }

      @Override
      public void write(float[] outputs, int offset, int width, Object[] values, int at) {
        first.write(outputs, offset, width, values, at);
        next.write(outputs, offset, width, values, at + split);
      }
    };
  }

  /** One non-null column of {@code type} whose value {@code value} computes. */
  static PredictionColumns of(String name, DataType type, Value value) {
    List<StructField> fields = List.of(new StructField(name, type, false, Metadata.empty()));
    return new PredictionColumns() {
      private static final long serialVersionUID = 1L;

      @Override
      public List<StructField> fields() {
        return fields;
      }

      @Override
      public void write(float[] outputs, int offset, int width, Object[] values, int at) {
        values[at] = value.apply(outputs, offset, width);
      }
    };
  }

  /** A Spark ML {@code Vector} column holding the row's outputs as a dense vector. */
  static PredictionColumns vector(String name) {
    return of(name, SQLDataTypes.VectorType(), (outputs, offset, width) -> {
      double[] v = new double[width];
      for (int j = 0; j < width; j++) {
        v[j] = outputs[offset + j];
      }
      return new DenseVector(v);
    });
  }

  /** A double column holding output {@code index} of the row (e.g. 0 for a one-output regressor). */
  static PredictionColumns value(String name, int index) {
    return of(name, DataTypes.DoubleType, (outputs, offset, width) -> {
      if (index >= width) {
        throw new IllegalArgumentException("Column '" + name + "' reads output " + index + ", but the network gives " + width + " outputs a row.");
      }
      return (double) outputs[offset + index];
    });
  }
}
