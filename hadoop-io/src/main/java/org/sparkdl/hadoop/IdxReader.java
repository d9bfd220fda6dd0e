package org.sparkdl.hadoop;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkdl.io.ModelFileException;

/**
 * Reads IDX files, the format MNIST and its relatives ship in, holding unsigned bytes.
 *
 * <p>An IDX file is a header followed by the data: two zero bytes, a type code ({@code 0x08} for
 * unsigned bytes, the only one read here), the rank, then each dimension as a big-endian 32-bit
 * unsigned integer, outermost first. MNIST images start {@code 00 00 08 03} (2051) with dimensions
 * {@code [count, 28, 28]}; labels start {@code 00 00 08 01} (2049) with {@code [count]}. Files
 * compressed with gzip, as MNIST is distributed, are recognised by their first two bytes
 * {@code 1f 8b} and decompressed on the fly.
 *
 * <p>Files are treated as untrusted. The header is validated (magic, type, rank at most
 * {@link #MAX_RANK}, every dimension at least 1) and the byte count the dimensions declare is
 * compared with a cap, and, for an uncompressed file of known length, with that length, before the
 * data array is allocated. A compressed stream's data is read in pieces, so a header that claims
 * more than the stream holds costs only what the stream holds. Short data and bytes past the
 * declared data are errors, and so is compressed data that is cut off or corrupt. Every failure is a
 * {@link ModelFileException} whose message starts with the file's name.
 */
public final class IdxReader {
  /** The largest data accepted by default, in bytes (1 GiB); pass a cap to the overloads to change it. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** The largest cap accepted, bounded by Java's array size. */
  public static final long MAX_BYTES_LIMIT = Integer.MAX_VALUE - 8;

  /** The highest rank read. */
  public static final int MAX_RANK = 4;

  private static final int UNSIGNED_BYTE = 0x08;
  private static final int BUFFER_BYTES = 1 << 16;

  private IdxReader() {}

  /**
   * Reads an IDX file of unsigned bytes from a stream, plain or gzip-compressed, with at most
   * {@link #DEFAULT_MAX_BYTES} of data. Reads to the end of the stream and leaves it open.
   *
   * @param in the file's bytes
   * @param name the name messages start with
   * @return the dimensions and data
   * @throws ModelFileException if the file is malformed (see the class comment)
   * @throws IOException if reading fails
   */
  public static IdxArray read(InputStream in, String name) throws IOException {
    return read(in, name, DEFAULT_MAX_BYTES);
  }

  /**
   * Reads an IDX file of unsigned bytes from a stream, plain or gzip-compressed, with at most
   * {@code maxBytes} of data. Reads to the end of the stream and leaves it open.
   *
   * @param in the file's bytes
   * @param name the name messages start with
   * @param maxBytes the largest data accepted, 1 to {@link #MAX_BYTES_LIMIT}
   * @return the dimensions and data
   * @throws ModelFileException if the file is malformed (see the class comment)
   * @throws IllegalArgumentException if {@code maxBytes} is out of range
   * @throws IOException if reading fails
   */
  public static IdxArray read(InputStream in, String name, long maxBytes) throws IOException {
    Objects.requireNonNull(in, "in");
    return read(in, name, maxBytes, -1);
  }

  /**
   * Reads an IDX file of unsigned bytes, plain or gzip-compressed, from any Hadoop file system,
   * with at most {@link #DEFAULT_MAX_BYTES} of data. Messages start with {@code path} as given.
   *
   * @param fs the file system holding the file
   * @param path the file
   * @return the dimensions and data
   * @throws ModelFileException if the file does not exist or is malformed (see the class comment)
   * @throws IOException if reading fails
   */
  public static IdxArray read(FileSystem fs, Path path) throws IOException {
    return read(fs, path, DEFAULT_MAX_BYTES);
  }

  /**
   * Reads an IDX file of unsigned bytes, plain or gzip-compressed, from any Hadoop file system,
   * with at most {@code maxBytes} of data. Messages start with {@code path} as given.
   *
   * @param fs the file system holding the file
   * @param path the file
   * @param maxBytes the largest data accepted, 1 to {@link #MAX_BYTES_LIMIT}
   * @return the dimensions and data
   * @throws ModelFileException if the file does not exist or is malformed (see the class comment)
   * @throws IllegalArgumentException if {@code maxBytes} is out of range
   * @throws IOException if reading fails
   */
  public static IdxArray read(FileSystem fs, Path path, long maxBytes) throws IOException {
    try (OpenFile file = OpenFile.open(fs, path)) {
      return read(file.in, path.toString(), maxBytes, file.length);
    }
  }

