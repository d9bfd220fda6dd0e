package org.sparkdl.arrow;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.testkit.ImageFiles;
import org.sparkdl.testkit.SharedSpark;

/**
 * Spark's image source and binaryFile source as features: image files written here, read by
 * Spark, decoded on the executors into channel-first tensors, and every way an image can fail.
 */
@ExtendWith({SharedSpark.class, NoArrowLeaks.class})
class ImageInputTest {
  private static final CpuBackend CPU = new CpuBackend(1);

  /** The features of every row, in order, as the encoder writes them (one partition). */
  static float[] encoded(Dataset<Row> df, String column, List<Integer> shape, double[] mean, double[] std) {
    Dataset<Row> one = df.withColumn("label", lit(0.0)).coalesce(1);
    FeatureInput f = FeatureInput.resolve(one.schema(), column, shape, false, mean, std);
    List<byte[]> batches = new BatchEncoder(TrainingColumns.forLabel(one.schema(), f, "label", null), 64, true)
        .encode(one).collect();
    assertEquals(1, batches.size());
    try (ArrowBatch b = ArrowBatch.read(batches.get(0))) {
      assertEquals(f.width(), b.featureWidth());
      return b.features(CPU).toFloatArray();
    }
  }

  static Dataset<Row> images(SparkSession spark, Path dir) {
    return spark.read().format("image").load(dir.toString()).orderBy(col("image.origin"));
  }

  static Dataset<Row> files(SparkSession spark, Path dir) {
    return spark.read().format("binaryFile").load(dir.toString()).orderBy(col("path"));
  }

