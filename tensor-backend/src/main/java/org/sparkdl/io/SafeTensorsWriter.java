package org.sparkdl.io;

import static org.sparkdl.io.ModelFileException.quote;
import static org.sparkdl.io.ModelFileException.shapeText;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sparkdl.tensor.DType;

/**
 * Writes safetensors files.
 *
 * <p>Tensors are stored in the order given, their data regions back to back from offset 0, and the
 * header lists them in that order after {@code __metadata__} (when there is any). The header is
 * padded with spaces so that the data section starts at a multiple of 8 bytes, as the reference
 * implementation does. To produce the same bytes as the reference, pass tensors in its order: by
 * descending element size, then by name.
 *
 * <p>Tensor data is written as it is in the buffers, from position to limit, so it must already be
 * little-endian: host memory on x86 and ARM is. Direct buffers over off-heap memory are streamed
 * through a channel in pieces, never copied to the heap whole.
 */
public final class SafeTensorsWriter {

  private SafeTensorsWriter() {}

  /**
   * One tensor to write.
   *
   * @param name the tensor's name: non-empty, not {@code __metadata__}, unique within the file
   * @param dtype a {@link SafeTensorsDType} name such as {@code "F32"}
   * @param shape dimensions, outermost first; empty for a scalar
   * @param data the tensor's little-endian bytes, from position to limit; may be direct. Neither its
   *     position nor its contents are changed by writing.
   */
  public record Entry(String name, String dtype, long[] shape, ByteBuffer data) {

    /** Copies the shape; the remaining checks happen when the file is written. */
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
      Objects.requireNonNull(data, "data");
      shape = Objects.requireNonNull(shape, "shape").clone();
    }

    /** An entry for a tensor of one of the library's element types. */
    public static Entry of(String name, DType dtype, long[] shape, ByteBuffer data) {
      return new Entry(name, SafeTensorsDType.of(dtype).name(), shape, data);
    }

    /** The dimensions (a copy). */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && name.equals(e.name)
          && dtype.equals(e.dtype)
          && Arrays.equals(shape, e.shape)
          && data.equals(e.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
      return "Entry[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", bytes="
          + data.remaining() + "]";
    }
  }

  /**
   * Writes a file to {@code out} and flushes it; {@code out} stays open.
   *
   * @param entries the tensors, in file order
   * @param metadata string entries for {@code __metadata__}, written in the map's iteration order;
   *     {@code null} or empty for none
   * @return the number of bytes written
   * @throws IllegalArgumentException if an entry or the metadata is invalid (see {@link Entry}); nothing
   *     has been written then
   * @throws IOException if the stream fails
   */
  public static long write(OutputStream out, List<Entry> entries, Map<String, String> metadata)
      throws IOException {
    long written = write(Channels.newChannel(out), entries, metadata);
    out.flush();
    return written;
  }

  /**
   * Writes a file to a blocking channel; the channel stays open.
   *
   * @param entries the tensors, in file order
   * @param metadata string entries for {@code __metadata__}, written in the map's iteration order;
   *     {@code null} or empty for none
   * @return the number of bytes written
   * @throws IllegalArgumentException if an entry or the metadata is invalid (see {@link Entry}); nothing
   *     has been written then
   * @throws IOException if the channel fails
   */
  public static long write(WritableByteChannel out, List<Entry> entries, Map<String, String> metadata)
      throws IOException {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(entries, "entries");
    long dataLength = check(entries, metadata);
    byte[] header = header(entries, metadata);
    ByteBuffer start = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
    start.putLong(header.length).put(header).flip();
    writeFully(out, start);
    for (Entry e : entries) {
      writeFully(out, e.data().duplicate());
    }
    return Long.BYTES + header.length + dataLength;
  }

  /** Validates everything before the first byte goes out; returns the data section length. */
  private static long check(List<Entry> entries, Map<String, String> metadata) {
    if (metadata != null) {
      metadata.forEach(
          (k, v) -> {
            if (k == null || v == null) {
              throw new IllegalArgumentException("metadata keys and values must not be null: " + k + "=" + v);
            }
          });
    }
    Set<String> names = new HashSet<>();
    long total = 0;
    for (Entry e : entries) {
      Objects.requireNonNull(e, "entry");
      String what = "tensor " + quote(e.name());
      if (e.name().isEmpty() || e.name().equals(SafeTensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException("tensor name " + quote(e.name()) + " is not allowed");
      }
      if (!names.add(e.name())) {
        throw new IllegalArgumentException(what + " appears twice");
      }
      SafeTensorsDType dtype =
          SafeTensorsDType.byName(e.dtype())
              .orElseThrow(() -> new IllegalArgumentException(what + " has unknown dtype " + quote(e.dtype())));
      long[] shape = e.shape;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(what + " has negative dimension in shape " + shapeText(shape));
        }
      }
      long bytes = dtype.byteLengthOrMinusOne(shape);
      if (bytes < 0) {
        throw new IllegalArgumentException(what + " shape " + shapeText(shape) + " is too large");
      }
      if (e.data().remaining() != bytes) {
        throw new IllegalArgumentException(what + " is " + e.dtype() + " " + shapeText(shape) + " = " + bytes
            + " bytes, but its buffer has " + e.data().remaining() + " remaining");
      }
      total += bytes;
    }
    return total;
  }

  /** The header JSON, compact as the reference writes it, padded with spaces to a multiple of 8 bytes. */
  private static byte[] header(List<Entry> entries, Map<String, String> metadata) throws IOException {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator g = SafeTensorsHeader.JSON.createGenerator(json, JsonEncoding.UTF8)) {
      g.writeStartObject();
      if (metadata != null && !metadata.isEmpty()) {
        g.writeObjectFieldStart(SafeTensorsHeader.METADATA_KEY);
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Entry e : entries) {
        long end = offset + e.data().remaining();
        g.writeObjectFieldStart(e.name());
        g.writeStringField("dtype", e.dtype());
        g.writeArrayFieldStart("shape");
        for (long d : e.shape) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        g.writeNumber(end);
        g.writeEndArray();
        g.writeEndObject();
        offset = end;
      }
      g.writeEndObject();
    }
    while (json.size() % 8 != 0) {
      json.write(' ');
    }
    if (json.size() > SafeTensorsReader.MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("the header would be " + json.size() + " bytes, over the "
          + SafeTensorsReader.MAX_HEADER_BYTES + "-byte limit readers accept");
    }
    return json.toByteArray();
  }

  private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }
}
