package org.sparkdl.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;
import org.sparkdl.train.InMemoryDataset;

/**
 * The bundled MNIST sample ({@code data/mnist10k}: 10,000 digits, IDX format): first 8000 rows for
 * training, last 2000 for testing. Pixels are scaled to {@code [0, 1]}.
 */
public final class MnistData {
  public static final int TRAIN = 8000;
  public static final int WIDTH = 784;

  private MnistData() {}

  /** The directory holding the IDX files: system property {@code sparkdl.data.dir}, else {@code data/} above the working directory. */
  public static Path dir() {
    String p = System.getProperty("sparkdl.data.dir");
    if (p != null && Files.isDirectory(Paths.get(p, "mnist10k"))) {
      return Paths.get(p, "mnist10k");
    }
    Path here = Paths.get("").toAbsolutePath();
    while (here != null) {
      Path c = here.resolve("data/mnist10k");
      if (Files.isDirectory(c)) {
        return c;
      }
      here = here.getParent();
    }
    throw new IllegalStateException("data/mnist10k not found; set -Dsparkdl.data.dir");
  }

  /** All 10,000 rows. */
  public static InMemoryDataset all() throws IOException {
    float[] pixels;
    float[] labels;
    try (DataInputStream in = open("images-idx3-ubyte.gz")) {
      check(in.readInt(), 2051, "images");
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      byte[] raw = in.readNBytes(n * rows * cols);
      pixels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xFF) / 255f;
      }
    }
    try (DataInputStream in = open("labels-idx1-ubyte.gz")) {
      check(in.readInt(), 2049, "labels");
      int n = in.readInt();
      byte[] raw = in.readNBytes(n);
      labels = new float[n];
      for (int i = 0; i < n; i++) {
        labels[i] = raw[i] & 0xFF;
      }
    }
    return InMemoryDataset.classification(pixels, WIDTH, labels);
  }

  public static InMemoryDataset train() throws IOException {
    return all().slice(0, TRAIN);
  }

  public static InMemoryDataset test() throws IOException {
    InMemoryDataset a = all();
    return a.slice(TRAIN, a.rows());
  }

  private static DataInputStream open(String name) throws IOException {
    InputStream raw = Files.newInputStream(dir().resolve(name));
    return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
  }

  private static void check(int magic, int expected, String what) {
    if (magic != expected) {
      throw new IllegalStateException("MNIST " + what + " file has magic " + magic + ", expected " + expected);
    }
  }
}
