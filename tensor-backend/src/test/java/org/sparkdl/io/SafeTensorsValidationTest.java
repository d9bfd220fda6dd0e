package org.sparkdl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One test per rule the reader enforces, each checking the exception type and the facts in its message. */
class SafeTensorsValidationTest {
  private static final String NAME = "x.safetensors";

  /** A file whose header is {@code header} (its exact UTF-8 bytes) followed by {@code dataBytes} bytes. */
  static byte[] file(String header, int dataBytes) {
    return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  static byte[] file(byte[] header, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  static String entry(String name, String dtype, String shape, String offsets) {
    return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
  }

  static String f32(String name, String shape, long begin, long end) {
    return entry(name, "\"F32\"", shape, "[" + begin + "," + end + "]");
  }

  static void rejects(byte[] file, String expectedDetail) {
    rejects(new InMemoryChannel(file), expectedDetail);
  }

  static void rejects(InMemoryChannel channel, String expectedDetail) {
    ModelFileException e =
        assertThrows(ModelFileException.class, () -> SafeTensorsReader.open(channel, NAME).close());
    assertEquals(NAME + ": " + expectedDetail, e.getMessage());
    assertEquals(NAME, e.fileName());
  }

  static void rejectsHeader(String header, int dataBytes, String expectedDetail) {
    rejects(file(header, dataBytes), expectedDetail);
  }

  @Test
  void fileShorterThanTheLengthField() {
    rejects(new byte[5], "file is 5 bytes, too short for the 8-byte header length.");
    rejects(new byte[0], "file is 0 bytes, too short for the 8-byte header length.");
  }

  @Test
  void headerLengthBeyondTheFile() {
    byte[] f = file("{}", 110);
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
    rejects(f, "header length 9223372036854775807 exceeds the file length 120.");
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 113);
    rejects(f, "header length 113 exceeds the file length 120.");
  }

  @Test
  void headerLengthIsUnsigned() {
    byte[] f = file("{}", 0);
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
    rejects(f, "header length 18446744073709551615 exceeds the file length 10.");
  }

  @Test
  void headerLengthOverTheCapIsRefusedBeforeAllocating() {
    // The channel claims 200 MiB but holds 10 bytes: passing the cap check would fail on reading.
    byte[] f = file("{}", 0);
    long overCap = SafeTensorsReader.MAX_HEADER_BYTES + 1;
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, overCap);
    rejects(new InMemoryChannel(f).claimingSize(200L << 20), "header length 104857601 exceeds the limit of 104857600 bytes.");
  }

