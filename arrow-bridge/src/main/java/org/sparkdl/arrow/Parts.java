package org.sparkdl.arrow;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An output stream that keeps what is written in parts of {@link #PART_BYTES} bytes, and the
 * helpers that read such parts back. A serialized batch can be hundreds of megabytes; as parts it
 * never needs one array of that size, a growing buffer's copies, or a final copy, and whoever
 * stores it (Spark's block manager, a file) can take it part by part.
 */
public final class Parts extends OutputStream {
  /** The size of every part but the last: 1 MiB. */
  public static final int PART_BYTES = 1 << 20;

  private final List<byte[]> full = new ArrayList<>();
  private byte[] current = new byte[4096];
  private int filled;

  /** An empty stream. */
  public Parts() {}

  @Override
  public void write(int b) {
    room();
    current[filled++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      room();
      int n = Math.min(len, current.length - filled);
      System.arraycopy(b, off, current, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  /** Makes room for at least one byte: a full part is put aside, a small first part grows up to a part. */
  private void room() {
    if (filled < current.length) {
      return;
    }
    if (current.length < PART_BYTES) {
      current = Arrays.copyOf(current, Math.min(PART_BYTES, 2 * current.length));
    } else {
      full.add(current);
      current = new byte[PART_BYTES];
      filled = 0;
    }
  }

  /** What was written, as parts of {@link #PART_BYTES} bytes but the last (none when nothing was written). */
  public byte[][] toParts() {
    List<byte[]> all = new ArrayList<>(full);
    if (filled > 0) {
      all.add(filled == current.length ? current : Arrays.copyOf(current, filled));
    }
    return all.toArray(new byte[0][]);
  }

  /** The number of bytes in {@code parts}. */
  public static long length(byte[][] parts) {
    long n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    return n;
  }

  /** The parts as one array (for streams small enough to be one). */
  public static byte[] join(byte[][] parts) {
    long n = length(parts);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("A stream of " + n + " bytes does not fit in one array.");
    }
    byte[] all = new byte[(int) n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** The parts read in order as one stream, without copying them. */
  public static InputStream stream(List<byte[]> parts) {
    List<InputStream> ins = new ArrayList<>(parts.size());
    for (byte[] p : parts) {
      ins.add(new ByteArrayInputStream(p));
    }
    return new SequenceInputStream(Collections.enumeration(ins));
  }
}
