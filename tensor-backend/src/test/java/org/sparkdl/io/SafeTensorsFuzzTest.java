package org.sparkdl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.sparkdl.testing.ThreadAllocations.allocatedBytes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkdl.io.SafeTensorsWriter.Entry;

/**
 * Feeds the reader thousands of damaged and hostile files derived from a valid one. Each must either
 * open and read back with correct byte counts, or fail with a {@link ModelFileException}; nothing else
 * may escape, and no case may allocate in proportion to a size the file merely declares.
 */
class SafeTensorsFuzzTest {
  private static final long SEED = 0x5afe_7e45_0123L;
  private static final int CASES = 6000;
  private static final String NAME = "fuzz.safetensors";

  /** Fixed overhead a parse may allocate (JSON buffers and such) on top of a small multiple of the file size. */
  private static final long ALLOCATION_ALLOWANCE = 1L << 20;

  private static final String[] NUMBERS = {
    "0", "1", "-1", "3", "7", "4294967296", "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "1e30", "1.5", "-0", "0.0", "00",
    "NaN", "\"3\"", "null", "true", "[]", "{}", "104857600", "2305843009213693952", "3037000500",
  };
  private static final String[] SHAPES = {
    "[4294967296,4294967296]", "[]", "[0,3]", "[-1]", "[3037000500,3037000500]", "[2305843009213693952]",
    "[4294967296,4294967296,0]", "[0,4294967296,4294967296,4294967296]", "[1,2,3,4,5,6,7,8,9,10,11,12]",
    "[1.5]", "[\"2\"]", "[null]", "[[2]]", "{}", "\"[2]\"", "null", "[9223372036854775807]", "[18446744073709551615]",
  };
  private static final String[] OFFSETS = {
    "[0,0]", "[-8,0]", "[0,-8]", "[5,1]", "[0,18446744073709551615]", "[0,9223372036854775807]",
    "[9223372036854775800,9223372036854775807]", "[0]", "[0,4,8]", "[]", "null", "[0.0,4.0]", "[\"0\",\"4\"]",
    "[0,4]", "[4,8]", "[0,24]", "[12,36]", "[0,1000000]", "{\"0\":4}",
  };
  private static final String[] DTYPES = {
    "\"F33\"", "\"f32\"", "\"\"", "1", "null", "[\"F32\"]", "\"F32 \"", "\"F8_E4M3\"", "\"BOOL\"", "\"BF16\"", "\"U64\"",
  };
  private static final String[] VALUES = {
    "{\"a\":{\"b\":[1,{\"c\":null}]}}", "[[[[[[[[]]]]]]]]", "\"\\u0000\\n\"", "1e400", "-0.0",
    "[" .repeat(1500) + "]".repeat(1500), "{\"__metadata__\":{}}", "\"" + "x".repeat(3000) + "\"",
  };
  private static final String[] NAMES = {
    "w", "", "__metadata__", "dense.weight", "dense.weight", "\\u0000", "\\ud800", "名前", "a\\nb", "x".repeat(300),
  };
  private static final String[] METADATA = {
    "\"__metadata__\":{\"k\":\"v\"},", "\"__metadata__\":{\"k\":1},", "\"__metadata__\":null,", "\"__metadata__\":[],",
    "\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"},", "\"__metadata__\":{\"k\":{\"n\":\"v\"}},", "\"__metadata__\":\"s\",",
  };
  private static final String JSON_CHARS = "{}[],:\" -.e0123456789";
  private static final String[] STANDARD = {"F32", "F64", "U8", "BF16", "I64"};

  private final Random rnd = new Random(SEED);
  private int accepted;
  private int rejected;

  @Test
  void hostileFilesFailOnlyWithModelFileException() throws IOException {
    byte[] base = baseFile();
    long started = System.nanoTime();
    for (int length = 0; length <= base.length; length++) {
      check(Arrays.copyOf(base, length), "truncated to " + length);
    }
    for (int i = 0; i < CASES; i++) {
      String how = switch (i % 7) {
        case 0 -> "flip";
        case 1 -> "resize";
        case 2 -> "length field";
        case 3 -> "garbage";
        case 4 -> "spliced header";
        case 5 -> "edited header";
        default -> "combined";
      };
      byte[] file = switch (i % 7) {
        case 0 -> flip(base);
        case 1 -> resize(base);
        case 2 -> lengthField(base);
        case 3 -> garbage();
        case 4 -> splicedHeader();
        case 5 -> editedHeader(base);
        default -> lengthField(flip(editedHeader(base)));
      };
      check(file, "case " + i + " (" + how + ")");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertTrue(accepted > 300, "too few cases opened (" + accepted + "); the fuzzer is not reaching the read path");
    assertTrue(rejected > 3000, "too few cases rejected (" + rejected + ")");
    assertTrue(seconds < 20, "fuzzing took " + seconds + " s");
  }

  /** Opens and reads every tensor; records whether the file was accepted. */
  private void check(byte[] file, String description) {
    long before = allocatedBytes();
    boolean ok;
    InMemoryChannel channel = new InMemoryChannel(file).chunked(1 + rnd.nextInt(64));
    try (SafeTensorsReader r = SafeTensorsReader.open(channel, NAME)) {
      long dataLength = file.length - r.dataStart();
      long total = 0;
      for (TensorInfo t : r.tensors()) {
        assertTrue(t.begin() >= 0 && t.end() <= dataLength && t.byteLength() >= 0, t.toString());
        assertEquals(t.byteLength(), t.numElements() * t.elementType().byteSize(), t.toString());
        total += t.byteLength();
        ByteBuffer dest = rnd.nextBoolean()
            ? ByteBuffer.allocate((int) t.byteLength())
            : ByteBuffer.allocateDirect((int) t.byteLength());
        r.read(t.name(), dest);
        assertEquals(0, dest.remaining());
        byte[] got = new byte[(int) t.byteLength()];
        dest.flip().get(got);
        int from = (int) (r.dataStart() + t.begin());
        assertArrayEquals(Arrays.copyOfRange(file, from, from + got.length), got, t.name());
      }
      assertEquals(dataLength, total, "tensors tile the data section");
      ok = true;
    } catch (ModelFileException e) {
      assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
      ok = false;
    } catch (Throwable t) {
      fail(description + ": " + t + "\nfile: " + HexFormat.of().formatHex(file), t);
      return;
    }
    if (ok) {
      accepted++;
    } else {
      rejected++;
    }
    long allocated = allocatedBytes() - before;
    assertTrue(allocated <= ALLOCATION_ALLOWANCE + 16L * file.length,
        description + ": allocated " + allocated + " bytes for a file of " + file.length);
  }

  private static byte[] baseFile() throws IOException {
    ByteBuffer w = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      w.putFloat(i * 0.5f);
    }
    ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) {
      b.putDouble(-i);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensorsWriter.write(out, List.of(
        new Entry("dense.weight", "F32", new long[] {2, 3}, w.flip()),
        new Entry("dense.bias", "F64", new long[] {3}, b.flip()),
        new Entry("scale", "F32", new long[] {}, ByteBuffer.allocate(4)),
        new Entry("empty", "F32", new long[] {0, 3}, ByteBuffer.allocate(0))),
        Map.of("format", "pt"));
    return out.toByteArray();
  }

  private static int headerLength(byte[] base) {
    return (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static byte[] assemble(byte[] header, byte[] data) {
    ByteBuffer f = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    return f.putLong(header.length).put(header).put(data).array();
  }

  private String pick(String[] pool) {
    return pool[rnd.nextInt(pool.length)];
  }

  private byte[] flip(byte[] base) {
    byte[] f = base.clone();
    int n = 1 + rnd.nextInt(4);
    int headerEnd = Math.min(f.length, 8 + headerLength(base));
    for (int i = 0; i < n && f.length > 0; i++) {
      int at = rnd.nextBoolean() ? rnd.nextInt(headerEnd) : rnd.nextInt(f.length);
      f[at] = switch (rnd.nextInt(3)) {
        case 0 -> (byte) (f[at] ^ (1 << rnd.nextInt(8)));
        case 1 -> (byte) JSON_CHARS.charAt(rnd.nextInt(JSON_CHARS.length()));
        default -> (byte) rnd.nextInt(256);
      };
    }
    return f;
  }

  private byte[] resize(byte[] base) {
    int length = rnd.nextInt(base.length * 2 + 1);
    byte[] f = Arrays.copyOf(base, length);
    for (int i = base.length; i < length; i++) {
      f[i] = (byte) (rnd.nextBoolean() ? ' ' : rnd.nextInt(256));
    }
    return f;
  }

  private byte[] lengthField(byte[] base) {
    byte[] f = base.clone();
    if (f.length < 8) {
      return f;
    }
    long n = headerLength(base);
    long[] choices = {
      0, 1, 7, n - 1, n + 1, f.length - 8, f.length - 7, f.length, SafeTensorsReader.MAX_HEADER_BYTES,
      SafeTensorsReader.MAX_HEADER_BYTES + 1, Integer.MAX_VALUE, 1L << 31, 1L << 32, Long.MAX_VALUE, -1,
      Long.MIN_VALUE, rnd.nextLong(), rnd.nextInt(f.length),
    };
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[rnd.nextInt(choices.length)]);
    return f;
  }

  private byte[] garbage() {
    byte[] g = new byte[rnd.nextInt(300)];
    rnd.nextBytes(g);
    if (g.length >= 8 && rnd.nextBoolean()) {
      ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextInt(g.length - 7));
    }
    return g;
  }

  /** A header assembled from fragments, mostly valid so that later rules are reached. */
  private byte[] splicedHeader() {
    StringBuilder h = new StringBuilder("{");
    if (rnd.nextInt(3) == 0) {
      h.append(rnd.nextBoolean() ? "\"__metadata__\":{\"format\":\"pt\"}," : pick(METADATA));
    }
    long offset = 0;
    int count = rnd.nextInt(5);
    List<String> entries = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      String name = rnd.nextInt(4) == 0 ? pick(NAMES) : "t" + k;
      String dtype = STANDARD[rnd.nextInt(STANDARD.length)];
      int size = switch (dtype) {
        case "U8" -> 1;
        case "BF16" -> 2;
        case "F32" -> 4;
        default -> 8;
      };
      long[] dims = new long[rnd.nextInt(4)];
      long elements = 1;
      for (int d = 0; d < dims.length; d++) {
        dims[d] = rnd.nextInt(5);
        elements *= dims[d];
      }
      if (k > 0 && rnd.nextInt(3) == 0) {
        offset = Math.max(0, offset + rnd.nextInt(17) - 8);
      }
      long end = offset + elements * size;
      List<String> fields = new ArrayList<>(List.of(
          "\"dtype\":" + (rnd.nextInt(8) == 0 ? pick(DTYPES) : "\"" + dtype + "\""),
          "\"shape\":" + (rnd.nextInt(8) == 0 ? pick(SHAPES) : Arrays.toString(dims).replace(" ", "")),
          "\"data_offsets\":" + (rnd.nextInt(8) == 0 ? pick(OFFSETS) : "[" + offset + "," + end + "]")));
      if (rnd.nextInt(10) == 0) {
        fields.set(rnd.nextInt(3), "\"data_offsets\":[" + pick(NUMBERS) + "," + pick(NUMBERS) + "]");
      }
      if (rnd.nextInt(10) == 0) {
        fields.add("\"extra\":" + pick(VALUES));
      }
      if (rnd.nextInt(15) == 0) {
        fields.remove(rnd.nextInt(fields.size()));
      }
      if (rnd.nextInt(4) == 0) {
        Collections.shuffle(fields, rnd);
      }
      entries.add("\"" + name + "\":{" + String.join(",", fields) + "}");
      offset = end;
    }
    if (rnd.nextInt(4) == 0) {
      Collections.shuffle(entries, rnd);
    }
    h.append(String.join(",", entries)).append('}').append(" ".repeat(rnd.nextInt(8)));
    long dataLength = rnd.nextInt(5) == 0 ? Math.max(0, offset + rnd.nextInt(9) - 4) : offset;
    byte[] data = new byte[(int) dataLength];
    rnd.nextBytes(data);
    return assemble(h.toString().getBytes(StandardCharsets.UTF_8), data);
  }

  /** The base header with one textual edit; the length field is kept consistent with the new text. */
  private byte[] editedHeader(byte[] base) {
    int n = headerLength(base);
    String text = new String(base, 8, n, StandardCharsets.UTF_8);
    byte[] data = Arrays.copyOfRange(base, 8 + n, base.length);
    int at = rnd.nextInt(text.length() + 1);
    String edited = switch (rnd.nextInt(5)) {
      case 0 -> text.substring(0, at) + pick(rnd.nextBoolean() ? NUMBERS : VALUES) + text.substring(at);
      case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + rnd.nextInt(12)));
      case 2 -> text.replaceFirst("\\[\\d+(,\\d+)*\\]", rnd.nextBoolean() ? pick(SHAPES) : pick(OFFSETS));
      case 3 -> text.replaceFirst("(?<=:)\\d+|(?<=\\[)\\d+|(?<=,)\\d+", pick(NUMBERS));
      default -> text.replaceFirst("\"[A-Za-z_.]+\"", rnd.nextBoolean() ? "\"" + pick(NAMES) + "\"" : pick(DTYPES));
    };
    return assemble(edited.getBytes(StandardCharsets.UTF_8), data);
  }
}
