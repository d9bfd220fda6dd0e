package org.sparkdl.arrow;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.spark.sql.Row;

/**
 * Reads the struct of Spark's image source into a {@code [C, H, W]} float block: the source's
 * bytes (height, width, channel order; BGR or BGRA) are reordered to channel-first RGB(A), and each
 * byte goes through the {@link PixelTable}. An image of another size or channel count, or one the
 * source could not decode, fails the row, naming the image's origin.
 */
final class ImageReader implements FeatureReader {
  /** For C channels, the byte within a source pixel that output channel c reads (BGR(A) to RGB(A)). */
  private static final int[][] SOURCE = {null, {0}, null, {2, 1, 0}, {2, 1, 0, 3}};

  private final InputColumn column;
  private final ImageFields fields;
  private final int[] shape;
  private final PixelTable table;
  private final int partition;

  ImageReader(InputColumn column, ImageFields fields, int[] shape, PixelTable table, int partition) {
    this.column = column;
    this.fields = fields;
    this.shape = shape;
    this.table = table;
    this.partition = partition;
  }

  @Override
  public int read(Row row, long rowIndex, ArrowBuf buf, long at) {
    int channels = shape[0];
    int height = shape[1];
    int width = shape[2];
    if (row.isNullAt(column.index())) {
      throw error(rowIndex, null, "null; expected an image of shape " + Arrays.toString(shape) + " (channels, height, width).");
    }
    Row image = row.getStruct(column.index());
    String origin = fields.origin() >= 0 && !image.isNullAt(fields.origin()) ? image.getString(fields.origin()) : null;
    int h = image.isNullAt(fields.height()) ? -1 : image.getInt(fields.height());
    int w = image.isNullAt(fields.width()) ? -1 : image.getInt(fields.width());
    int c = image.isNullAt(fields.channels()) ? -1 : image.getInt(fields.channels());
    byte[] data = image.isNullAt(fields.data()) ? new byte[0] : (byte[]) image.get(fields.data());
    if (h < 1 || w < 1 || c < 1 || data.length == 0) {
      throw error(rowIndex, origin, "not an image the image source could decode (height " + h + ", width " + w + ", "
          + data.length + " bytes); expected shape " + Arrays.toString(shape) + " (channels, height, width).");
    }
    if (h != height || w != width || c != channels) {
      throw error(rowIndex, origin, "an image of shape [" + c + ", " + h + ", " + w + "] (channels, height, width); the input"
          + " expects " + Arrays.toString(shape) + ".");
    }
    if ((long) h * w * c != data.length) {
      throw error(rowIndex, origin, "an image of shape [" + c + ", " + h + ", " + w + "] holds " + data.length
          + " bytes of pixels; it needs " + (long) h * w * c + ".");
    }
    int plane = height * width;
    int[] source = SOURCE[channels];
    for (int ch = 0; ch < channels; ch++) {
      float[] lut = table.channel(ch);
      long out = at + 4L * ch * plane;
      for (int p = 0, b = source[ch]; p < plane; p++, b += channels) {
        buf.setFloat(out + 4L * p, lut[data[b] & 0xFF]);
      }
    }
    return 0;
  }

  private IllegalArgumentException error(long rowIndex, String origin, String what) {
    return new IllegalArgumentException("Column '" + column.name() + "', row " + rowIndex + " of partition " + partition
        + (origin != null ? " (origin " + origin + ")" : "") + ": " + what);
  }
}