  /** An open file and its length; the stream is positioned at the start. */
  private record OpenFile(FSDataInputStream in, long length) implements AutoCloseable {
    static OpenFile open(FileSystem fs, Path path) throws IOException {
      FileStatus status = HadoopFiles.fileStatus(fs, path);
      return new OpenFile(fs.open(status.getPath(), BUFFER_BYTES), status.getLen());
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** {@code fileLength} is the stored length when known, else -1; it only applies when not compressed. */
  private static IdxArray read(InputStream raw, String name, long maxBytes, long fileLength) throws IOException {
    Objects.requireNonNull(name, "name");
    if (maxBytes < 1 || maxBytes > MAX_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxBytes is " + maxBytes + "; it must be in [1, " + MAX_BYTES_LIMIT + "].");
    }
    BufferedInputStream buffered = new BufferedInputStream(new KeepOpen(raw), BUFFER_BYTES);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    try (InputStream in = gzip ? new GZIPInputStream(buffered, BUFFER_BYTES) : buffered) {
      return readIdx(in, name, maxBytes, gzip ? -1 : fileLength);
    } catch (EOFException | ZipException e) {
      if (!gzip) {
        throw e;
      }
      throw new ModelFileException(name, "the compressed data is truncated or corrupt (" + e.getMessage() + ").", e);
    }
  }

  private static IdxArray readIdx(InputStream in, String name, long maxBytes, long fileLength) throws IOException {
    byte[] magic = in.readNBytes(4);
    if (magic.length < 4) {
      throw new ModelFileException(name, "file ended after " + magic.length + " bytes, inside the IDX header.");
    }
    int magicValue =
        ((magic[0] & 0xFF) << 24) | ((magic[1] & 0xFF) << 16) | ((magic[2] & 0xFF) << 8) | (magic[3] & 0xFF);
    if (magic[0] != 0 || magic[1] != 0) {
      throw new ModelFileException(name, String.format("starts with 0x%08x, which is not an IDX header; IDX files "
          + "start with two zero bytes, a type code and the rank (0x00000803 for MNIST images).", magicValue));
    }
    int type = magic[2] & 0xFF;
    if (type != UNSIGNED_BYTE) {
      throw new ModelFileException(name, String.format(
          "element type 0x%02x (%s) is not supported; only unsigned bytes (0x08) are read.", type, typeName(type)));
    }
    int rank = magic[3] & 0xFF;
    if (rank < 1 || rank > MAX_RANK) {
      throw new ModelFileException(name, "rank " + rank + " is outside [1, " + MAX_RANK + "].");
    }
    int headerBytes = 4 + 4 * rank;
    byte[] dimBytes = in.readNBytes(4 * rank);
    if (dimBytes.length < 4 * rank) {
      throw new ModelFileException(name, "file ended after " + (4 + dimBytes.length) + " bytes, inside the "
          + headerBytes + "-byte IDX header.");
    }
    long[] dims = new long[rank];
    BigInteger total = BigInteger.ONE;
    for (int i = 0; i < rank; i++) {
      int at = 4 * i;
      dims[i] = ((dimBytes[at] & 0xFFL) << 24) | ((dimBytes[at + 1] & 0xFF) << 16)
          | ((dimBytes[at + 2] & 0xFF) << 8) | (dimBytes[at + 3] & 0xFF);
      total = total.multiply(BigInteger.valueOf(dims[i]));
    }
    String shape = Arrays.toString(dims);
    for (int i = 0; i < rank; i++) {
      if (dims[i] == 0) {
        throw new ModelFileException(
            name, "dimension " + i + " of " + shape + " is 0; every dimension must be at least 1.");
      }
    }
    if (total.compareTo(BigInteger.valueOf(maxBytes)) > 0) {
      throw new ModelFileException(name, "dimensions " + shape + " declare " + total + " bytes; at most " + maxBytes
          + " are accepted.");
    }
    int length = total.intValueExact();
    if (fileLength >= 0 && fileLength != headerBytes + (long) length) {
      throw new ModelFileException(name, "the file has " + fileLength + " bytes; its header declares dimensions "
          + shape + ", which need " + (headerBytes + (long) length) + ".");
    }
    // Known length: it matched, so allocate at once. Otherwise readNBytes grows with the data present.
    byte[] data = fileLength >= 0 ? readFully(in, length) : in.readNBytes(length);
    if (data.length < length) {
      throw new ModelFileException(name, "the data ends after " + data.length + " of the " + length
          + " bytes that dimensions " + shape + " declare.");
    }
    if (in.read() >= 0) {
      throw new ModelFileException(name, "more bytes follow the " + length + " that dimensions " + shape
          + " declare.");
    }
    int[] intDims = new int[rank];
    for (int i = 0; i < rank; i++) {
      intDims[i] = (int) dims[i];
    }
    return new IdxArray(name, intDims, data);
  }

  /** Reads up to {@code length} bytes into one array; shorter only when the stream ends first. */
  private static byte[] readFully(InputStream in, int length) throws IOException {
    byte[] data = new byte[length];
    int n = in.readNBytes(data, 0, length);
    return n == length ? data : Arrays.copyOf(data, n);
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x09 -> "signed bytes";
      case 0x0B -> "16-bit integers";
      case 0x0C -> "32-bit integers";
      case 0x0D -> "32-bit floats";
      case 0x0E -> "64-bit floats";
      default -> "not an IDX type";
    };
  }

  /** Lets the reader close its decompressor without closing the caller's stream. */
  private static final class KeepOpen extends FilterInputStream {
    KeepOpen(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public void close() {
      // The caller owns the stream.
    }
  }
}
