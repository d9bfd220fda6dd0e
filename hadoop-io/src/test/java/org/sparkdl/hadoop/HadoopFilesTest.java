package org.sparkdl.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;

/** {@link HadoopFiles} on the local file system; {@link HdfsTest} repeats the channel checks on HDFS. */
class HadoopFilesTest {
  @TempDir java.nio.file.Path tmp;

  private FileSystem fs;
  private Path dir;

  @BeforeEach
  void localFileSystem() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    dir = new Path(tmp.toString());
  }

  /** {@code n} bytes that differ from their neighbours, so a read from a wrong offset shows. */
  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 % 251);
    }
    return b;
  }

  static void writeBytes(FileSystem fs, Path p, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    }
  }

  /** Reads {@code dest.remaining()} bytes at {@code position}, looping over short reads. */
  static byte[] readAt(SeekableByteChannel ch, long position, ByteBuffer dest) throws IOException {
    ch.position(position);
    while (dest.hasRemaining()) {
      if (ch.read(dest) < 0) {
        break;
      }
    }
    dest.flip();
    byte[] out = new byte[dest.remaining()];
    dest.get(out);
    return out;
  }

  /** Random access in both directions, into heap and direct buffers, and reads at and past the end. */
  static void checkRandomAccess(FileSystem fs, Path file) throws IOException {
    byte[] expected = pattern(300_000);
    writeBytes(fs, file, expected);
    try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, file)) {
      assertEquals(300_000, ch.size());
      assertArrayEquals(Arrays.copyOfRange(expected, 250_000, 251_000),
          readAt(ch, 250_000, ByteBuffer.allocate(1000)));
      assertEquals(251_000, ch.position());
      assertArrayEquals(Arrays.copyOfRange(expected, 10, 200_010),
          readAt(ch, 10, ByteBuffer.allocateDirect(200_000)));
      assertArrayEquals(Arrays.copyOfRange(expected, 299_990, 300_000),
          readAt(ch, 299_990, ByteBuffer.allocate(50)));
      assertEquals(300_000, ch.position());
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
      ch.position(400_000);
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
      assertEquals(0, ch.position(5).read(ByteBuffer.allocate(0)));
      assertArrayEquals(Arrays.copyOfRange(expected, 0, 8), readAt(ch, 0, ByteBuffer.allocate(8)));
    }
  }

  @Test
  void channelReadsAtAnyPositionAndKnowsTheFileSize() throws IOException {
    checkRandomAccess(fs, new Path(dir, "data.bin"));
  }

  @Test
  void channelIsReadOnly() throws IOException {
    Path file = new Path(dir, "data.bin");
    writeBytes(fs, file, pattern(10));
    try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, file)) {
      assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
      assertThrows(NonWritableChannelException.class, () -> ch.truncate(0));
    }
  }

  @Test
  void closedChannelRefusesUse() throws IOException {
    Path file = new Path(dir, "data.bin");
    writeBytes(fs, file, pattern(10));
    SeekableByteChannel ch = HadoopFiles.openChannel(fs, file);
    ch.close();
    ch.close();
    assertFalse(ch.isOpen());
    assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
    assertThrows(ClosedChannelException.class, ch::size);
    assertThrows(ClosedChannelException.class, () -> ch.position(0));
  }

  @Test
  void openChannelNamesAMissingFile() {
    Path missing = new Path(dir, "weights.safetensors");
    ModelFileException e = assertThrows(ModelFileException.class, () -> HadoopFiles.openChannel(fs, missing));
    assertEquals(missing + ": does not exist.", e.getMessage());
  }

  @Test
  void readUtf8RoundTripsTextWrittenByWriteUtf8() throws IOException {
    Path file = new Path(dir, "nested/dir/network.json");
    String text = "{\"name\":\"réseau ✓\"}";
    HadoopFiles.writeUtf8(fs, file, text);
    assertEquals(text, HadoopFiles.readUtf8(fs, file, text.getBytes(StandardCharsets.UTF_8).length));
    HadoopFiles.writeUtf8(fs, file, "{}");
    assertEquals("{}", HadoopFiles.readUtf8(fs, file, 1 << 20));
  }

  @Test
  void readUtf8RefusesAFileLargerThanTheLimit() throws IOException {
    Path file = new Path(dir, "network.json");
    HadoopFiles.writeUtf8(fs, file, "x".repeat(2000));
    ModelFileException e = assertThrows(ModelFileException.class, () -> HadoopFiles.readUtf8(fs, file, 1999));
    assertEquals(file + ": 2000 bytes; at most 1999 are accepted.", e.getMessage());
    assertEquals(file.toString(), e.fileName());
  }

  @Test
  void readUtf8NamesAMissingFileAndADirectory() {
    Path missing = new Path(dir, "network.json");
    ModelFileException e = assertThrows(ModelFileException.class, () -> HadoopFiles.readUtf8(fs, missing, 100));
    assertEquals(missing + ": does not exist.", e.getMessage());
    e = assertThrows(ModelFileException.class, () -> HadoopFiles.readUtf8(fs, dir, 100));
    assertEquals(dir + ": is a directory, not a file.", e.getMessage());
  }

  @Test
  void readUtf8RefusesBytesThatAreNotUtf8() throws IOException {
    Path file = new Path(dir, "network.json");
    writeBytes(fs, file, new byte[] {'{', (byte) 0xff, '}'});
    ModelFileException e = assertThrows(ModelFileException.class, () -> HadoopFiles.readUtf8(fs, file, 100));
    assertEquals(file + ": is not valid UTF-8 text.", e.getMessage());
  }

  @Test
  void readUtf8RefusesANegativeLimit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HadoopFiles.readUtf8(fs, new Path(dir, "x"), -1));
    assertEquals("maxBytes is -1; it must be in [0, 2147483639].", e.getMessage());
  }
}
