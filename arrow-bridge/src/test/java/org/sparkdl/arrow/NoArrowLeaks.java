package org.sparkdl.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves Arrow memory allocated. Spark kills the sibling tasks of a failed task
 * asynchronously, so the check waits up to 10 s for them to release their memory.
 */
public final class NoArrowLeaks implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (ArrowMemory.allocatedBytes() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, ArrowMemory.allocatedBytes(), "Arrow bytes still allocated after " + context.getDisplayName());
  }
}
