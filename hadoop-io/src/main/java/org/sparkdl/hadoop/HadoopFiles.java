package org.sparkdl.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;
import org.sparkdl.io.ModelFileException;

/**
 * Reading and writing the files of a saved model on a Hadoop {@link FileSystem}: random-access
 * channels for weight files, and small UTF-8 text files such as {@code network.json}.
 *
 * <p>Nothing here closes the {@code FileSystem}; callers usually hold Hadoop's shared cached
 * instance. Messages of {@link ModelFileException} start with the path as the caller gave it.
 */
public final class HadoopFiles {
  /** The largest text file {@link #readUtf8} can return, bounded by Java's array size. */
  public static final long MAX_TEXT_BYTES = Integer.MAX_VALUE - 8;

  private HadoopFiles() {}

  /**
   * Opens {@code path} as a read-only channel with random access, for
   * {@link org.sparkdl.io.SafeTensorsReader#open(SeekableByteChannel, String)} and
   * {@link org.sparkdl.io.NetworkWeights#read}. Its {@code size()} is the file length when opened;
   * write and truncate throw {@link java.nio.channels.NonWritableChannelException}. The caller
   * closes the channel, which closes the stream.
   *
   * @param fs the file system holding the file
   * @param path the file
   * @return a channel positioned at the start of the file
   * @throws ModelFileException if the file does not exist or is a directory
   * @throws IOException if the file cannot be opened
   */
  public static SeekableByteChannel openChannel(FileSystem fs, Path path) throws IOException {
    FileStatus status = fileStatus(fs, path);
    // Passing the status lets object stores skip a second metadata request.
    FSDataInputStream in = FutureIO.awaitFuture(fs.openFile(status.getPath()).withFileStatus(status).build());
    return new FsInputChannel(in, status.getLen());
  }

  /**
   * Reads a small UTF-8 text file whole, refusing it before reading when it is larger than
   * {@code maxBytes}.
   *
   * @param fs the file system holding the file
   * @param path the file; messages start with it as given
   * @param maxBytes the largest length accepted, at most {@link #MAX_TEXT_BYTES}
   * @return the text
   * @throws ModelFileException if the file does not exist, is a directory, is longer than
   *     {@code maxBytes}, changed length while being read, or is not valid UTF-8
   * @throws IllegalArgumentException if {@code maxBytes} is negative or above {@link #MAX_TEXT_BYTES}
   * @throws IOException if reading fails
   */
  public static String readUtf8(FileSystem fs, Path path, long maxBytes) throws IOException {
    if (maxBytes < 0 || maxBytes > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes is " + maxBytes + "; it must be in [0, " + MAX_TEXT_BYTES + "].");
    }
    FileStatus status = fileStatus(fs, path);
    long length = status.getLen();
    if (length > maxBytes) {
      throw new ModelFileException(path.toString(), length + " bytes; at most " + maxBytes + " are accepted.");
    }
    byte[] bytes;
    try (InputStream in = FutureIO.awaitFuture(fs.openFile(status.getPath()).withFileStatus(status).build())) {
      // One byte more than the length, to notice a file that grew since its status was taken.
      bytes = in.readNBytes((int) (length + 1));
    }
    if (bytes.length != length) {
      throw new ModelFileException(path.toString(),
          "read " + bytes.length + " bytes of a file listed with " + length + "; it changed while being read.");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFileException(path.toString(), "is not valid UTF-8 text.", e);
    }
  }

  /**
   * Writes {@code text} as UTF-8 to {@code path}, replacing a file that is there and creating
   * missing parent directories. The write itself is not atomic; write model directories through
   * {@link AtomicDirectoryWriter} so that a partial file is never visible at the final path.
   *
   * @param fs the file system to write to
   * @param path the file
   * @param text the contents
   * @throws IOException if writing fails
   */
  public static void writeUtf8(FileSystem fs, Path path, String text) throws IOException {
    Objects.requireNonNull(text, "text");
    try (OutputStream out = fs.create(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The status of a regular file, with the messages a model reader needs when it is not one. */
  static FileStatus fileStatus(FileSystem fs, Path path) throws IOException {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(path, "path");
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new ModelFileException(path.toString(), "does not exist.", e);
    }
    if (status.isDirectory()) {
      throw new ModelFileException(path.toString(), "is a directory, not a file.");
    }
    // the local file system lists FIFOs and devices as files, and opening a FIFO blocks until a writer comes
    if ("file".equals(status.getPath().toUri().getScheme())
        && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(status.getPath().toUri()))) {
      throw new ModelFileException(path.toString(), "is not a regular file (a pipe, device or socket); refusing to read it.");
    }
    return status;
  }

  /** A file's length and CRC32C, as saved models record them. */
  public record Checksum(long bytes, String crc32c) {
    private static Checksum of(long bytes, java.util.zip.CRC32C crc) {
      return new Checksum(bytes, String.format(java.util.Locale.ROOT, "%08x", crc.getValue()));
    }
  }

  /**
   * The length and CRC32C of the regular file {@code path}, read once from start to end.
   *
   * @throws ModelFileException if the file does not exist or is not a regular file
   * @throws IOException if reading fails
   */
  public static Checksum checksum(FileSystem fs, Path path) throws IOException {
    FileStatus status = fileStatus(fs, path);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    long bytes = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = FutureIO.awaitFuture(fs.openFile(status.getPath()).withFileStatus(status).build())) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
        bytes += n;
      }
    }
    return Checksum.of(bytes, crc);
  }

  /** The {@link Checksum} of bytes already in memory. */
  public static Checksum checksum(byte[] bytes) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes);
    return Checksum.of(bytes.length, crc);
  }
}
