package org.sparkdl.arrow;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Where the parts of an image sit in the struct of Spark's image source ({@code
 * spark.read.format("image")}: {@code origin string, height int, width int, nChannels int, mode
 * int, data binary}), resolved once on the driver so that executors read them by position.
 *
 * @param origin position of {@code origin} (the file the image came from), or -1 when the struct
 *     has none
 * @param height position of {@code height}
 * @param width position of {@code width}
 * @param channels position of {@code nChannels}
 * @param data position of {@code data}: the pixels, row by row, each pixel's channels in BGR(A)
 *     order, one unsigned byte each
 */
record ImageFields(int origin, int height, int width, int channels, int data) implements Serializable {

  /** True when {@code s} has the fields of an image struct: int height, width and nChannels, and binary data. */
  static boolean isImageStruct(StructType s) {
    return DataTypes.IntegerType.equals(type(s, "height")) && DataTypes.IntegerType.equals(type(s, "width"))
        && DataTypes.IntegerType.equals(type(s, "nChannels")) && DataTypes.BinaryType.equals(type(s, "data"));
  }

  /** The positions in {@code s}, which {@link #isImageStruct} accepted. */
  static ImageFields of(StructType s) {
    int origin = DataTypes.StringType.equals(type(s, "origin")) ? s.fieldIndex("origin") : -1;
    return new ImageFields(origin, s.fieldIndex("height"), s.fieldIndex("width"), s.fieldIndex("nChannels"),
        s.fieldIndex("data"));
  }

  private static DataType type(StructType s, String name) {
    for (StructField f : s.fields()) {
      if (f.name().equals(name)) {
        return f.dataType();
      }
    }
    return null;
  }
}
