package org.sparkdl.ml.scoring;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Prepares rows of Spark's image source ({@code image: struct<origin, height, width, nChannels,
 * mode, data>}) for scoring: the struct becomes the features column, which the model decodes on
 * the executors exactly as in training ({@code [C, H, W]}, RGB, scaled to {@code [0, 1]}, the
 * model's channel normalisation), and {@code image.origin} is kept as {@code origin}.
 */
final class ImageFeatures {
  private ImageFeatures() {}

  static Dataset<Row> toFeatures(Dataset<Row> images, String featuresCol) {
    return images.withColumn("origin", functions.col("image.origin")).withColumnRenamed("image", featuresCol);
  }
}
