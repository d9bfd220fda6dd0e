package org.sparkdl.ml;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkdl.ml.tensorboard.Event;
import org.sparkdl.ml.tensorboard.SourceMetadata;

/**
 * One TensorBoard event file on a Hadoop file system: TFRecord framing (the length as 8 bytes
 * little-endian, its masked CRC-32C, the serialized {@link Event}, its masked CRC-32C) with a
 * {@code file_version} record first. Named {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>},
 * so that the files of a run sort in the order they were written. {@link #flush()} makes what was
 * written visible to readers (an {@code hflush} on HDFS); on the local file system the file is
 * written without Hadoop's checksum side file.
 */
final class EventFile implements AutoCloseable {
  /** The format TensorBoard expects in the first record. */
  static final String VERSION = "brain.Event:2";
  private static final AtomicInteger FILES = new AtomicInteger();
  private static final int MASK_DELTA = 0xa282ead8;
  private final Path path;
  private final FSDataOutputStream out;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

  private EventFile(Path path, FSDataOutputStream out) {
    this.path = path;
    this.out = out;
  }

  /** A new event file in folder {@code dir} (made if missing), its version record written. */
  static EventFile create(Configuration conf, Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRawFileSystem();
    }
    fs.mkdirs(dir);
    long now = System.currentTimeMillis();
    String name = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d", now / 1000, host(),
        ProcessHandle.current().pid(), FILES.incrementAndGet());
    Path path = new Path(dir, name);
    EventFile file = new EventFile(path, fs.create(path, false));
    file.write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion(VERSION)
        .setSourceMetadata(SourceMetadata.newBuilder().setWriter("spark-dl")).build());
    return file;
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
    } catch (IOException e) {
      return "localhost";
    }
  }

  Path path() {
    return path;
  }

  /** Appends one record. */
  void write(Event event) throws IOException {
    byte[] data = event.toByteArray();
    header.clear();
    header.putLong(data.length);
    header.putInt(masked(header.array(), 0, 8));
    out.write(header.array(), 0, 12);
    out.write(data);
    footer.clear();
    footer.putInt(masked(data, 0, data.length));
    out.write(footer.array(), 0, 4);
  }

  /** Makes the records written so far visible to readers. */
  void flush() throws IOException {
    out.hflush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** The CRC-32C of the bytes, masked as TFRecord does (so that a CRC of CRCs is not trivially valid). */
  private int masked(byte[] bytes, int from, int length) {
    crc.reset();
    crc.update(bytes, from, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }
}
