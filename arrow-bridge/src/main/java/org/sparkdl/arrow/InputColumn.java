package org.sparkdl.arrow;

import java.io.Serializable;
import java.util.OptionalInt;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A DataFrame column that feeds the network, resolved and type-checked on the driver before any
 * job runs: its name, its position in the schema it was resolved against, what it is for, and how
 * its values are stored. Rows handed to an encoder or scorer must have that schema, so that {@link
 * #index()} finds the column without a name lookup per row.
 *
 * <p>Accepted types: features take a Spark ML {@code Vector} (dense or sparse), {@code
 * array<float>}, {@code array<double>}, a single number (width 1), the struct of Spark's image
 * source, {@code binary} (encoded PNG or JPEG images, as the {@code binaryFile} source reads them),
 * {@code array<array<float>>} or {@code array<array<double>>} (sequences of steps) and {@code
 * array<int>} or {@code array<long>} (token ids); {@link FeatureInput} says how each becomes a
 * tensor. Labels and weights take a number; regression targets take a number or any of the
 * vector types.
 *
 * @param name the column name as the user gave it
 * @param index the column's position in the schema
 * @param role what the column is for; it decides the wording of row errors
 * @param kind how the values are stored
 * @param declaredWidth the vector size recorded in the column's ML attribute metadata, 1 for a
 *     number, or -1 when the schema does not say
 */
public record InputColumn(String name, int index, Role role, Kind kind, int declaredWidth) implements Serializable {
  /** How errors name the types of a numeric column. */
  private static final String NUMBER_TYPES = "a number (byte, short, int, long, float, double or decimal)";

  /** What a column is for. */
  public enum Role {
    /** The network input. */
    FEATURES,
    /** A scalar label (class index or regression value). */
    LABEL,
    /** A regression target, scalar or vector. */
    TARGET,
    /** A non-negative per-row weight. */
    WEIGHT
  }

  /** How a column stores its values. */
  public enum Kind {
    /** A Spark ML {@code Vector}, dense or sparse. */
    VECTOR,
    /** {@code array<float>}. */
    FLOAT_ARRAY,
    /** {@code array<double>}. */
    DOUBLE_ARRAY,
    /** One number per row: any Spark numeric type (integers, float, double, decimal). */
    NUMBER,
    /** The struct of Spark's image source: {@code origin, height, width, nChannels, mode, data}. */
    IMAGE,
    /** {@code binary}: an encoded image (PNG, JPEG), as the {@code binaryFile} source's {@code content}. */
    BINARY,
    /** {@code array<array<float>>} or {@code array<array<double>>}: a sequence of steps of values. */
    SEQUENCE,
    /** {@code array<int>} or {@code array<long>}: a sequence of token ids. */
    TOKENS
  }

  /** What a features column may hold, for the message that rejects any other type. */
  static final String FEATURE_TYPES = "a Vector, array<float>, array<double>, a number, an image struct (Spark's image"
      + " source), binary (encoded images), array<array<float>> or array<array<double>> (sequences), array<int> or"
      + " array<long> (token ids)";

  /**
   * Resolves the features column.
   *
   * @throws IllegalArgumentException when the column is missing or of a type not listed above
   */
  public static InputColumn features(StructType schema, String name) {
    StructField f = field(schema, name);
    Kind k = kindOf(f.dataType(), true);
    if (k == null) {
      k = shapedKindOf(f.dataType());
    }
    if (k == null) {
      throw typeError(f, FEATURE_TYPES);
    }
    return of(schema, f, Role.FEATURES, k);
  }

  /**
   * Resolves a scalar label column (class index or regression value).
   *
   * @throws IllegalArgumentException when the column is missing or not numeric
   */
  public static InputColumn label(StructType schema, String name) {
    return number(schema, name, Role.LABEL);
  }

  /**
   * Resolves a per-row weight column.
   *
   * @throws IllegalArgumentException when the column is missing or not numeric
   */
  public static InputColumn weight(StructType schema, String name) {
    return number(schema, name, Role.WEIGHT);
  }

  /**
   * Resolves a regression target: a number (width 1) or a vector (Vector, {@code array<float>},
   * {@code array<double>}).
   *
   * @throws IllegalArgumentException when the column is missing or of another type
   */
  public static InputColumn target(StructType schema, String name) {
    StructField f = field(schema, name);
    Kind k = kindOf(f.dataType(), true);
    if (k == null) {
      throw typeError(f, NUMBER_TYPES + ", a Vector, array<float> or array<double>");
    }
    return of(schema, f, Role.TARGET, k);
  }

  /** True when the column holds one number per row (width 1, stored as a plain float column). */
  public boolean isScalar() {
    return kind == Kind.NUMBER;
  }

  /** The width the schema declares, if it declares one (ML attribute metadata, or 1 for numbers). */
  public OptionalInt knownWidth() {
    return declaredWidth < 0 ? OptionalInt.empty() : OptionalInt.of(declaredWidth);
  }

  /** True for the kinds that {@link FeatureInput} decodes into a shaped tensor (images, sequences, token ids). */
  public boolean isShaped() {
    return kind == Kind.IMAGE || kind == Kind.BINARY || kind == Kind.SEQUENCE || kind == Kind.TOKENS;
  }

  /**
   * The number of values this column holds in {@code row} (vector size, array length, or 1), or
   * -1 when the value is null or its width is only known once decoded and padded (images,
   * sequences, token ids); for inferring a width from a sample row on the driver.
   */
  public int widthOf(Row row) {
    if (row.isNullAt(index) || isShaped()) {
      return -1;
    }
    Object v = row.get(index);
    if (v instanceof Vector vec) {
      return vec.size();
    }
    if (kind == Kind.NUMBER) {
      return 1;
    }
    return ArrayValues.length(v);
  }

  private static InputColumn number(StructType schema, String name, Role role) {
    StructField f = field(schema, name);
    if (kindOf(f.dataType(), false) != Kind.NUMBER) {
      throw typeError(f, NUMBER_TYPES);
    }
    return of(schema, f, role, Kind.NUMBER);
  }

  private static InputColumn of(StructType schema, StructField f, Role role, Kind kind) {
    int width = switch (kind) {
      case NUMBER -> 1;
      case VECTOR -> AttributeGroup.fromStructField(f).size();
      default -> -1;
    };
    return new InputColumn(f.name(), schema.fieldIndex(f.name()), role, kind, width);
  }

  private static StructField field(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Column '" + name + "' does not exist; columns: " + String.join(", ", schema.fieldNames()) + ".");
  }

  /** The kind of {@code t}, or null when it is not one this package reads. */
  private static Kind kindOf(DataType t, boolean vectorsAllowed) {
    if (t instanceof NumericType) {
      return Kind.NUMBER;
    }
    if (!vectorsAllowed) {
      return null;
    }
    if (t instanceof VectorUDT) {
      return Kind.VECTOR;
    }
    if (t instanceof ArrayType a) {
      if (a.elementType().equals(DataTypes.FloatType)) {
        return Kind.FLOAT_ARRAY;
      }
      if (a.elementType().equals(DataTypes.DoubleType)) {
        return Kind.DOUBLE_ARRAY;
      }
    }
    return null;
  }

  /** The image, binary, sequence or token kind of {@code t}, or null. */
  private static Kind shapedKindOf(DataType t) {
    if (t instanceof StructType s && ImageFields.isImageStruct(s)) {
      return Kind.IMAGE;
    }
    if (t.equals(DataTypes.BinaryType)) {
      return Kind.BINARY;
    }
    if (t instanceof ArrayType a) {
      DataType e = a.elementType();
      if (e.equals(DataTypes.IntegerType) || e.equals(DataTypes.LongType)) {
        return Kind.TOKENS;
      }
      if (e instanceof ArrayType inner
          && (inner.elementType().equals(DataTypes.FloatType) || inner.elementType().equals(DataTypes.DoubleType))) {
        return Kind.SEQUENCE;
      }
    }
    return null;
  }

  private static IllegalArgumentException typeError(StructField f, String expected) {
    if (f.dataType() instanceof UserDefinedType<?> u && u.getClass().getName().equals("org.apache.spark.mllib.linalg.VectorUDT")) {
      // Both vector types print as "vector"; say which one this is and how to convert it.
      return new IllegalArgumentException("Column '" + f.name() + "' holds old org.apache.spark.mllib vectors; expected "
          + expected + ". Convert it with MLUtils.convertVectorColumnsToML.");
    }
    return new IllegalArgumentException(
        "Column '" + f.name() + "' has type " + f.dataType().simpleString() + "; expected " + expected + ".");
  }
}
