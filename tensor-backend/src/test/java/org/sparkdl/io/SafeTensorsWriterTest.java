package org.sparkdl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkdl.io.SafeTensorsWriter.Entry;
import org.sparkdl.tensor.DType;

/** Caller mistakes the writer refuses, before writing anything, and the value types' contracts. */
class SafeTensorsWriterTest {

  private static void refuses(List<Entry> entries, Map<String, String> metadata, String expected) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(out, entries, metadata));
    assertEquals(expected, e.getMessage());
    assertEquals(0, out.size(), "nothing is written when the input is refused");
  }

  private static Entry f32(String name, long[] shape, int bytes) {
    return new Entry(name, "F32", shape, ByteBuffer.allocateDirect(bytes));
  }

  @Test
  void bufferMustHoldExactlyTheDeclaredBytes() {
    refuses(List.of(f32("w", new long[] {2, 3}, 20)), null,
        "tensor 'w' is F32 [2, 3] = 24 bytes, but its buffer has 20 remaining");
    refuses(List.of(f32("w", new long[] {}, 8)), null, "tensor 'w' is F32 [] = 4 bytes, but its buffer has 8 remaining");
  }

  @Test
  void namesMustBeUsableAndUnique() {
    refuses(List.of(f32("", new long[] {1}, 4)), null, "tensor name '' is not allowed");
    refuses(List.of(f32("__metadata__", new long[] {1}, 4)), null, "tensor name '__metadata__' is not allowed");
    refuses(List.of(f32("w", new long[] {1}, 4), f32("w", new long[] {1}, 4)), null, "tensor 'w' appears twice");
  }

  @Test
  void dtypeAndShapeMustBeValid() {
    refuses(List.of(new Entry("w", "F33", new long[] {1}, ByteBuffer.allocate(4))), null,
        "tensor 'w' has unknown dtype 'F33'");
    refuses(List.of(f32("w", new long[] {2, -1}, 0)), null, "tensor 'w' has negative dimension in shape [2, -1]");
    refuses(List.of(f32("w", new long[] {1L << 32, 1L << 32}, 0)), null,
        "tensor 'w' shape [4294967296, 4294967296] is too large");
  }

  @Test
  void metadataMustNotHoldNulls() {
    Map<String, String> metadata = new HashMap<>();
    metadata.put("k", null);
    refuses(List.of(), metadata, "metadata keys and values must not be null: k=null");
  }

  @Test
  void entriesCopyTheirShape() {
    long[] shape = {2, 3};
    Entry e = Entry.of("w", DType.FLOAT64, shape, ByteBuffer.allocate(48));
    shape[0] = 99;
    assertEquals("F64", e.dtype());
    assertArrayEquals(new long[] {2, 3}, e.shape());
    e.shape()[1] = 99;
    assertArrayEquals(new long[] {2, 3}, e.shape());
    assertEquals(Entry.of("w", DType.FLOAT64, new long[] {2, 3}, ByteBuffer.allocate(48)), e);
    assertEquals("Entry[name=w, dtype=F64, shape=[2, 3], bytes=48]", e.toString());
  }

  @Test
  void dtypesMapFromTheTensorTypes() {
    assertEquals(SafeTensorsDType.F32, SafeTensorsDType.of(DType.FLOAT32));
    assertEquals(SafeTensorsDType.F64, SafeTensorsDType.of(DType.FLOAT64));
    for (DType t : DType.values()) {
      assertEquals(t.byteSize(), SafeTensorsDType.of(t).byteSize());
    }
    assertEquals(SafeTensorsDType.BF16, SafeTensorsDType.byName("BF16").orElseThrow());
    assertEquals(java.util.Optional.empty(), SafeTensorsDType.byName("bf16"));
  }

  @Test
  void tensorInfoIsAValueWithConsistentFields() {
    long[] shape = {2, 3};
    TensorInfo t = new TensorInfo("w", "F32", shape, 8, 32);
    shape[0] = 7;
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertEquals(new TensorInfo("w", "F32", new long[] {2, 3}, 8, 32), t);
    assertEquals(new TensorInfo("w", "F32", new long[] {2, 3}, 8, 32).hashCode(), t.hashCode());
    assertNotEquals(new TensorInfo("w", "F32", new long[] {3, 2}, 8, 32), t);
    assertEquals("TensorInfo[name=w, dtype=F32, shape=[2, 3], begin=8, end=32]", t.toString());
    assertEquals(6, t.numElements());
    assertEquals(24, t.byteLength());
    assertEquals(SafeTensorsDType.F32, t.elementType());
    assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", "F32", new long[] {2, 3}, 8, 30));
    assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", "X", new long[] {1}, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> new TensorInfo("", "F32", new long[] {1}, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", "F32", new long[] {-1}, 0, 0));
  }
}
