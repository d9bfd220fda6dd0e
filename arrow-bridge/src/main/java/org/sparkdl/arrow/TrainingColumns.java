package org.sparkdl.arrow;

import java.io.Serializable;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a training job reads, resolved on the driver, with the widths the network expects:
 * features ({@code featureWidth} values a row), the label or regression target ({@code
 * targetWidth} values a row) and an optional weight. An {@link BatchEncoder} turns rows of the
 * schema these were resolved against into Arrow batches.
 *
 * @param features the features column
 * @param featureWidth values per row the input layer expects
 * @param target the label ({@link InputColumn.Role#LABEL}) or regression target ({@link
 *     InputColumn.Role#TARGET}) column
 * @param targetWidth values per row of the target; 1 for a scalar label
 * @param weight the weight column, or {@code null} when rows are unweighted
 */
public record TrainingColumns(InputColumn features, int featureWidth, InputColumn target, int targetWidth, InputColumn weight)
    implements Serializable {

  /**
   * Checks roles and widths, including widths the schema's ML attribute metadata declares.
   *
   * @throws IllegalArgumentException naming the column when a width is not positive or disagrees
   *     with the schema
   */
  public TrainingColumns {
    checkRole(features, InputColumn.Role.FEATURES);
    if (target.role() != InputColumn.Role.LABEL && target.role() != InputColumn.Role.TARGET) {
      throw new IllegalArgumentException("Column '" + target.name() + "' was resolved as " + target.role() + "; expected LABEL or TARGET.");
    }
    if (weight != null) {
      checkRole(weight, InputColumn.Role.WEIGHT);
    }
    checkWidth(features, featureWidth, "the input layer");
    checkWidth(target, targetWidth, "the output layer");
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
