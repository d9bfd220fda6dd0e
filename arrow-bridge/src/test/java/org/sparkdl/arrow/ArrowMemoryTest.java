package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoArrowLeaks.class)
class ArrowMemoryTest {
  @Test
  void parsesLimitsWithUnitSuffixes() {
    assertEquals(Long.MAX_VALUE, ArrowMemory.parseLimit(null));
    assertEquals(Long.MAX_VALUE, ArrowMemory.parseLimit(" "));
    assertEquals(1048576, ArrowMemory.parseLimit("1048576"));
    assertEquals(512L << 10, ArrowMemory.parseLimit("512k"));
    assertEquals(512L << 20, ArrowMemory.parseLimit("512M"));
    assertEquals(4L << 30, ArrowMemory.parseLimit("4g"));
    assertEquals(2L << 40, ArrowMemory.parseLimit("2t"));
  }

  @Test
  void rejectsLimitsThatAreNotPositiveSizes() {
    for (String bad : new String[] {"-1", "0", "lots", "4gb", "99999999999t"}) {
      assertEquals("System property sparkdl.arrow.memoryLimit is '" + bad
              + "'; expected a positive byte count such as 1073741824, 512m or 4g.",
          assertThrows(IllegalArgumentException.class, () -> ArrowMemory.parseLimit(bad)).getMessage());
    }
  }

  @Test
  void childrenShareOneRootAndAccountTheirMemory() {
    assertSame(ArrowMemory.root(), ArrowMemory.root());
    try (BufferAllocator child = ArrowMemory.newChild("test")) {
      assertSame(ArrowMemory.root(), child.getParentAllocator());
      try (ArrowBuf buf = child.buffer(1000)) {
        assertTrue(child.getAllocatedMemory() >= buf.capacity());
        assertEquals(child.getAllocatedMemory(), ArrowMemory.allocatedBytes());
      }
    }
    assertEquals(0, ArrowMemory.allocatedBytes());
  }
}
