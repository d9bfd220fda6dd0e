package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class InputColumnTest {
  private static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType())
      .add("floats", DataTypes.createArrayType(DataTypes.FloatType))
      .add("doubles", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("ints", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("longs", DataTypes.createArrayType(DataTypes.LongType))
      .add("strings", DataTypes.createArrayType(DataTypes.StringType))
      .add("steps", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
      .add("wideSteps", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
      .add("image", ImageSchema.columnSchema())
      .add("point", new StructType().add("x", DataTypes.DoubleType))
      .add("content", DataTypes.BinaryType)
      .add("f", DataTypes.FloatType)
      .add("i", DataTypes.IntegerType)
      .add("l", DataTypes.LongType)
      .add("name", DataTypes.StringType)
      .add("old", new org.apache.spark.mllib.linalg.VectorUDT())
      .add(new AttributeGroup("pixels", 784).toStructField());

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  static final String TARGET_TYPES = "a number (byte, short, int, long, float, double or decimal), a Vector,"
      + " array<float> or array<double>.";

  @Test
  void resolvesEveryAcceptedFeatureType() {
    assertEquals(new InputColumn("features", 1, InputColumn.Role.FEATURES, InputColumn.Kind.VECTOR, -1),
        InputColumn.features(SCHEMA, "features"));
    assertEquals(InputColumn.Kind.FLOAT_ARRAY, InputColumn.features(SCHEMA, "floats").kind());
    assertEquals(InputColumn.Kind.DOUBLE_ARRAY, InputColumn.features(SCHEMA, "doubles").kind());
    for (String number : List.of("label", "f", "i", "l")) {
      InputColumn c = InputColumn.features(SCHEMA, number);
      assertEquals(InputColumn.Kind.NUMBER, c.kind());
      assertTrue(c.isScalar());
      assertEquals(OptionalInt.of(1), c.knownWidth());
    }
    assertEquals(3, InputColumn.features(SCHEMA, "doubles").index());
  }

  @Test
  void resolvesImagesEncodedImagesSequencesAndTokenIds() {
    assertEquals(InputColumn.Kind.IMAGE, InputColumn.features(SCHEMA, "image").kind());
    assertEquals(InputColumn.Kind.BINARY, InputColumn.features(SCHEMA, "content").kind());
    assertEquals(InputColumn.Kind.SEQUENCE, InputColumn.features(SCHEMA, "steps").kind());
    assertEquals(InputColumn.Kind.SEQUENCE, InputColumn.features(SCHEMA, "wideSteps").kind());
    assertEquals(InputColumn.Kind.TOKENS, InputColumn.features(SCHEMA, "ints").kind());
    assertEquals(InputColumn.Kind.TOKENS, InputColumn.features(SCHEMA, "longs").kind());
    for (String shaped : List.of("image", "content", "steps", "ints")) {
      InputColumn c = InputColumn.features(SCHEMA, shaped);
      assertTrue(c.isShaped());
      assertFalse(c.isScalar());
      assertEquals(OptionalInt.empty(), c.knownWidth());
    }
    assertFalse(InputColumn.features(SCHEMA, "features").isShaped());
  }

  @Test
  void shapedKindsAreFeaturesOnly() {
    assertEquals("Column 'steps' has type array<array<float>>; expected " + TARGET_TYPES,
        message(() -> InputColumn.target(SCHEMA, "steps")));
    assertEquals("Column 'image' has type " + ImageSchema.columnSchema().simpleString() + "; expected " + TARGET_TYPES,
        message(() -> InputColumn.target(SCHEMA, "image")));
  }

  @Test
  void readsTheVectorSizeFromAttributeMetadata() {
    assertEquals(OptionalInt.of(784), InputColumn.features(SCHEMA, "pixels").knownWidth());
    assertEquals(OptionalInt.empty(), InputColumn.features(SCHEMA, "features").knownWidth());
  }

  @Test
  void rejectsMissingColumnsListingTheColumns() {
    StructType s = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    assertEquals("Column 'featurez' does not exist; columns: label, features.", message(() -> InputColumn.features(s, "featurez")));
    assertEquals("Column 'y' does not exist; columns: label, features.", message(() -> InputColumn.label(s, "y")));
  }

  private static final String FEATURE_TYPES = "a Vector, array<float>, array<double>, a number, an image struct (Spark's"
      + " image source), binary (encoded images), array<array<float>> or array<array<double>> (sequences), array<int> or"
      + " array<long> (token ids)";

  @Test
  void rejectsFeatureColumnsOfOtherTypes() {
    assertEquals("Column 'name' has type string; expected " + FEATURE_TYPES + ".",
        message(() -> InputColumn.features(SCHEMA, "name")));
    assertEquals("Column 'strings' has type array<string>; expected " + FEATURE_TYPES + ".",
        message(() -> InputColumn.features(SCHEMA, "strings")));
    assertEquals("Column 'point' has type struct<x:double>; expected " + FEATURE_TYPES + ".",
        message(() -> InputColumn.features(SCHEMA, "point")));
  }

  @Test
  void pointsOldMllibVectorsToTheConverter() {
    assertEquals("Column 'old' holds old org.apache.spark.mllib vectors; expected " + FEATURE_TYPES + ". "
        + "Convert it with MLUtils.convertVectorColumnsToML.", message(() -> InputColumn.features(SCHEMA, "old")));
  }

  @Test
  void acceptsOnlyNumbersForLabelsAndWeights() {
    assertEquals(InputColumn.Role.LABEL, InputColumn.label(SCHEMA, "i").role());
    assertEquals(InputColumn.Role.WEIGHT, InputColumn.weight(SCHEMA, "f").role());
    assertEquals("Column 'features' has type vector; expected a number (byte, short, int, long, float, double or decimal).",
        message(() -> InputColumn.label(SCHEMA, "features")));
    assertEquals("Column 'name' has type string; expected a number (byte, short, int, long, float, double or decimal).",
        message(() -> InputColumn.weight(SCHEMA, "name")));
  }

  @Test
  void acceptsNumbersAndVectorsForTargets() {
    assertEquals(InputColumn.Kind.VECTOR, InputColumn.target(SCHEMA, "features").kind());
    assertEquals(InputColumn.Kind.NUMBER, InputColumn.target(SCHEMA, "label").kind());
    assertEquals(InputColumn.Role.TARGET, InputColumn.target(SCHEMA, "doubles").role());
    assertEquals("Column 'name' has type string; expected " + TARGET_TYPES,
        message(() -> InputColumn.target(SCHEMA, "name")));
  }

  @Test
  void measuresTheWidthOfASampleRow() {
    StructType s = new StructType().add("v", SQLDataTypes.VectorType()).add("a", DataTypes.createArrayType(DataTypes.FloatType))
        .add("x", DataTypes.DoubleType);
    InputColumn v = InputColumn.features(s, "v");
    InputColumn a = InputColumn.features(s, "a");
    InputColumn x = InputColumn.features(s, "x");
    assertEquals(5, v.widthOf(RowFactory.create(Vectors.sparse(5, new int[] {1}, new double[] {2}), null, 1.0)));
    assertEquals(3, a.widthOf(RowFactory.create(null, List.of(1f, 2f, 3f), 1.0)));
    assertEquals(1, x.widthOf(RowFactory.create(null, null, 1.0)));
    assertEquals(-1, v.widthOf(RowFactory.create(null, null, 1.0)));
    StructType t = new StructType().add("t", DataTypes.createArrayType(DataTypes.IntegerType));
    assertEquals(-1, InputColumn.features(t, "t").widthOf(RowFactory.create((Object) new int[] {1, 2})));
  }

  @Test
  void trainingColumnsCheckWidthsAgainstTheSchema() {
    TrainingColumns c = TrainingColumns.forLabel(SCHEMA, "pixels", 784, "label", "");
    assertFalse(c.hasWeight());
    assertFalse(c.vectorTarget());
    TrainingColumns t = TrainingColumns.forTarget(SCHEMA, "floats", 4, "doubles", 2, "l");
    assertTrue(t.hasWeight());
    assertTrue(t.vectorTarget());
    assertEquals("Column 'pixels' declares 784 values in its metadata; the input layer expects 783.",
        message(() -> TrainingColumns.forLabel(SCHEMA, "pixels", 783, "label", null)));
    assertEquals("Column 'f' holds one number per row; the input layer expects 3 values.",
        message(() -> TrainingColumns.forLabel(SCHEMA, "f", 3, "label", null)));
    assertEquals("Column 'label' holds one number per row; the output layer expects 2 values.",
        message(() -> TrainingColumns.forTarget(SCHEMA, "features", 3, "label", 2, null)));
    assertEquals("Column 'features': the input layer width must be >= 1, found 0.",
        message(() -> TrainingColumns.forLabel(SCHEMA, "features", 0, "label", null)));
    assertEquals("Column 'name' has type string; expected a number (byte, short, int, long, float, double or decimal).",
        message(() -> TrainingColumns.forLabel(SCHEMA, "features", 3, "label", "name")));
  }

  @Test
  void trainingColumnsRejectColumnsResolvedForAnotherRole() {
    InputColumn f = InputColumn.features(SCHEMA, "features");
    InputColumn y = InputColumn.label(SCHEMA, "label");
    assertEquals("Column 'label' was resolved as LABEL; expected FEATURES.",
        message(() -> new TrainingColumns(y, 1, y, 1, null)));
    assertEquals("Column 'features' was resolved as FEATURES; expected LABEL or TARGET.",
        message(() -> new TrainingColumns(f, 3, f, 3, null)));
  }

  @Test
  void structFieldOrderDoesNotMatterForNames() {
    StructType s = new StructType(new StructField[] {SCHEMA.apply("features"), SCHEMA.apply("label")});
    assertEquals(0, InputColumn.features(s, "features").index());
    assertEquals(1, InputColumn.label(s, "label").index());
  }
}
