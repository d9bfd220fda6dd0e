package org.sparkdl.ml.scoring;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Turns rows of Spark's image source ({@code image: struct<origin, height, width, nChannels,
 * mode, data>}) into a features column of {@code array<float>}: the pixel bytes in the source's
 * order (height, width, channel; BGR for colour images, as the source stores them), scaled to
 * {@code [0, 1]}. Keeps {@code image.origin} as {@code origin}.
 */
final class ImageFeatures {
  private ImageFeatures() {}

  static Dataset<Row> toFeatures(Dataset<Row> images, String featuresCol) {
    UDF1<byte[], float[]> scale = bytes -> {
      float[] f = new float[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        f[i] = (bytes[i] & 0xFF) / 255f;
      }
      return f;
    };
    return images
        .withColumn("origin", functions.col("image.origin"))
        .withColumn(featuresCol, functions.udf(scale, DataTypes.createArrayType(DataTypes.FloatType, false))
            .apply(functions.col("image.data")));
  }
}
