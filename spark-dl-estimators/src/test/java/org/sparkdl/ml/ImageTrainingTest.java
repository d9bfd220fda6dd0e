package org.sparkdl.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.testkit.ImageFiles;
import org.sparkdl.testkit.SharedSpark;

/**
 * Image files as training data: Spark's image source and binaryFile source read PNG files written
 * here (class 0 bright at the top, class 1 bright at the bottom), a CNN trains on them in local[2],
 * and bad images fail the fit before training, naming the file.
 */
@ExtendWith(SharedSpark.class)
class ImageTrainingTest {
  @TempDir
  static Path images;

  /** 40 grey 6x6 images of each class, named c{class}_{n}.png. */
  static void writeImages(Path dir) {
    Random r = new Random(12);
    for (int n = 0; n < 80; n++) {
      int label = n % 2;
      float[] px = new float[36];
      for (int i = 0; i < 36; i++) {
        boolean top = i < 18;
        px[i] = (float) Math.min(1, Math.max(0, (top == (label == 0) ? 0.7 : 0.2) + 0.15 * r.nextGaussian()));
      }
      ImageFiles.write(ImageFiles.grey(px, 6, 6), "png", dir.resolve(String.format("c%d_%02d.png", label, n)));
    }
  }

  static NetworkSpec cnn() {
    return NetworkSpec.builder().input("image", 1, 6, 6).conv2d(4, 3, c -> c.withPadding(Padding.of(1))).relu().maxPool2d(2)
        .flatten().dense(2).build();
  }

  static NeuralNetworkClassifier classifier(String featuresCol) {
    return new NeuralNetworkClassifier().setNetwork(cnn()).setFeaturesCol(featuresCol).setMaxEpochs(6).setBatchSize(16)
        .setLearningRate(0.02).setSeed(8);
  }

  /** The image source over {@code dir}, labelled by file name, sorted by file in one partition. */
  static Dataset<Row> imageSource(SparkSession spark, Path dir) {
    return spark.read().format("image").load(dir.toString())
        .withColumn("label", when(col("image.origin").contains("/c1_"), 1.0).otherwise(0.0))
        .orderBy(col("image.origin")).coalesce(1);
  }

  static Dataset<Row> binaryFiles(SparkSession spark, Path dir) {
    return spark.read().format("binaryFile").load(dir.toString())
        .withColumn("label", when(col("path").contains("/c1_"), 1.0).otherwise(0.0))
        .orderBy(col("path")).coalesce(1);
  }

  @Test
  void aCnnTrainsOnTheImageSourceAndOnBinaryFilesAlike(SparkSession spark) throws IOException {
    Path dir = Files.createDirectories(images.resolve("good"));
    writeImages(dir);
    Dataset<Row> fromImages = imageSource(spark, dir);
    NeuralNetworkClassificationModel a = classifier("image").fit(fromImages);
    assertEquals(1.0, TrainingFixtures.accuracy(a.transform(fromImages)));
    NeuralNetworkClassificationModel b = classifier("content").setInputShape(1, 6, 6).fit(binaryFiles(spark, dir));
    assertArrayEquals(a.weights(), b.weights(), "the same pixels, decoded by either source");
    // a model scores either source, whatever it was trained on
    assertEquals(1.0, TrainingFixtures.accuracy(a.setFeaturesCol("content").transform(binaryFiles(spark, dir))));
  }

  @Test
  void anImageOfAnotherSizeFailsTheFitNamingItsOrigin(SparkSession spark) throws IOException {
    Path dir = Files.createDirectories(images.resolve("sizes"));
    writeImages(dir);
    ImageFiles.write(ImageFiles.grey(new float[35], 7, 5), "png", dir.resolve("c0_02.png"));
    Dataset<Row> data = imageSource(spark, dir);
    String origin = data.select("image.origin").as(Encoders.STRING()).collectAsList().get(1);
    assertEquals("Column 'image', row 1 of partition 0 (origin " + origin + "): an image of shape [1, 7, 5] (channels, height,"
        + " width); the input expects [1, 6, 6].", TrainingFixtures.fitError(spark, classifier("image"), data));
  }

  @Test
  void aFileThatIsNoImageFailsTheFitNamingItsPath(SparkSession spark) throws IOException {
    Path dir = Files.createDirectories(images.resolve("text"));
    writeImages(dir);
    Files.writeString(dir.resolve("c1_01.png"), "a note");
    Dataset<Row> data = binaryFiles(spark, dir);
    String path = data.select("path").as(Encoders.STRING()).collectAsList().get(40);
    assertEquals("Column 'content', row 40 of partition 0 (path " + path + "): 6 bytes in no image format javax.imageio"
        + " reads; expected PNG or JPEG.", TrainingFixtures.fitError(spark, classifier("content"), data));
  }
}
