package org.sparkdl.arrow;

/**
 * The float each 8-bit pixel value becomes, per channel: {@code (b / 255 - mean[c]) / std[c]}, or
 * {@code b / 255} without normalisation. A table of 256 values a channel turns decoding into one
 * lookup per pixel, and gives both image decoders the same numbers.
 */
final class PixelTable {
  private final float[][] values;

  private PixelTable(float[][] values) {
    this.values = values;
  }

  /** The table for {@code channels}; {@code mean} and {@code std} are both null or both of that length. */
  static PixelTable of(int channels, float[] mean, float[] std) {
    float[][] v = new float[channels][256];
    for (int c = 0; c < channels; c++) {
      for (int b = 0; b < 256; b++) {
        float x = b / 255f;
        v[c][b] = mean == null ? x : (x - mean[c]) / std[c];
      }
    }
    return new PixelTable(v);
  }

  /** The lookup table of channel {@code c}. */
  float[] channel(int c) {
    return values[c];
  }
}