  static float[] concat(float[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** The message of the IllegalArgumentException that a failed Spark job carries. */
  static String taskError(Runnable job) {
    Exception e = assertThrows(Exception.class, job::run);
    assertInstanceOf(SparkException.class, e);
    return ValidationTest.rootArgumentError(e).getMessage();
  }

  @Test
  void theImageSourceBecomesChannelFirstRgbScaledToOne(SparkSession spark, @TempDir Path dir) {
    BufferedImage a = ImageFiles.colour(3, 4, 0);
    BufferedImage b = ImageFiles.colour(3, 4, 90);
    ImageFiles.write(a, "png", dir.resolve("a.png"));
    ImageFiles.write(b, "png", dir.resolve("b.png"));
    float[] x = encoded(images(spark, dir), "image", List.of(3, 3, 4), null, null);
    assertArrayEquals(concat(ImageFiles.channelsFirst(a, 3), ImageFiles.channelsFirst(b, 3)), x);
    // pixel (1, 2) of a: r = 16 + 2, g = 255 - 16, b = 90; R, G and B planes are 12 values apart
    assertEquals(18 / 255f, x[6]);
    assertEquals(239 / 255f, x[12 + 6]);
    assertEquals(90 / 255f, x[24 + 6]);
  }

  @Test
  void greyAndAlphaImagesKeepTheirChannels(SparkSession spark, @TempDir Path dir) throws IOException {
    BufferedImage g = ImageFiles.grey(5, 2, 3);
    ImageFiles.write(g, "png", Files.createDirectory(dir.resolve("grey")).resolve("g.png"));
    assertArrayEquals(ImageFiles.greySamples(g), encoded(images(spark, dir.resolve("grey")), "image", List.of(1, 5, 2), null, null));
    BufferedImage rgba = ImageFiles.colourWithAlpha(2, 3, 7);
    ImageFiles.write(rgba, "png", Files.createDirectory(dir.resolve("rgba")).resolve("r.png"));
    assertArrayEquals(ImageFiles.channelsFirst(rgba, 4), encoded(images(spark, dir.resolve("rgba")), "image", List.of(4, 2, 3),
        null, null));
  }

  @Test
  void binaryFilesDecodeToTheSameTensorsAsTheImageSource(SparkSession spark, @TempDir Path dir) {
    ImageFiles.write(ImageFiles.colour(6, 5, 11), "png", dir.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(6, 5, 200), "jpg", dir.resolve("b.jpg"));
    float[] fromImages = encoded(images(spark, dir), "image", List.of(3, 6, 5), null, null);
    float[] fromFiles = encoded(files(spark, dir), "content", List.of(3, 6, 5), null, null);
    assertArrayEquals(fromImages, fromFiles);
    assertArrayEquals(ImageFiles.channelsFirst(ImageFiles.colour(6, 5, 11), 3), Arrays.copyOf(fromFiles, 90));
  }

  @Test
  void binaryFilesAreConvertedToTheInputsChannels(SparkSession spark, @TempDir Path dir) throws IOException {
    BufferedImage c = ImageFiles.colour(2, 3, 50);
    ImageFiles.write(c, "png", dir.resolve("c.png"));
    float[] grey = encoded(files(spark, dir), "content", List.of(1, 2, 3), null, null);
    float[] rgb = ImageFiles.channelsFirst(c, 3);
    for (int p = 0; p < 6; p++) {
      long luma = Math.round(0.299 * rgb[p] * 255 + 0.587 * rgb[6 + p] * 255 + 0.114 * rgb[12 + p] * 255);
      assertEquals(luma / 255f, grey[p], "pixel " + p);
    }
    float[] rgba = encoded(files(spark, dir), "content", List.of(4, 2, 3), null, null);
    assertArrayEquals(concat(rgb, new float[] {1, 1, 1, 1, 1, 1}), rgba);
    BufferedImage g = ImageFiles.grey(2, 3, 9);
    Path greyDir = Files.createDirectory(dir.resolve("grey"));
    ImageFiles.write(g, "png", greyDir.resolve("g.png"));
    float[] s = ImageFiles.greySamples(g);
    assertArrayEquals(concat(s, s, s), encoded(files(spark, greyDir), "content", List.of(3, 2, 3), null, null));
  }

  @Test
  void channelStatisticsNormaliseScaledPixels(SparkSession spark, @TempDir Path dir) {
    BufferedImage a = ImageFiles.colour(2, 2, 30);
    ImageFiles.write(a, "png", dir.resolve("a.png"));
    double[] mean = {0.5, 0.25, 0.125};
    double[] std = {0.5, 2, 0.25};
    float[] x = encoded(images(spark, dir), "image", List.of(3, 2, 2), mean, std);
    float[] plain = ImageFiles.channelsFirst(a, 3);
    for (int j = 0; j < 12; j++) {
      int c = j / 4;
      assertEquals((plain[j] - (float) mean[c]) / (float) std[c], x[j], 1e-6, "value " + j);
    }
    assertArrayEquals(x, encoded(files(spark, dir), "content", List.of(3, 2, 2), mean, std));
  }

  @Test
  void anImageOfAnotherSizeFailsNamingRowAndOrigin(SparkSession spark, @TempDir Path dir) {
    ImageFiles.write(ImageFiles.colour(4, 4, 0), "png", dir.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(5, 4, 0), "png", dir.resolve("b.png"));
    ImageFiles.write(ImageFiles.grey(4, 4, 0), "png", dir.resolve("c.png"));
    Dataset<Row> df = images(spark, dir);
    List<String> origins = df.select("image.origin").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals("Column 'image', row 1 of partition 0 (origin " + origins.get(1) + "): an image of shape [3, 5, 4] (channels,"
        + " height, width); the input expects [3, 4, 4].", taskError(() -> encoded(df, "image", List.of(3, 4, 4), null, null)));
    Dataset<Row> grey = df.filter(col("image.origin").endsWith("c.png"));
    assertEquals("Column 'image', row 0 of partition 0 (origin " + origins.get(2) + "): an image of shape [1, 4, 4] (channels,"
        + " height, width); the input expects [3, 4, 4].", taskError(() -> encoded(grey, "image", List.of(3, 4, 4), null, null)));
  }

  @Test
  void anImageTheSourceCouldNotDecodeFailsNamingItsOrigin(SparkSession spark, @TempDir Path dir) throws IOException {
    ImageFiles.write(ImageFiles.colour(4, 4, 0), "png", dir.resolve("a.png"));
    Files.writeString(dir.resolve("b.png"), "not a picture");
    Dataset<Row> df = images(spark, dir);
    String origin = df.select("image.origin").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().get(1);
    assertEquals("Column 'image', row 1 of partition 0 (origin " + origin + "): not an image the image source could decode"
        + " (height -1, width -1, 0 bytes); expected shape [3, 4, 4] (channels, height, width).",
        taskError(() -> encoded(df, "image", List.of(3, 4, 4), null, null)));
  }

  @Test
  void aNullImageFailsAndAStructWithoutOriginNamesNone() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("image", ImageSchema.columnSchema());
    FeatureInput f = FeatureInput.resolve(schema, "image", List.of(1, 1, 2), false, null, null);
    TrainingColumns cols = TrainingColumns.forLabel(schema, f, "label", null);
    Row ok = RowFactory.create(0.0, RowFactory.create(null, 1, 2, 1, 0, new byte[] {0, (byte) 255}));
    Row short1 = RowFactory.create(0.0, RowFactory.create(null, 1, 2, 1, 0, new byte[] {7}));
    assertEquals("Column 'image', row 1 of partition 4: null; expected an image of shape [1, 1, 2] (channels, height, width).",
        assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 4, true)
            .encode(List.of(ok, RowFactory.create(0.0, null)).iterator(), 4).next()).getMessage());
    assertEquals("Column 'image', row 0 of partition 0: an image of shape [1, 1, 2] holds 1 bytes of pixels; it needs 2.",
        assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 4, true)
            .encode(List.of(short1).iterator(), 0).next()).getMessage());
  }

  @Test
  void binaryFilesThatAreNoImagesOrOfAnotherSizeFailNamingThePath(SparkSession spark, @TempDir Path dir) throws IOException {
    ImageFiles.write(ImageFiles.colour(4, 4, 0), "png", dir.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(4, 6, 0), "jpg", dir.resolve("b.jpg"));
    Files.writeString(dir.resolve("c.txt"), "not a picture");
    Dataset<Row> df = files(spark, dir);
    List<String> paths = df.select("path").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals("Column 'content', row 1 of partition 0 (path " + paths.get(1) + "): an image of 4x6 pixels (height x width);"
        + " the input expects 4x4 (shape [3, 4, 4]).", taskError(() -> encoded(df, "content", List.of(3, 4, 4), null, null)));
    Dataset<Row> text = df.filter(col("path").endsWith("c.txt"));
    assertEquals("Column 'content', row 0 of partition 0 (path " + paths.get(2) + "): 13 bytes in no image format"
        + " javax.imageio reads; expected PNG or JPEG.", taskError(() -> encoded(text, "content", List.of(3, 4, 4), null, null)));
  }

  @Test
  void aTruncatedImageFileFailsWithTheDecodersReason(@TempDir Path dir) throws IOException {
    Path png = ImageFiles.write(ImageFiles.colour(16, 16, 0), "png", dir.resolve("a.png"));
    byte[] bytes = Files.readAllBytes(png);
    byte[] truncated = Arrays.copyOf(bytes, 60);
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("content", DataTypes.BinaryType);
    FeatureInput f = FeatureInput.resolve(schema, "content", List.of(3, 16, 16), false, null, null);
    TrainingColumns cols = TrainingColumns.forLabel(schema, f, "label", null);
    String m = assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 4, true)
        .encode(List.of(RowFactory.create(0.0, truncated)).iterator(), 2).next()).getMessage();
    assertTrue(m.startsWith("Column 'content', row 0 of partition 2: 60 bytes that javax.imageio cannot decode as an image ("),
        m);
    assertEquals("Column 'content', row 0 of partition 2: null; expected an encoded image (PNG or JPEG).",
        assertThrows(IllegalArgumentException.class, () -> new BatchEncoder(cols, 4, true)
            .encode(List.of(RowFactory.create(0.0, null)).iterator(), 2).next()).getMessage());
  }

  @Test
  void theScorerDecodesImagesAsTheEncoderDoes(SparkSession spark, @TempDir Path dir) {
    ImageFiles.write(ImageFiles.colour(2, 3, 5), "png", dir.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(2, 4, 5), "png", dir.resolve("b.png"));
    Dataset<Row> df = images(spark, dir).coalesce(1);
    FeatureInput f = FeatureInput.resolve(df.schema(), "image", List.of(3, 2, 3), false, null, null);
    BatchScorer scorer = new BatchScorer(f, 18, 8, true, PredictionColumns.vector("pixels"));
    List<Row> rows = df.limit(1).collectAsList();
    Row scored = scorer.score(rows.iterator(), CPU, (x, y) -> CPU.copy(x, y), 0).next();
    float[] expected = ImageFiles.channelsFirst(ImageFiles.colour(2, 3, 5), 3);
    double[] got = ((org.apache.spark.ml.linalg.Vector) scored.get(scored.length() - 1)).toArray();
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], got[j], 0.0);
    }
    List<Row> all = df.collectAsList();
    String origin = all.get(1).getStruct(0).getString(0);
    assertEquals("Column 'image', row 1 of partition 3 (origin " + origin + "): an image of shape [3, 2, 4] (channels, height,"
        + " width); the input expects [3, 2, 3].", assertThrows(IllegalArgumentException.class,
            () -> scorer.score(all.iterator(), CPU, (x, y) -> CPU.copy(x, y), 3).next()).getMessage());
  }
}
