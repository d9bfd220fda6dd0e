package org.sparkdl.arrow;

import java.io.Serializable;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a training job reads, resolved on the driver, with the widths the network expects:
 * features (a {@link FeatureInput}: the column and the per-row shape it fills), the label or
 * regression target ({@code targetWidth} values a row) and an optional weight. An {@link
 * BatchEncoder} turns rows of the schema these were resolved against into Arrow batches.
 *
 * @param input the features column and how it becomes the network input
 * @param target the label ({@link InputColumn.Role#LABEL}) or regression target ({@link
 *     InputColumn.Role#TARGET}) column
 * @param targetWidth values per row of the target; 1 for a scalar label
 * @param weight the weight column, or {@code null} when rows are unweighted
 */
public record TrainingColumns(FeatureInput input, InputColumn target, int targetWidth, InputColumn weight)
    implements Serializable {

  /**
   * Checks roles and widths, including widths the schema's ML attribute metadata declares.
   *
   * @throws IllegalArgumentException naming the column when a width is not positive or disagrees
   *     with the schema
   */
  public TrainingColumns {
    if (target.role() != InputColumn.Role.LABEL && target.role() != InputColumn.Role.TARGET) {
      throw new IllegalArgumentException("Column '" + target.name() + "' was resolved as " + target.role() + "; expected LABEL or TARGET.");
    }
    if (weight != null) {
      checkRole(weight, InputColumn.Role.WEIGHT);
    }
    checkWidth(target, targetWidth, "the output layer");
  }

  /**
   * Flat features of {@code featureWidth} values a row (vectors, arrays, numbers), as {@link
   * FeatureInput#flat}.
   *
   * @throws IllegalArgumentException as the canonical constructor, and when the features column
   *     was resolved for another role or its width disagrees
   */
  public TrainingColumns(InputColumn features, int featureWidth, InputColumn target, int targetWidth, InputColumn weight) {
    this(FeatureInput.flat(features, featureWidth), target, targetWidth, weight);
  }

  /** The features column. */
  public InputColumn features() {
    return input.column();
  }

  /** Values per row the input layer reads: the product of the input shape. */
  public int featureWidth() {
    return input.width();
  }

  /**
   * Resolves features, a scalar label and an optional weight column.
   *
   * @param weightColumn the weight column name, or {@code null} or empty for none
   * @throws IllegalArgumentException when a column is missing, of the wrong type, or declares
   *     another width
   */
  public static TrainingColumns forLabel(StructType schema, String featuresColumn, int featureWidth, String labelColumn,
      String weightColumn) {
    return new TrainingColumns(InputColumn.features(schema, featuresColumn), featureWidth,
        InputColumn.label(schema, labelColumn), 1, weight(schema, weightColumn));
  }

  /**
   * Resolves features, a scalar or vector regression target and an optional weight column.
   *
   * @param weightColumn the weight column name, or {@code null} or empty for none
   * @throws IllegalArgumentException when a column is missing, of the wrong type, or declares
   *     another width
   */
  public static TrainingColumns forTarget(StructType schema, String featuresColumn, int featureWidth, String targetColumn,
      int targetWidth, String weightColumn) {
    return new TrainingColumns(InputColumn.features(schema, featuresColumn), featureWidth,
        InputColumn.target(schema, targetColumn), targetWidth, weight(schema, weightColumn));
  }

  /**
   * Resolves features of any type {@link FeatureInput} reads, a scalar label and an optional
   * weight column.
   *
   * @param weightColumn the weight column name, or {@code null} or empty for none
   */
  public static TrainingColumns forLabel(StructType schema, FeatureInput features, String labelColumn, String weightColumn) {
    return new TrainingColumns(features, InputColumn.label(schema, labelColumn), 1, weight(schema, weightColumn));
  }

  /**
   * Resolves features of any type {@link FeatureInput} reads, a scalar or vector regression target
   * and an optional weight column.
   *
   * @param weightColumn the weight column name, or {@code null} or empty for none
   */
  public static TrainingColumns forTarget(StructType schema, FeatureInput features, String targetColumn, int targetWidth,
      String weightColumn) {
    return new TrainingColumns(features, InputColumn.target(schema, targetColumn), targetWidth, weight(schema, weightColumn));
  }

  /** True when rows carry a weight column. */
  public boolean hasWeight() {
    return weight != null;
  }

  /** True when the target is stored one vector a row (shape {@code [rows, targetWidth]}). */
  public boolean vectorTarget() {
    return !target.isScalar();
  }

  private static InputColumn weight(StructType schema, String name) {
    return name == null || name.isEmpty() ? null : InputColumn.weight(schema, name);
  }

  private static void checkRole(InputColumn c, InputColumn.Role role) {
    if (c.role() != role) {
      throw new IllegalArgumentException("Column '" + c.name() + "' was resolved as " + c.role() + "; expected " + role + ".");
    }
  }

  /** Checks {@code width} against what the column can hold and what its schema declares. */
  public static void checkWidth(InputColumn c, int width, String layer) {
    if (width < 1) {
      throw new IllegalArgumentException("Column '" + c.name() + "': " + layer + " width must be >= 1, found " + width + ".");
    }
    if (c.isScalar() && width != 1) {
      throw new IllegalArgumentException(
          "Column '" + c.name() + "' holds one number per row; " + layer + " expects " + width + " values.");
    }
    if (c.declaredWidth() >= 0 && c.declaredWidth() != width) {
      throw new IllegalArgumentException("Column '" + c.name() + "' declares " + c.declaredWidth()
          + " values in its metadata; " + layer + " expects " + width + ".");
    }
  }
}
