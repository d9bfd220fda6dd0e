package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.Shape;

/** How a features column is resolved as a shaped network input, and every message that refuses one. */
@ExtendWith(NoArrowLeaks.class)
class FeatureInputTest {
  private static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType())
      .add(new AttributeGroup("pixels", 784).toStructField())
      .add("image", ImageSchema.columnSchema())
      .add("content", DataTypes.BinaryType)
      .add("steps", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
      .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  private static FeatureInput resolve(String column, List<Integer> shape) {
    return FeatureInput.resolve(SCHEMA, column, shape, false, null, null);
  }

  @Test
  void aFlatInputIsOneRowOfValues() {
    FeatureInput f = FeatureInput.flat(InputColumn.features(SCHEMA, "features"), 784);
    assertEquals(List.of(784), f.shape());
    assertEquals(784, f.width());
    assertFalse(f.lengths());
    assertFalse(f.normalizes());
    assertEquals("FeatureInput(features VECTOR as [784])", f.toString());
  }

  @Test
  void vectorsTakeAnyShapeOfTheirWidth() {
    FeatureInput f = resolve("features", List.of(1, 28, 28));
    assertEquals(List.of(1, 28, 28), f.shape());
    assertEquals(784, f.width());
    assertEquals(784, resolve("pixels", List.of(1, 28, 28)).width());
    assertEquals("Column 'pixels' declares 784 values in its metadata; the input layer expects 729.",
        message(() -> resolve("pixels", List.of(1, 27, 27))));
  }

  @Test
  void imagesNeedChannelsHeightAndWidth() {
    assertEquals(List.of(3, 32, 32), resolve("image", List.of(3, 32, 32)).shape());
    assertEquals(List.of(4, 8, 8), resolve("content", List.of(4, 8, 8)).shape());
    assertEquals("Column 'image' holds images (Spark's image source); the input shape must be [channels, height, width] with"
        + " 1, 3 or 4 channels, found [784]. Set inputShape, e.g. [1, 28, 28].", message(() -> resolve("image", List.of(784))));
    assertEquals("Column 'content' holds encoded images (binary); the input shape must be [channels, height, width] with"
        + " 1, 3 or 4 channels, found [2, 28, 28]. Set inputShape, e.g. [1, 28, 28].",
        message(() -> resolve("content", List.of(2, 28, 28))));
  }

  @Test
  void sequencesNeedStepsAndValuesAndTokenIdsSteps() {
    assertEquals(List.of(5, 3), resolve("steps", List.of(5, 3)).shape());
    assertEquals(List.of(7), resolve("tokens", List.of(7)).shape());
    assertEquals("Column 'steps' holds sequences (array<array<float>> or array<array<double>>); the input shape must be"
        + " [steps, values per step], found [15].", message(() -> resolve("steps", List.of(15))));
    assertEquals("Column 'tokens' holds token ids (array<int> or array<long>); the input shape must be [steps], found"
        + " [5, 3].", message(() -> resolve("tokens", List.of(5, 3))));
  }

  @Test
  void onlySequencesGiveLengths() {
    assertTrue(FeatureInput.resolve(SCHEMA, "steps", List.of(5, 3), true, null, null).lengths());
    assertTrue(FeatureInput.resolve(SCHEMA, "tokens", List.of(5), true, null, null).lengths());
    assertEquals("The network reads a 'lengths' input, which only sequence columns (array<array<float>>,"
        + " array<array<double>>, array<int>, array<long>) give; column 'features' holds vectors.",
        message(() -> FeatureInput.resolve(SCHEMA, "features", List.of(4), true, null, null)));
    assertEquals("The network reads a 'lengths' input, which only sequence columns (array<array<float>>,"
        + " array<array<double>>, array<int>, array<long>) give; column 'image' holds images (Spark's image source).",
        message(() -> FeatureInput.resolve(SCHEMA, "image", List.of(1, 4, 4), true, null, null)));
  }

  @Test
  void flatRefusesColumnsThatNeedAShape() {
    assertEquals("Column 'image' holds images (Spark's image source); it needs an input shape [channels, height, width],"
        + " not only a width.", message(() -> FeatureInput.flat(InputColumn.features(SCHEMA, "image"), 784)));
    assertEquals("Column 'steps' holds sequences (array<array<float>> or array<array<double>>); it needs an input shape"
        + " [steps, values per step], not only a width.", message(() -> FeatureInput.flat(InputColumn.features(SCHEMA, "steps"), 15)));
    assertEquals("Column 'tokens' holds token ids (array<int> or array<long>); it needs an input shape [steps], not only a"
        + " width.", message(() -> FeatureInput.flat(InputColumn.features(SCHEMA, "tokens"), 5)));
    assertEquals("Column 'label' was resolved as LABEL; expected FEATURES.",
        message(() -> FeatureInput.flat(InputColumn.label(SCHEMA, "label"), 1)));
  }

  @Test
  void refusesShapesWithoutDimensionsOrTooLargeForARow() {
    assertEquals("The input shape [] is invalid: it needs at least one dimension, each >= 1.",
        message(() -> resolve("features", List.of())));
    assertEquals("The input shape [0, 3] is invalid: it needs at least one dimension, each >= 1.",
        message(() -> resolve("features", List.of(0, 3))));
    assertEquals("The input shape null is invalid: it needs at least one dimension, each >= 1.",
        message(() -> resolve("features", null)));
    assertEquals("The input shape [65536, 65536] holds more than 536870911 values a row; one row must fit in 2 GiB of"
        + " float32.", message(() -> resolve("features", List.of(65536, 65536))));
  }

  @Test
  void normalisesEachChannelBlock() {
    FeatureInput f = FeatureInput.resolve(SCHEMA, "features", List.of(2, 2), false, new double[] {1, -1}, new double[] {2, 0.5});
    assertTrue(f.normalizes());
    float[] row = {3, 5, -1, 0};
    f.normalize(row);
    assertArrayEquals(new float[] {1, 2, 0, 2}, row);
    FeatureInput stdOnly = FeatureInput.resolve(SCHEMA, "features", List.of(1, 2), false, null, new double[] {4});
    float[] r2 = {2, -8};
    stdOnly.normalize(r2);
    assertArrayEquals(new float[] {0.5f, -2}, r2);
    FeatureInput meanOnly = FeatureInput.resolve(SCHEMA, "features", List.of(1, 2), false, new double[] {1}, new double[0]);
    float[] r3 = {2, -8};
    meanOnly.normalize(r3);
    assertArrayEquals(new float[] {1, -9}, r3);
    float[] untouched = {2, -8};
    resolve("features", List.of(1, 2)).normalize(untouched);
    assertArrayEquals(new float[] {2, -8}, untouched);
  }

  @Test
  void theEncoderNormalisesVectorFeatures() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    FeatureInput f = FeatureInput.resolve(schema, "features", List.of(2, 1, 2), false, new double[] {1, 2}, new double[] {2, 4});
    TrainingColumns cols = TrainingColumns.forLabel(schema, f, "label", null);
    Iterator<byte[]> it = new BatchEncoder(cols, 4, true).encode(List.of(RowFactory.create(0.0, Vectors.dense(3, 5, 6, 10)),
        RowFactory.create(1.0, Vectors.sparse(4, new int[] {3}, new double[] {2}))).iterator(), 0);
    try (ArrowBatch batch = ArrowBatch.read(it.next())) {
      CpuBackend cpu = new CpuBackend(1);
      assertEquals(Shape.of(2, 4), batch.features(cpu).shape());
      assertArrayEquals(new float[] {1, 2, 1, 2, -0.5f, -0.5f, -0.5f, 0}, batch.features(cpu).toFloatArray());
      assertFalse(batch.hasLengths());
    }
    assertFalse(it.hasNext());
  }

  @Test
  void refusesNormalisationThatDoesNotFitTheShape() {
    assertEquals("Params channelMean and channelStd apply to images and vectors; column 'steps' holds sequences"
        + " (array<array<float>> or array<array<double>>).",
        message(() -> FeatureInput.resolve(SCHEMA, "steps", List.of(5, 3), false, new double[] {0.5}, null)));
    assertEquals("Param channelMean needs an input shape with the channels first ([channels, ...]); the input shape is"
        + " [784]. Set inputShape, e.g. [1, 28, 28].",
        message(() -> FeatureInput.resolve(SCHEMA, "features", List.of(784), false, new double[] {0.5}, null)));
    assertEquals("Param channelMean has 3 values; the input shape [1, 28, 28] has 1 channel.",
        message(() -> FeatureInput.resolve(SCHEMA, "image", List.of(1, 28, 28), false, new double[] {0.5, 0.4, 0.3}, null)));
    assertEquals("Param channelStd has 1 value; the input shape [3, 8, 8] has 3 channels.",
        message(() -> FeatureInput.resolve(SCHEMA, "image", List.of(3, 8, 8), false, null, new double[] {0.2})));
    assertEquals("Param channelStd [0.0] is invalid: every value must be finite and > 0.",
        message(() -> FeatureInput.resolve(SCHEMA, "image", List.of(1, 8, 8), false, null, new double[] {0})));
    assertEquals("Param channelMean [NaN] is invalid: every value must be finite.",
        message(() -> FeatureInput.resolve(SCHEMA, "image", List.of(1, 8, 8), false, new double[] {Double.NaN}, null)));
  }
}
