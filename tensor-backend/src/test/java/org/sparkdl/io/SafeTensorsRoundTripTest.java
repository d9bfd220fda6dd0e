package org.sparkdl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.SafeTensorsWriter.Entry;
import org.sparkdl.tensor.DType;

class SafeTensorsRoundTripTest {

  /**
   * What the reference implementation (safetensors 0.8.0, {@code safetensors.numpy.save}) writes for
   * scale=float64(pi), bias=float32[0.5,-1.25,3], empty=float32 zeros(0,3),
   * weight=float32 arange(6).reshape(2,3)-2.5, metadata {format: np, note: golden}.
   */
  private static final String GOLDEN_HEX =
      "2001000000000000"
          + "7b225f5f6d657461646174615f5f223a7b22666f726d6174223a226e70222c226e6f7465223a22676f6c64656e227d2c"
          + "227363616c65223a7b226474797065223a22463634222c227368617065223a5b5d2c22646174615f6f666673657473"
          + "223a5b302c385d7d2c2262696173223a7b226474797065223a22463332222c227368617065223a5b335d2c22646174"
          + "615f6f666673657473223a5b382c32305d7d2c22656d707479223a7b226474797065223a22463332222c2273686170"
          + "65223a5b302c335d2c22646174615f6f666673657473223a5b32302c32305d7d2c22776569676874223a7b22647479"
          + "7065223a22463332222c227368617065223a5b322c335d2c22646174615f6f666673657473223a5b32302c34345d7d"
          + "7d20202020"
          + "182d4454fb2109400000003f0000a0bf00004040000020c00000c0bf000000bf0000003f0000c03f00002040";

  static ByteBuffer floats(boolean direct, float... values) {
    ByteBuffer b = (direct ? ByteBuffer.allocateDirect(values.length * 4) : ByteBuffer.allocate(values.length * 4))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.flip();
  }

  static ByteBuffer doubles(boolean direct, double... values) {
    ByteBuffer b = (direct ? ByteBuffer.allocateDirect(values.length * 8) : ByteBuffer.allocate(values.length * 8))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.flip();
  }

  static byte[] bytesOf(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static byte[] write(List<Entry> entries, Map<String, String> metadata) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = SafeTensorsWriter.write(out, entries, metadata);
    assertEquals(out.size(), n);
    return out.toByteArray();
  }

  private static List<Entry> goldenEntries() {
    return List.of(
        new Entry("scale", "F64", new long[] {}, doubles(false, Math.PI)),
        new Entry("bias", "F32", new long[] {3}, floats(false, 0.5f, -1.25f, 3f)),
        new Entry("empty", "F32", new long[] {0, 3}, floats(false)),
        new Entry("weight", "F32", new long[] {2, 3}, floats(true, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f)));
  }

