package org.sparkdl.testing;

import java.lang.management.ManagementFactory;

/** Heap bytes the calling thread has allocated, for tests that a reader refuses bad input before allocating. */
public final class ThreadAllocations {
  private static final com.sun.management.ThreadMXBean THREADS = counter();

  private ThreadAllocations() {}

  private static com.sun.management.ThreadMXBean counter() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()) {
      t.setThreadAllocatedMemoryEnabled(true);
      return t;
    }
    return null;
  }

  /** Bytes allocated by this thread so far, or 0 where the JVM cannot say (a check on it then passes trivially). */
  public static long allocatedBytes() {
    return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
  }
}
