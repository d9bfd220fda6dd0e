package org.sparkdl.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;

/** {@link IdxReader} on the bundled MNIST sample and on malformed files. */
class IdxReaderTest {
  /** Class counts of the bundled sample, from its README. */
  static final int[] MNIST_CLASS_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

  @TempDir java.nio.file.Path tmp;

  private FileSystem fs;

  @BeforeEach
  void localFileSystem() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
  }

  /** {@code data/mnist10k}, from the property the build sets, else found above the working directory. */
  static java.nio.file.Path mnistDir() {
    String p = System.getProperty("sparkdl.data.dir");
    if (p != null && Files.isDirectory(Paths.get(p, "mnist10k"))) {
      return Paths.get(p, "mnist10k");
    }
    for (java.nio.file.Path here = Paths.get("").toAbsolutePath(); here != null; here = here.getParent()) {
      if (Files.isDirectory(here.resolve("data/mnist10k"))) {
        return here.resolve("data/mnist10k");
      }
    }
    throw new IllegalStateException("data/mnist10k not found; set -Dsparkdl.data.dir=<repo>/data");
  }

  static Path mnist(String file) {
    return new Path(mnistDir().resolve(file).toString());
  }

  /** The gzipped file decompressed into {@code dir}. */
  static java.nio.file.Path gunzip(java.nio.file.Path gz, java.nio.file.Path dir) throws IOException {
    java.nio.file.Path out = dir.resolve(gz.getFileName().toString().replace(".gz", ""));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.copy(in, out);
    }
    return out;
  }

  static void checkMnistImages(IdxArray images) {
    assertArrayEquals(new int[] {10000, 28, 28}, images.dims());
    assertEquals(10000, images.count());
    assertEquals(784, images.itemLength());
    assertEquals(7_840_000, images.length());
    long firstImageSum = 0;
    for (int i = 0; i < 784; i++) {
      firstImageSum += images.unsigned(i);
    }
    assertEquals(30227, firstImageSum);
  }

  static void checkMnistLabels(IdxArray labels) {
    assertArrayEquals(new int[] {10000}, labels.dims());
    assertEquals(1, labels.itemLength());
    float[] values = labels.toFloats();
    assertArrayEquals(new float[] {0, 3, 8, 1, 7}, Arrays.copyOf(values, 5));
    int[] counts = new int[10];
    for (float v : values) {
      counts[(int) v]++;
    }
    assertArrayEquals(MNIST_CLASS_COUNTS, counts);
  }

  @Test
  void readsTheGzippedMnistImages() throws IOException {
    IdxArray images = IdxReader.read(fs, mnist("images-idx3-ubyte.gz"));
    checkMnistImages(images);
    float[] unit = images.toUnitFloats();
    float max = 0;
    for (float v : unit) {
      max = Math.max(max, v);
    }
    assertEquals(1f, max);
    assertEquals(images.unsigned(300) / 255f, unit[300]);
    assertEquals(mnist("images-idx3-ubyte.gz") + ": unsigned bytes [10000, 28, 28]", images.toString());
  }

  @Test
  void readsTheGzippedMnistLabels() throws IOException {
    IdxArray labels = IdxReader.read(fs, mnist("labels-idx1-ubyte.gz"));
    checkMnistLabels(labels);
    assertEquals(0, labels.unsigned(0));
    assertEquals(3, labels.unsigned(1));
  }

  @Test
  void readsPlainFilesFromAFileSystemAndFromAStream() throws IOException {
    java.nio.file.Path images = gunzip(mnistDir().resolve("images-idx3-ubyte.gz"), tmp);
    java.nio.file.Path labels = gunzip(mnistDir().resolve("labels-idx1-ubyte.gz"), tmp);
    IdxArray fromFs = IdxReader.read(fs, new Path(images.toString()));
    checkMnistImages(fromFs);
    checkMnistLabels(IdxReader.read(fs, new Path(labels.toString())));
    try (InputStream in = Files.newInputStream(labels)) {
      checkMnistLabels(IdxReader.read(in, "labels-idx1-ubyte"));
    }
    assertEquals(IdxReader.read(fs, mnist("images-idx3-ubyte.gz")).data(), fromFs.data());
  }

  @Test
  void leavesTheCallersStreamOpen() throws IOException {
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(gzip(idx(new int[] {2}, 7, 9))) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    IdxArray a = IdxReader.read(in, "tiny.gz");
    assertArrayEquals(new byte[] {7, 9}, a.toBytes());
    assertFalse(closed[0]);
  }

  @Test
  void dataIsReadOnly() throws IOException {
    ByteBuffer data = IdxReader.read(new ByteArrayInputStream(idx(new int[] {2}, 7, 9)), "tiny").data();
    assertTrue(data.isReadOnly());
    assertEquals(2, data.remaining());
  }

  /** An IDX file of unsigned bytes with the given dimensions, followed by {@code data}. */
  static byte[] idx(int[] dims, int... data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int v : data) {
      b.put((byte) v);
    }
    return b.array();
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    }
    return out.toByteArray();
  }

  private static String failure(byte[] file) {
    return failure(file, IdxReader.DEFAULT_MAX_BYTES);
  }

  private static String failure(byte[] file, long maxBytes) {
    return assertThrows(ModelFileException.class,
        () -> IdxReader.read(new ByteArrayInputStream(file), "bad.idx", maxBytes)).getMessage();
  }

  @Test
  void rejectsAFileThatIsNotIdx() {
    assertEquals("bad.idx: starts with 0x504b0304, which is not an IDX header; IDX files start with two zero "
        + "bytes, a type code and the rank (0x00000803 for MNIST images).",
        failure(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0}));
  }

  @Test
  void rejectsElementTypesOtherThanUnsignedBytes() {
    assertEquals("bad.idx: element type 0x0d (32-bit floats) is not supported; only unsigned bytes (0x08) are read.",
        failure(new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}));
  }

  @Test
  void rejectsRanksOutsideOneToFour() {
    assertEquals("bad.idx: rank 0 is outside [1, 4].", failure(new byte[] {0, 0, 8, 0}));
    assertEquals("bad.idx: rank 5 is outside [1, 4].", failure(idx(new int[] {1, 1, 1, 1, 1}, 0)));
  }

  @Test
  void rejectsATruncatedHeader() {
    assertEquals("bad.idx: file ended after 2 bytes, inside the IDX header.", failure(new byte[] {0, 0}));
    assertEquals("bad.idx: file ended after 6 bytes, inside the 16-byte IDX header.",
        failure(new byte[] {0, 0, 8, 3, 0, 0}));
  }

  @Test
  void rejectsAZeroDimension() {
    assertEquals("bad.idx: dimension 1 of [10, 0, 28] is 0; every dimension must be at least 1.",
        failure(idx(new int[] {10, 0, 28})));
  }

  @Test
  void rejectsAbsurdDimensionsBeforeAllocating() throws IOException {
    assertEquals("bad.idx: dimensions [4294967295, 4294967295, 4294967295, 4294967295] declare "
        + "340282366604025813516997721482669850625 bytes; at most 1073741824 are accepted.",
        failure(idx(new int[] {-1, -1, -1, -1})));
    assertEquals("bad.idx: dimensions [10, 28, 28] declare 7840 bytes; at most 1000 are accepted.",
        failure(idx(new int[] {10, 28, 28}), 1000));
    // Under the cap but far beyond the stream: only the bytes present are held.
    assertEquals("bad.idx: the data ends after 3 of the 1000000000 bytes that dimensions [1000, 1000, 1000] declare.",
        failure(gzip(idx(new int[] {1000, 1000, 1000}, 1, 2, 3))));
  }

  @Test
  void rejectsTruncatedData() {
    assertEquals("bad.idx: the data ends after 4 of the 10 bytes that dimensions [10] declare.",
        failure(idx(new int[] {10}, 1, 2, 3, 4)));
  }

  @Test
  void rejectsAFileWhoseLengthDisagreesWithItsHeaderBeforeReadingTheData() throws IOException {
    java.nio.file.Path file = tmp.resolve("short.idx");
    Files.write(file, idx(new int[] {10, 28, 28}, 1, 2, 3, 4));
    Path path = new Path(file.toString());
    ModelFileException e = assertThrows(ModelFileException.class, () -> IdxReader.read(fs, path));
    assertEquals(path + ": the file has 20 bytes; its header declares dimensions [10, 28, 28], which need 7856.",
        e.getMessage());
  }

  @Test
  void rejectsBytesAfterTheData() {
    assertEquals("bad.idx: more bytes follow the 2 that dimensions [2] declare.", failure(idx(new int[] {2}, 1, 2, 3)));
  }

  @Test
  void rejectsATruncatedGzipStream() throws IOException {
    byte[] whole = Files.readAllBytes(mnistDir().resolve("labels-idx1-ubyte.gz"));
    assertEquals("bad.idx: the compressed data is truncated or corrupt (Unexpected end of ZLIB input stream).",
        failure(Arrays.copyOf(whole, 2000)));
  }

  @Test
  void namesAMissingFile() {
    Path missing = new Path(tmp.toString(), "train-images-idx3-ubyte");
    ModelFileException e = assertThrows(ModelFileException.class, () -> IdxReader.read(fs, missing));
    assertEquals(missing + ": does not exist.", e.getMessage());
  }

  @Test
  void refusesACapOutsideTheArrayLimit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IdxReader.read(new ByteArrayInputStream(new byte[0]), "x", 0));
    assertEquals("maxBytes is 0; it must be in [1, 2147483639].", e.getMessage());
  }
}
