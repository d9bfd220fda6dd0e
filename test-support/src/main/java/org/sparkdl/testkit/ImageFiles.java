package org.sparkdl.testkit;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Small images with known pixels, written as PNG or JPEG files for Spark's {@code image} and
 * {@code binaryFile} sources to read, and the tensors they should become.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** An RGB image whose pixel (y, x) is {@code (r, g, b) = (seed + 16y + x, 255 - seed - 8x, 40 + 50y)}, each mod 256. */
  public static BufferedImage colour(int height, int width, int seed) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, rgb(seed + 16 * y + x, 255 - seed - 8 * x, 40 + 50 * y));
      }
    }
    return img;
  }

  /** An RGBA image: {@link #colour} with alpha {@code 255 - 20x} at (y, x). */
  public static BufferedImage colourWithAlpha(int height, int width, int seed) {
    BufferedImage c = colour(height, width, seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, (((255 - 20 * x) & 0xFF) << 24) | (c.getRGB(x, y) & 0xFFFFFF));
      }
    }
    return img;
  }

  /** An 8-bit grey image whose pixel (y, x) is {@code (seed + 30y + 7x) mod 256}. */
  public static BufferedImage grey(int height, int width, int seed) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, (seed + 30 * y + 7 * x) & 0xFF);
      }
    }
    return img;
  }

  /** A grey image of {@code pixels} in {@code [0, 1]} (rounded to bytes), row-major {@code height x width}. */
  public static BufferedImage grey(float[] pixels, int height, int width) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, Math.round(pixels[y * width + x] * 255));
      }
    }
    return img;
  }

  /** Writes {@code img} as {@code format} ({@code png}, {@code jpg}) to {@code file}; returns the file. */
  public static Path write(BufferedImage img, String format, Path file) {
    try {
      if (!ImageIO.write(img, format, file.toFile())) {
        throw new IllegalStateException("No ImageIO writer for " + format + ".");
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The pixels of an RGB(A) image as {@code [C, H, W]} floats in [0, 1], channels R, G, B (and A
   * when {@code channels} is 4).
   */
  public static float[] channelsFirst(BufferedImage img, int channels) {
    int h = img.getHeight();
    int w = img.getWidth();
    float[] out = new float[channels * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = img.getRGB(x, y);
        int[] v = {(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF, (p >>> 24) & 0xFF};
        for (int c = 0; c < channels; c++) {
          out[(c * h + y) * w + x] = v[c] / 255f;
        }
      }
    }
    return out;
  }

  /** The samples of an 8-bit grey image as {@code [1, H, W]} floats in [0, 1]. */
  public static float[] greySamples(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out[y * w + x] = img.getRaster().getSample(x, y, 0) / 255f;
      }
    }
    return out;
  }

  private static int rgb(int r, int g, int b) {
    return ((r & 0xFF) << 16) | ((g & 0xFF) << 8) | (b & 0xFF);
  }
}
