package org.sparkdl.arrow;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.spark.sql.Row;

/**
 * Decodes a binary column of encoded images (PNG, JPEG, or any format {@code javax.imageio} reads,
 * as the {@code binaryFile} source gives them) into a {@code [C, H, W]} float block: grey images
 * keep their samples (as Spark's image source does), colour images are read as sRGB; then the
 * pixels are converted to the input's channels (grey by luma {@code 0.299 R + 0.587 G + 0.114 B},
 * grey replicated to RGB, alpha 255 when the image has none) and go through the {@link
 * PixelTable}. Undecodable bytes or another size fail the row, naming its {@code path}.
 */
final class EncodedImageReader implements FeatureReader {
  private final InputColumn column;
  private final int pathIndex;
  private final int[] shape;
  private final PixelTable table;
  private final int partition;

  EncodedImageReader(InputColumn column, int pathIndex, int[] shape, PixelTable table, int partition) {
    this.column = column;
    this.pathIndex = pathIndex;
    this.shape = shape;
    this.table = table;
    this.partition = partition;
  }

  @Override
  public int read(Row row, long rowIndex, ArrowBuf buf, long at) {
    String path = pathIndex >= 0 && !row.isNullAt(pathIndex) ? row.getString(pathIndex) : null;
    if (row.isNullAt(column.index())) {
      throw error(rowIndex, path, "null; expected an encoded image (PNG or JPEG).");
    }
    byte[] bytes = (byte[]) row.get(column.index());
    BufferedImage image;
    try {
      // in memory: ImageIO's default stream cache would write each image to a temporary file
      image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | RuntimeException e) {
      throw error(rowIndex, path, bytes.length + " bytes that javax.imageio cannot decode as an image (" + e.getMessage() + ").");
    }
    if (image == null) {
      throw error(rowIndex, path, bytes.length + " bytes in no image format javax.imageio reads; expected PNG or JPEG.");
    }
    int height = shape[1];
    int width = shape[2];
    if (image.getHeight() != height || image.getWidth() != width) {
      throw error(rowIndex, path, "an image of " + image.getHeight() + "x" + image.getWidth() + " pixels (height x width); the"
          + " input expects " + height + "x" + width + " (shape " + Arrays.toString(shape) + ").");
    }
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      writeGrey(image, buf, at);
    } else {
      writeColour(image, buf, at);
    }
    return 0;
  }

  private void writeGrey(BufferedImage image, ArrowBuf buf, long at) {
    int plane = shape[1] * shape[2];
    Raster r = image.getRaster();
    int[] grey = eightBit(r.getSamples(0, 0, shape[2], shape[1], 0, (int[]) null), image.getColorModel().getComponentSize(0));
    int[] alpha = shape[0] == 4 && r.getNumBands() > 1
        ? eightBit(r.getSamples(0, 0, shape[2], shape[1], 1, (int[]) null), image.getColorModel().getComponentSize(1)) : null;
    for (int ch = 0; ch < shape[0]; ch++) {
      float[] lut = table.channel(ch);
      long out = at + 4L * ch * plane;
      for (int p = 0; p < plane; p++) {
        int v = ch < 3 ? grey[p] : alpha == null ? 255 : alpha[p];
        buf.setFloat(out + 4L * p, lut[v]);
      }
    }
  }

  private void writeColour(BufferedImage image, ArrowBuf buf, long at) {
    int plane = shape[1] * shape[2];
    int[] argb = image.getRGB(0, 0, shape[2], shape[1], null, 0, shape[2]);
    if (shape[0] == 1) {
      float[] lut = table.channel(0);
      for (int p = 0; p < plane; p++) {
        int px = argb[p];
        long luma = Math.round(0.299 * ((px >> 16) & 0xFF) + 0.587 * ((px >> 8) & 0xFF) + 0.114 * (px & 0xFF));
        buf.setFloat(at + 4L * p, lut[(int) luma]);
      }
      return;
    }
    for (int ch = 0; ch < shape[0]; ch++) {
      float[] lut = table.channel(ch);
      int shift = ch == 3 ? 24 : 16 - 8 * ch;
      long out = at + 4L * ch * plane;
      for (int p = 0; p < plane; p++) {
        buf.setFloat(out + 4L * p, lut[(argb[p] >>> shift) & 0xFF]);
      }
    }
  }

  /** Samples of {@code bits} bits scaled to 8 bits, in place. */
  private static int[] eightBit(int[] samples, int bits) {
    if (bits != 8) {
      double max = (1L << bits) - 1;
      for (int i = 0; i < samples.length; i++) {
        samples[i] = (int) Math.round(samples[i] * 255 / max);
      }
    }
    return samples;
  }

  private IllegalArgumentException error(long rowIndex, String path, String what) {
    return new IllegalArgumentException("Column '" + column.name() + "', row " + rowIndex + " of partition " + partition
        + (path != null ? " (path " + path + ")" : "") + ": " + what);
  }
}
