package org.sparkdl.arrow;

import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The one Arrow {@link RootAllocator} of this JVM, from which every batch, encoder and scorer of
 * this package takes a child allocator.
 *
 * <p><b>Ownership.</b> The root is created lazily on first use and lives as long as the JVM: it is
 * never closed, because executors run many tasks over their lifetime and closing a root with a
 * live child throws. Each user of Arrow memory here opens its own child with {@link
 * #newChild(String)} and closes it when done; a child closed with memory still allocated throws
 * {@link IllegalStateException} naming the leak, so leaks show up where they happen rather than at
 * JVM exit. {@link #allocatedBytes()} returning to 0 is the leak check the tests use.
 *
 * <p><b>Limit.</b> The root's limit, in bytes, is read once from the system property {@value
 * #LIMIT_PROPERTY} (e.g. {@code -Dsparkdl.arrow.memoryLimit=4g}; suffixes k, m, g, t); without it
 * the root is unbounded and the executor's native memory is the limit. On Spark, set it through
 * {@code spark.executor.extraJavaOptions}.
 */
public final class ArrowMemory {
  /** System property holding the root allocator's limit in bytes (suffixes k, m, g, t allowed). */
  public static final String LIMIT_PROPERTY = "sparkdl.arrow.memoryLimit";

  private static volatile RootAllocator root;

  private ArrowMemory() {}

  /** The JVM's root allocator, created on first call. Never close it; open children instead. */
  public static BufferAllocator root() {
    RootAllocator r = root;
    if (r == null) {
      synchronized (ArrowMemory.class) {
        r = root;
        if (r == null) {
          r = new RootAllocator(parseLimit(System.getProperty(LIMIT_PROPERTY)));
          root = r;
        }
      }
    }
    return r;
  }

  /**
   * A new child of the root allocator, owned by the caller, who must close it after releasing
   * everything allocated from it. {@code name} shows up in Arrow's leak and limit messages.
   */
  public static BufferAllocator newChild(String name) {
    return root().newChildAllocator(name, 0, Long.MAX_VALUE);
  }

  /** Bytes currently allocated from the root and all of its children. */
  public static long allocatedBytes() {
    return root().getAllocatedMemory();
  }

  /**
   * Parses a byte count such as {@code 1048576}, {@code 512m} or {@code 4g}; {@code null} or blank
   * means unbounded ({@link Long#MAX_VALUE}).
   *
   * @throws IllegalArgumentException naming the property when the value is not a positive size
   */
  static long parseLimit(String value) {
    if (value == null || value.isBlank()) {
      return Long.MAX_VALUE;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    int shift = switch (v.charAt(v.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n > 0 && n <= (Long.MAX_VALUE >> shift)) {
        return n << shift;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below, which says what is accepted
    }
    throw new IllegalArgumentException(
        "System property " + LIMIT_PROPERTY + " is '" + value + "'; expected a positive byte count such as 1073741824, 512m or 4g.");
  }
}