  private static Map<String, String> goldenMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", "np");
    m.put("note", "golden");
    return m;
  }

  @Test
  void writerReproducesTheReferenceFileByteForByte() throws IOException {
    assertEquals(GOLDEN_HEX, HexFormat.of().formatHex(write(goldenEntries(), goldenMetadata())));
  }

  @Test
  void readsTheReferenceFile() throws IOException {
    byte[] golden = HexFormat.of().parseHex(GOLDEN_HEX);
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(golden), "golden.safetensors")) {
      assertEquals(goldenMetadata(), r.metadata());
      assertEquals(List.of("scale", "bias", "empty", "weight"), r.tensors().stream().map(TensorInfo::name).toList());
      assertEquals(new TensorInfo("weight", "F32", new long[] {2, 3}, 20, 44), r.tensor("weight"));
      assertEquals(8 + 288, r.dataStart());
      for (Entry e : goldenEntries()) {
        ByteBuffer dest = ByteBuffer.allocateDirect(e.data().remaining());
        r.read(e.name(), dest);
        assertFalse(dest.hasRemaining());
        assertArrayEquals(bytesOf(e.data()), bytesOf(dest.flip()), e.name());
      }
    }
  }

  @Test
  void writtenLayoutFollowsTheSpec() throws IOException {
    byte[] file = write(goldenEntries(), goldenMetadata());
    long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(288, n);
    assertEquals(0, (8 + n) % 8, "data section starts 8-aligned");
    String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.endsWith("}    "), header);
    JsonNode json = new ObjectMapper().readTree(header);
    Iterator<String> keys = json.fieldNames();
    List<String> order = new ArrayList<>();
    keys.forEachRemaining(order::add);
    assertEquals(List.of("__metadata__", "scale", "bias", "empty", "weight"), order);
    assertEquals("F32", json.get("weight").get("dtype").asText());
    assertEquals("[2,3]", json.get("weight").get("shape").toString());
    assertEquals("[20,44]", json.get("weight").get("data_offsets").toString());
    assertEquals("[]", json.get("scale").get("shape").toString());
    assertEquals("[20,20]", json.get("empty").get("data_offsets").toString());
    assertEquals(8 + n + 44, file.length);
  }

  @Test
  void roundTripIsBitExactForSeveralShapes() throws IOException {
    float[] f = new float[4 * 5 * 2];
    for (int i = 0; i < f.length; i++) {
      f[i] = Float.intBitsToFloat(0x3f800000 + i * 7919);
    }
    double[] d = {Double.MIN_VALUE, -0.0, Double.NaN, Double.MAX_VALUE, 1e-300, -7.25};
    List<Entry> entries = List.of(
        Entry.of("block.0.weight", DType.FLOAT32, new long[] {4, 5, 2}, floats(true, f)),
        Entry.of("block.0.bias", DType.FLOAT64, new long[] {6}, doubles(false, d)),
        Entry.of("temperature", DType.FLOAT32, new long[] {}, floats(false, Float.intBitsToFloat(0x7fc00001))),
        Entry.of("nothing", DType.FLOAT32, new long[] {0, 3}, floats(true)),
        Entry.of("grid", DType.FLOAT64, new long[] {1, 1, 1, 2}, doubles(true, 1.0 / 3, 2.0 / 3)));
    Map<String, String> metadata = Map.of("epoch", "12", "ünïcode", "值 \"quoted\"\n");
    byte[] file = write(entries, metadata);
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file).chunked(3), "w.safetensors")) {
      assertEquals(metadata, r.metadata());
      assertEquals(entries.size(), r.tensors().size());
      long expectedBegin = 0;
      for (int i = 0; i < entries.size(); i++) {
        Entry e = entries.get(i);
        TensorInfo t = r.tensors().get(i);
        assertEquals(e.name(), t.name());
        assertEquals(e.dtype(), t.dtype());
        assertArrayEquals(e.shape(), t.shape());
        assertEquals(expectedBegin, t.begin());
        assertEquals(e.data().remaining(), t.byteLength());
        expectedBegin = t.end();
        ByteBuffer dest = i % 2 == 0 ? ByteBuffer.allocate((int) t.byteLength()) : ByteBuffer.allocateDirect((int) t.byteLength());
        r.read(t.name(), dest);
        assertArrayEquals(bytesOf(e.data()), bytesOf(dest.flip()), t.name());
      }
      assertEquals(40, r.tensor("block.0.weight").numElements());
      assertEquals(1, r.tensor("temperature").numElements());
      assertEquals(0, r.tensor("nothing").numElements());
      assertEquals(2, r.tensor("nothing").rank());
    }
  }

  @Test
  void writingLeavesBuffersUntouched() throws IOException {
    ByteBuffer data = floats(true, 1, 2, 3);
    write(List.of(new Entry("a", "F32", new long[] {3}, data)), null);
    assertEquals(0, data.position());
    assertEquals(12, data.limit());
  }

  @Test
  void rangedReadsCoverATensorInPieces() throws IOException {
    ByteBuffer data = floats(false, 1, 2, 3, 4, 5);
    byte[] file = write(List.of(new Entry("a", "F32", new long[] {5}, data)), null);
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file), "a.safetensors")) {
      ByteBuffer whole = ByteBuffer.allocate(20);
      r.read("a", 0, whole.limit(8).slice());
      r.read("a", 8, whole.limit(20).position(8).slice());
      assertArrayEquals(bytesOf(data), whole.array());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> r.read("a", 16, ByteBuffer.allocate(8)));
      assertEquals("tensor 'a' has 20 bytes; cannot read 8 from offset 16", e.getMessage());
    }
  }

  @Test
  void fileRoundTripThroughPaths(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("model.safetensors");
    try (OutputStream out = Files.newOutputStream(path)) {
      SafeTensorsWriter.write(out, goldenEntries(), goldenMetadata());
    }
    assertEquals(GOLDEN_HEX, HexFormat.of().formatHex(Files.readAllBytes(path)));
    try (SafeTensorsReader r = SafeTensorsReader.open(path)) {
      assertEquals("model.safetensors", r.fileName());
      ByteBuffer dest = ByteBuffer.allocate(12);
      r.read("bias", dest);
      assertArrayEquals(bytesOf(floats(false, 0.5f, -1.25f, 3f)), dest.array());
    }
  }

  @Test
  void emptyFileHasNoTensors() throws IOException {
    byte[] file = write(List.of(), Map.of());
    assertEquals("0800000000000000" + "7b7d202020202020", HexFormat.of().formatHex(file));
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file), "e.safetensors")) {
      assertTrue(r.tensors().isEmpty());
      assertTrue(r.metadata().isEmpty());
      ModelFileException e = assertThrows(ModelFileException.class, () -> r.tensor("w"));
      assertEquals("e.safetensors: no tensor 'w'; the file has no tensors.", e.getMessage());
    }
  }

  @Test
  void closeClosesTheChannel() throws IOException {
    InMemoryChannel ch = new InMemoryChannel(write(goldenEntries(), null));
    SafeTensorsReader.open(ch, "c.safetensors").close();
    assertFalse(ch.isOpen());
  }
}