  @Test
  void fileShrinkingWhileTheHeaderIsReadIsReported() {
    byte[] f = file("{}", 0);
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 30);
    rejects(new InMemoryChannel(f).claimingSize(40),
        "file ended at byte 10 while reading the header; it had 40 bytes when opened, so it changed while in use.");
  }

  @Test
  void headerMustBeUtf8() {
    byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    rejects(file(header, 0), "header is not valid UTF-8 (bad byte sequence at header byte 2).");
  }

  @Test
  void headerMustBeJson() {
    ModelFileException e = assertThrows(ModelFileException.class,
        () -> SafeTensorsReader.open(new InMemoryChannel(file("{\"a\":", 0)), NAME));
    assertTrue(e.getMessage().startsWith(NAME + ": header is not valid JSON ("), e.getMessage());
    assertTrue(e.getMessage().endsWith(")."), e.getMessage());
    e = assertThrows(ModelFileException.class,
        () -> SafeTensorsReader.open(new InMemoryChannel(file("{'a':1}", 0)), NAME));
    assertTrue(e.getMessage().startsWith(NAME + ": header is not valid JSON (Unexpected character"), e.getMessage());
    assertTrue(e.getMessage().contains("line 1, column 2"), e.getMessage());
    rejectsHeader("", 0, "header is empty.");
    rejectsHeader("        ", 0, "header is empty.");
  }

  @Test
  void headerMustBeAnObject() {
    rejectsHeader("[1,2]", 0, "header is not a JSON object (it starts with an array).");
    rejectsHeader("42", 0, "header is not a JSON object (it starts with 42).");
    rejectsHeader("\"hi\"", 0, "header is not a JSON object (it starts with the string 'hi').");
  }

  @Test
  void headerMustEndAfterTheObject() {
    rejectsHeader("{} {}", 0, "header has content after the JSON object.");
    ModelFileException e = assertThrows(ModelFileException.class,
        () -> SafeTensorsReader.open(new InMemoryChannel(file("{}\0\0", 0)), NAME));
    assertTrue(e.getMessage().startsWith(NAME + ": header is not valid JSON ("), e.getMessage());
  }

  @Test
  void trailingSpacePaddingIsAccepted() throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file("{" + f32("w", "[1]", 0, 4) + "}      ", 4)), NAME)) {
      assertEquals(1, r.tensors().size());
    }
  }

  @Test
  void duplicateKeys() {
    rejectsHeader("{" + f32("w", "[1]", 0, 4) + "," + f32("w", "[1]", 4, 8) + "}", 8, "header has duplicate key 'w'.");
    rejectsHeader("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "header has duplicate key '__metadata__'.");
    rejectsHeader("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0, "metadata has duplicate key 'k'.");
    rejectsHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
        "tensor 'w' has duplicate field 'shape'.");
  }

  @Test
  void namesMustBeNonEmpty() {
    rejectsHeader("{" + f32("", "[1]", 0, 4) + "}", 4, "header has a tensor with an empty name.");
  }

  @Test
  void metadataMustMapStringsToStrings() {
    rejectsHeader("{\"__metadata__\":{\"epoch\":3}}", 0, "metadata 'epoch' is 3, not a string.");
    rejectsHeader("{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", 0, "metadata 'a' is an object, not a string.");
    rejectsHeader("{\"__metadata__\":[\"a\"]}", 0, "'__metadata__' is an array, not a JSON object.");
    rejectsHeader("{\"__metadata__\":\"v\"}", 0, "'__metadata__' is the string 'v', not a JSON object.");
  }

  @Test
  void tensorEntriesMustBeObjectsWithAllFields() {
    rejectsHeader("{\"w\":[0,4]}", 4, "tensor 'w' is an array, not a JSON object.");
    rejectsHeader("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w' lacks 'dtype'.");
    rejectsHeader("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'w' lacks 'shape'.");
    rejectsHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'w' lacks 'data_offsets'.");
  }

  @Test
  void unknownFieldsInATensorAreIgnored() throws IOException {
    String header = "{\"w\":{\"dtype\":\"F32\",\"extra\":{\"deep\":[1,{\"x\":null}]},\"shape\":[1],\"data_offsets\":[0,4]}}";
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file(header, 4)), NAME)) {
      assertEquals(new TensorInfo("w", "F32", new long[] {1}, 0, 4), r.tensor("w"));
    }
  }

  @Test
  void dtypeMustBeAStandardName() {
    rejectsHeader("{" + entry("w", "\"F33\"", "[1]", "[0,4]") + "}", 4, "tensor 'w' has unknown dtype 'F33'.");
    rejectsHeader("{" + entry("w", "\"f32\"", "[1]", "[0,4]") + "}", 4, "tensor 'w' has unknown dtype 'f32'.");
    rejectsHeader("{" + entry("w", "4", "[1]", "[0,4]") + "}", 4, "tensor 'w' has dtype 4, not a string.");
  }

  @Test
  void everyStandardDtypeIsAccepted() throws IOException {
    for (SafeTensorsDType t : SafeTensorsDType.values()) {
      int bytes = 3 * t.byteSize();
      String header = "{" + entry("w", "\"" + t.name() + "\"", "[3]", "[0," + bytes + "]") + "}";
      try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file(header, bytes)), NAME)) {
        assertEquals(bytes, r.tensor("w").byteLength(), t.name());
      }
    }
  }

  @Test
  void shapeEntriesMustBeNonNegativeIntegers() {
    String fact = ", which is not a non-negative 64-bit integer.";
    rejectsHeader("{" + f32("w", "[2,-1]", 0, 4) + "}", 4, "tensor 'w' has shape entry -1" + fact);
    rejectsHeader("{" + f32("w", "[1.0]", 0, 4) + "}", 4, "tensor 'w' has shape entry 1.0" + fact);
    rejectsHeader("{" + f32("w", "[\"1\"]", 0, 4) + "}", 4, "tensor 'w' has shape entry the string '1'" + fact);
    rejectsHeader("{" + f32("w", "[[1]]", 0, 4) + "}", 4, "tensor 'w' has shape entry an array" + fact);
    rejectsHeader("{" + f32("w", "[null]", 0, 4) + "}", 4, "tensor 'w' has shape entry null" + fact);
    rejectsHeader("{" + f32("w", "[18446744073709551616]", 0, 4) + "}", 4,
        "tensor 'w' has shape entry 18446744073709551616" + fact);
    String digits = "1".repeat(300);
    rejectsHeader("{" + f32("w", "[" + digits + "]", 0, 4) + "}", 4,
        "tensor 'w' has shape entry " + digits.substring(0, 40) + "... (300 characters)" + fact);
    rejectsHeader("{" + f32("w", "3", 0, 4) + "}", 4, "tensor 'w' has shape 3, not an array of integers.");
  }

  @Test
  void dataOffsetsMustBeTwoNonNegativeIntegersInOrder() {
    rejectsHeader("{" + entry("w", "\"F32\"", "[1]", "[0]") + "}", 4,
        "tensor 'w' has 1 data_offsets; it needs [begin, end].");
    rejectsHeader("{" + entry("w", "\"F32\"", "[1]", "[0,4,8]") + "}", 4,
        "tensor 'w' has 3 data_offsets; it needs [begin, end].");
    rejectsHeader("{" + entry("w", "\"F32\"", "[1]", "[-4,0]") + "}", 4,
        "tensor 'w' has data_offsets entry -4, which is not a non-negative 64-bit integer.");
    rejectsHeader("{" + f32("w", "[1]", 8, 4) + "}", 8,
        "tensor 'w' has data_offsets [8, 4], which end before they begin.");
  }

  @Test
  void byteCountMustNotOverflow() {
    rejectsHeader("{" + f32("w", "[4294967296,4294967296]", 0, 4) + "}", 4,
        "tensor 'w' has shape [4294967296, 4294967296] of F32, whose byte count does not fit in 64 bits.");
    // A zero dimension does not excuse the others: strides would still overflow.
    rejectsHeader("{" + f32("w", "[4294967296,4294967296,0]", 0, 0) + "}", 0,
        "tensor 'w' has shape [4294967296, 4294967296, 0] of F32, whose byte count does not fit in 64 bits.");
    // Fits as an element count (2^61) but not once multiplied by 4 bytes.
    rejectsHeader("{" + f32("w", "[2305843009213693952]", 0, 4) + "}", 4,
        "tensor 'w' has shape [2305843009213693952] of F32, whose byte count does not fit in 64 bits.");
  }

  @Test
  void regionLengthMustMatchTheShape() {
    rejectsHeader("{" + f32("w", "[2,3]", 0, 20) + "}", 20,
        "tensor 'w' is F32 [2, 3] = 24 bytes, but its data_offsets [0, 20] span 20.");
    rejectsHeader("{" + entry("w", "\"F64\"", "[]", "[0,4]") + "}", 4,
        "tensor 'w' is F64 [] = 8 bytes, but its data_offsets [0, 4] span 4.");
  }

  @Test
  void regionsMustLieInsideTheFile() {
    String header = "{" + f32("dense_1.weight", "[1024,1024]", 0, 4194304) + "}";
    int headerLength = header.length();
    rejectsHeader(header, 100, "'dense_1.weight' declares 4194304 bytes at offset " + (8 + headerLength)
        + "; the file has " + (8 + headerLength + 100) + " bytes.");
    String far = "{" + entry("w", "\"U8\"", "[1]", "[9223372036854775806,9223372036854775807]") + "}";
    rejectsHeader(far, 0, "'w' declares 1 bytes at offset " + new java.math.BigInteger("9223372036854775806")
        .add(java.math.BigInteger.valueOf(8 + far.length())) + "; the file has " + (8 + far.length()) + " bytes.");
  }

  @Test
  void regionsMustStartAtZeroWithoutGaps() {
    rejectsHeader("{" + f32("w", "[1]", 4, 8) + "}", 8, "data bytes [0, 4) belong to no tensor (the gap is before 'w').");
    rejectsHeader("{" + f32("a", "[1]", 0, 4) + "," + f32("b", "[1]", 8, 12) + "}", 12,
        "data bytes [4, 8) belong to no tensor (the gap is before 'b').");
  }

  @Test
  void regionsMustNotOverlap() {
    rejectsHeader("{" + f32("b", "[4]", 8, 24) + "," + f32("a", "[3]", 0, 12) + "}", 24,
        "'a' [0, 12) and 'b' [8, 24) overlap.");
    rejectsHeader("{" + f32("a", "[2]", 0, 8) + "," + f32("z", "[0]", 4, 4) + "}", 8,
        "'a' [0, 8) and 'z' [4, 4) overlap.");
    rejectsHeader("{" + f32("a", "[1]", 0, 4) + "," + f32("b", "[1]", 0, 4) + "}", 8, "'a' [0, 4) and 'b' [0, 4) overlap.");
  }

  @Test
  void regionsMustCoverTheWholeDataSection() {
    rejectsHeader("{" + f32("w", "[1]", 0, 4) + "}", 6,
        "the data section has 6 bytes but the tensors cover only 4; the rest belongs to no tensor.");
    rejectsHeader("{}", 1, "the data section has 1 bytes but the tensors cover only 0; the rest belongs to no tensor.");
  }

  @Test
  void zeroSizeTensorsMayShareAnOffset() throws IOException {
    String header = "{" + f32("a", "[0]", 4, 4) + "," + f32("w", "[1]", 0, 4) + "," + f32("b", "[0,7]", 4, 4) + "}";
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file(header, 4)), NAME)) {
      assertEquals(3, r.tensors().size());
      assertEquals("w", r.tensors().get(0).name());
      r.read("a", ByteBuffer.allocate(0));
    }
  }

  @Test
  void hostileNamesAreQuotedShortAndOnOneLine() {
    String longName = "n".repeat(500);
    rejectsHeader("{" + entry(longName, "\"F33\"", "[1]", "[0,4]") + "}", 4,
        "tensor '" + "n".repeat(80) + "...' (500 characters) has unknown dtype 'F33'.");
    rejectsHeader("{" + entry("a\\nb", "\"F33\"", "[1]", "[0,4]") + "}", 4, "tensor 'a\\u000ab' has unknown dtype 'F33'.");
  }

  @Test
  void missingTensorNamesWhatExists() throws IOException {
    String entries = IntStream.range(0, 12).mapToObj(i -> f32("t" + i, "[1]", 4L * i, 4L * i + 4))
        .collect(Collectors.joining(","));
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file("{" + entries + "}", 48)), NAME)) {
      ModelFileException e = assertThrows(ModelFileException.class, () -> r.tensor("dense.bias"));
      assertEquals(NAME + ": no tensor 'dense.bias'; the file has 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',"
          + " 't8', 't9' and 2 more.", e.getMessage());
      e = assertThrows(ModelFileException.class, () -> r.read("dense.bias", ByteBuffer.allocate(4)));
      assertTrue(e.getMessage().startsWith(NAME + ": no tensor 'dense.bias'; "), e.getMessage());
    }
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file("{" + f32("w", "[1]", 0, 4) + "}", 4)), NAME)) {
      ModelFileException e = assertThrows(ModelFileException.class, () -> r.tensor("b"));
      assertEquals(NAME + ": no tensor 'b'; the file has 'w'.", e.getMessage());
    }
  }

  @Test
  void destinationMustMatchTheTensor() throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(new InMemoryChannel(file("{" + f32("w", "[2]", 0, 8) + "}", 8)), NAME)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.read("w", ByteBuffer.allocate(4)));
      assertEquals("tensor 'w' has 8 bytes but the destination has 4 remaining", e.getMessage());
    }
  }

  @Test
  void fileShrinkingAfterOpenIsReportedOnRead() throws IOException {
    String header = "{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[3]", 8, 20) + "}";
    InMemoryChannel ch = new InMemoryChannel(file(header, 20)).chunked(5);
    try (SafeTensorsReader r = SafeTensorsReader.open(ch, NAME)) {
      long start = r.dataStart();
      ch.truncate(start + 12);
      ByteBuffer a = ByteBuffer.allocate(8);
      r.read("a", a);
      assertEquals(0, a.remaining());
      ModelFileException e = assertThrows(ModelFileException.class, () -> r.read("b", ByteBuffer.allocateDirect(12)));
      assertEquals(NAME + ": file ended at byte " + (start + 12) + " while reading tensor 'b' (file bytes ["
          + (start + 8) + ", " + (start + 20) + ")); it had " + (start + 20)
          + " bytes when opened, so it changed while in use.", e.getMessage());
    }
  }
}
