package org.sparkdl.io;

import static org.sparkdl.io.ModelFileException.quote;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a safetensors file: validates the whole header on {@link #open}, then copies single tensors
 * into caller-supplied buffers on request.
 *
 * <p>Files are treated as hostile. Every rule of the format is checked before anything is allocated
 * in proportion to a declared size: the header length is compared with the file length and with
 * {@link #MAX_HEADER_BYTES} before its buffer exists, and tensor regions must lie inside the file
 * and tile its data section exactly (no gaps, no overlaps) before {@link #tensors()} lists them.
 * Any violation, and a file that shrinks while open, surfaces as a {@link ModelFileException}
 * whose message starts with the file name.
 *
 * <p>Tensor bytes are copied as stored, little-endian. Reads are serialized on this reader because
 * they move the channel's position.
 */
public final class SafeTensorsReader implements AutoCloseable {
  /** The largest header accepted, 100 MiB, as in the reference implementation. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  /** Consecutive reads that deliver nothing before the channel is deemed stuck. */
  private static final int MAX_EMPTY_READS = 1000;

  /** Names listed when a requested tensor is missing. */
  private static final int MAX_LISTED_NAMES = 10;

  private final SeekableByteChannel channel;
  private final String fileName;
  private final long fileLength;
  private final long dataStart;
  private final SafeTensorsHeader header;

  private SafeTensorsReader(
      SeekableByteChannel channel, String fileName, long fileLength, long dataStart, SafeTensorsHeader header) {
    this.channel = channel;
    this.fileName = fileName;
    this.fileLength = fileLength;
    this.dataStart = dataStart;
    this.header = header;
  }

  /**
   * Opens and validates the file at {@code path}. Messages name the file by its last path element.
   *
   * @throws ModelFileException if the file breaks a rule of the format
   * @throws IOException if the file cannot be read
   */
  public static SafeTensorsReader open(Path path) throws IOException {
    Path name = path.getFileName();
    SeekableByteChannel channel = Files.newByteChannel(path, StandardOpenOption.READ);
    try {
      return open(channel, name == null ? path.toString() : name.toString());
    } catch (IOException | RuntimeException | Error e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Validates the file that {@code channel} reads; its length is {@code channel.size()}. On success
   * the reader owns the channel and {@link #close()} closes it; on failure the channel is left open
   * for the caller to close.
   *
   * @param channel a readable channel positioned anywhere
   * @param fileName the name messages start with
   * @throws ModelFileException if the file breaks a rule of the format
   * @throws IOException if the channel fails
   */
  public static SafeTensorsReader open(SeekableByteChannel channel, String fileName) throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(fileName, "fileName");
    long size = channel.size();
    if (size < Long.BYTES) {
      throw new ModelFileException(
          fileName, "file is " + size + " bytes, too short for the 8-byte header length.");
    }
    ByteBuffer lengthField = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, fileName, 0, lengthField, "the header length", size);
    long headerLength = lengthField.getLong(0);
    // The field is unsigned: a value with the top bit set is huge, not negative.
    if (Long.compareUnsigned(headerLength, size - Long.BYTES) > 0) {
      throw new ModelFileException(fileName, "header length " + Long.toUnsignedString(headerLength)
          + " exceeds the file length " + size + ".");
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new ModelFileException(fileName, "header length " + headerLength + " exceeds the limit of "
          + MAX_HEADER_BYTES + " bytes.");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, fileName, Long.BYTES, headerBytes, "the header", size);
    long dataStart = Long.BYTES + headerLength;
    SafeTensorsHeader header =
        SafeTensorsHeader.parse(headerBytes.array(), fileName, dataStart, size - dataStart);
    return new SafeTensorsReader(channel, fileName, size, dataStart, header);
  }

  /** The name messages start with. */
  public String fileName() {
    return fileName;
  }

  /** The file length in bytes when it was opened. */
  public long fileLength() {
    return fileLength;
  }

  /** The file offset of the data section: 8 plus the header length. Tensor offsets are relative to it. */
  public long dataStart() {
    return dataStart;
  }

  /** The header's {@code __metadata__} entries in file order; empty when there are none. Unmodifiable. */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** All tensors in the order of their data in the file. Unmodifiable. */
  public List<TensorInfo> tensors() {
    return header.tensors();
  }

  /** Whether the file holds a tensor called {@code name}. */
  public boolean contains(String name) {
    return header.find(name).isPresent();
  }

  /**
   * The tensor called {@code name}.
   *
   * @throws ModelFileException if there is none; the message lists (some of) the names that exist
   */
  public TensorInfo tensor(String name) throws ModelFileException {
    Objects.requireNonNull(name, "name");
    var found = header.find(name);
    if (found.isPresent()) {
      return found.get();
    }
    List<TensorInfo> all = header.tensors();
    StringBuilder detail = new StringBuilder("no tensor ").append(quote(name));
    if (all.isEmpty()) {
      detail.append("; the file has no tensors.");
    } else {
      detail.append("; the file has ");
      int listed = Math.min(all.size(), MAX_LISTED_NAMES);
      for (int i = 0; i < listed; i++) {
        detail.append(i == 0 ? "" : ", ").append(quote(all.get(i).name()));
      }
      if (listed < all.size()) {
        detail.append(" and ").append(all.size() - listed).append(" more");
      }
      detail.append('.');
    }
    throw new ModelFileException(fileName, detail.toString());
  }

  /**
   * Copies all bytes of tensor {@code name} into {@code dest}, advancing its position to its limit.
   * {@code dest} may be direct (off-heap); the bytes are little-endian as stored.
   *
   * @throws ModelFileException if there is no such tensor, or the file ended early (it changed while open)
   * @throws IllegalArgumentException if {@code dest.remaining()} is not the tensor's byte length
   * @throws IOException if the channel fails
   */
  public void read(String name, ByteBuffer dest) throws IOException {
    TensorInfo t = tensor(name);
    if (dest.remaining() != t.byteLength()) {
      throw new IllegalArgumentException("tensor " + quote(name) + " has " + t.byteLength()
          + " bytes but the destination has " + dest.remaining() + " remaining");
    }
    copy(t, 0, dest);
  }

  /**
   * Copies {@code dest.remaining()} bytes of tensor {@code name}, starting {@code offset} bytes into
   * the tensor, into {@code dest}. This reads tensors larger than one buffer can hold, piece by piece.
   *
   * @throws ModelFileException if there is no such tensor, or the file ended early (it changed while open)
   * @throws IllegalArgumentException if the range is not inside the tensor
   * @throws IOException if the channel fails
   */
  public void read(String name, long offset, ByteBuffer dest) throws IOException {
    TensorInfo t = tensor(name);
    if (offset < 0 || offset > t.byteLength() - dest.remaining()) {
      throw new IllegalArgumentException("tensor " + quote(name) + " has " + t.byteLength()
          + " bytes; cannot read " + dest.remaining() + " from offset " + offset);
    }
    copy(t, offset, dest);
  }

  private synchronized void copy(TensorInfo t, long offset, ByteBuffer dest) throws IOException {
    String what = "tensor " + quote(t.name()) + " (file bytes [" + (dataStart + t.begin()) + ", "
        + (dataStart + t.end()) + "))";
    readFully(channel, fileName, dataStart + t.begin() + offset, dest, what, fileLength);
  }

  /**
   * Fills {@code dest} from file offset {@code position}, looping over short reads. An early end of
   * file means the file shrank after its length was taken.
   */
  private static void readFully(
      SeekableByteChannel channel, String fileName, long position, ByteBuffer dest, String what, long openedLength)
      throws IOException {
    channel.position(position);
    int emptyReads = 0;
    while (dest.hasRemaining()) {
      int n = channel.read(dest);
      if (n < 0) {
        throw new ModelFileException(fileName, "file ended at byte " + channel.position() + " while reading "
            + what + "; it had " + openedLength + " bytes when opened, so it changed while in use.");
      }
      if (n > 0) {
        emptyReads = 0;
      } else if (++emptyReads > MAX_EMPTY_READS) {
        throw new ModelFileException(fileName, "the channel stopped delivering data at byte " + channel.position()
            + " while reading " + what + ".");
      }
    }
  }

  /** Closes the channel. */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
