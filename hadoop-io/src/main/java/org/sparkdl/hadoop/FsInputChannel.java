package org.sparkdl.hadoop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * A read-only {@link SeekableByteChannel} over a Hadoop input stream, for formats that need random
 * access (the safetensors reader jumps from the header to each tensor).
 *
 * <p>The size is fixed when the channel is opened. The stream is positioned lazily: setting the
 * position only records it, and the next read seeks if the stream is elsewhere, so positioning at or
 * beyond the end is allowed and reads there return -1, as {@code SeekableByteChannel} requires.
 * Streams that read into a {@code ByteBuffer} directly (HDFS) are used that way; others (the local
 * checksummed file system) go through the buffer's array, or a bounded heap chunk for direct
 * buffers. Not safe for concurrent use, like the stream under it.
 */
final class FsInputChannel implements SeekableByteChannel {
  /** The largest heap chunk used to fill a direct buffer from a stream without ByteBuffer reads. */
  private static final int CHUNK_BYTES = 1 << 16;

  private final FSDataInputStream in;
  private final long size;
  private final boolean byteBufferReads;
  private long position;
  private byte[] chunk;
  private boolean open = true;

  FsInputChannel(FSDataInputStream in, long size) {
    this.in = in;
    this.size = size;
    this.byteBufferReads = in.hasCapability(StreamCapabilities.READBYTEBUFFER);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (position >= size) {
      return -1;
    }
    if (in.getPos() != position) {
      in.seek(position);
    }
    int want = (int) Math.min(dst.remaining(), size - position);
    int n;
    if (byteBufferReads) {
      ByteBuffer window = dst.duplicate();
      window.limit(window.position() + want);
      n = in.read(window);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    } else if (dst.hasArray()) {
      n = in.read(dst.array(), dst.arrayOffset() + dst.position(), want);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    } else {
      if (chunk == null) {
        chunk = new byte[CHUNK_BYTES];
      }
      n = in.read(chunk, 0, Math.min(want, chunk.length));
      if (n > 0) {
        dst.put(chunk, 0, n);
      }
    }
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("position " + newPosition + " is negative");
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    if (open) {
      open = false;
      in.close();
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
