package org.sparkdl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fit that runs out of memory fails with a message saying where and what to change, and the
 * session goes on: the next fit in it trains, with smaller batches, on a partition larger than the
 * heap. Run in a JVM of its own with a heap too small for the data's default batches ({@link
 * OutOfMemoryMain}).
 */
class MemoryErrorsIT {

  @Test
  void aFitThatRunsOutOfHeapFailsClearlyAndTheSessionTrainsTheNextFit() throws InterruptedException {
    Path work = Sessions.freshDir("memory-errors");
    try (ChildJvm jvm = ChildJvm.start("out-of-memory", work, List.of("-Xmx480m", "-XX:MaxDirectMemorySize=2g"),
        OutOfMemoryMain.class)) {
      int exit = jvm.await(300);
      List<String> lines = jvm.lines();
      String first = lines.stream().filter(l -> l.startsWith("FIRST ")).findFirst()
          .orElseThrow(() -> new AssertionError("No FIRST line; the JVM's output ends with:\n" + jvm.tail(40)));
      assertTrue(first.startsWith("FIRST IllegalStateException: Encoding partition 0 of the training data ran out of heap"
          + " memory at row ") && first.contains("Lower spark.sparkdl.encode.batchBytes"), first);
      String second = lines.stream().filter(l -> l.startsWith("SECOND ")).findFirst()
          .orElseThrow(() -> new AssertionError("No SECOND line: the session did not survive; the output ends with:\n"
              + jvm.tail(40)));
      assertTrue(second.startsWith("SECOND rows=90000 loss="), second);
      assertEquals(0, exit, jvm.tail(40));
    }
  }
}
