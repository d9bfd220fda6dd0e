package org.sparkdl.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;

/**
 * A seekable channel over a byte array, for tests. It can hand out data in small pieces (to exercise
 * short reads), shrink after opening (a file changing under a reader), and claim a larger size than
 * it holds (a huge file whose contents are never reached).
 */
final class InMemoryChannel implements SeekableByteChannel {
  private byte[] bytes;
  private int length;
  private long position;
  private boolean open = true;
  private int maxChunk = Integer.MAX_VALUE;
  private long claimedSize = -1;

  InMemoryChannel(byte[] contents) {
    this.bytes = contents.clone();
    this.length = contents.length;
  }

  InMemoryChannel() {
    this(new byte[0]);
  }

  /** Makes every read deliver at most {@code chunk} bytes. */
  InMemoryChannel chunked(int chunk) {
    this.maxChunk = chunk;
    return this;
  }

  /** Makes {@link #size()} report {@code size} although only the real contents can be read. */
  InMemoryChannel claimingSize(long size) {
    this.claimedSize = size;
    return this;
  }

  byte[] contents() {
    return Arrays.copyOf(bytes, length);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    checkOpen();
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(Math.min(dst.remaining(), length - position), maxChunk);
    dst.put(bytes, (int) position, n);
    position += n;
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    checkOpen();
    int n = src.remaining();
    long end = position + n;
    if (end > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.max(end, bytes.length * 2L));
    }
    src.get(bytes, (int) position, n);
    position = end;
    length = (int) Math.max(length, end);
    return n;
  }

  @Override
  public long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    checkOpen();
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return claimedSize >= 0 ? claimedSize : length;
  }

  @Override
  public SeekableByteChannel truncate(long size) throws IOException {
    checkOpen();
    length = (int) Math.min(length, size);
    position = Math.min(position, size);
    return this;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }

  private void checkOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
