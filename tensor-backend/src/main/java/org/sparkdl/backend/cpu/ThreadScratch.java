package org.sparkdl.backend.cpu;

import java.util.function.Supplier;

/**
 * A thread's heap scratch for the kernels that run one example per call when scoring (the
 * per-example unfolding, the direct convolutions), kept for the thread's next calls with the same
 * key: the last {@link #KEPT} keys a thread used, so that a network's layers, which take turns,
 * each find theirs (allocating it per call had cost a tenth of a LeNet's scoring time). Scratch
 * larger than {@link #KEPT_BYTES} is made for the call and dropped, so that a large image's layers
 * do not hold tens of megabytes per thread for the executor's lifetime. A kernel relies on what it
 * wrote before only where it says so (padding entries that are never written stay zero).
 */
final class ThreadScratch<T extends ThreadScratch.Sized> {
  /** Keys a thread keeps scratch for. */
  static final int KEPT = 4;
  /** The largest scratch a thread keeps between calls. */
  static final long KEPT_BYTES = 1L << 20;

  /** Scratch that says how much memory it holds. */
  interface Sized {
    long bytes();
  }

  private record Entry(Object key, Object scratch) {}

  private final ThreadLocal<Entry[]> recent = ThreadLocal.withInitial(() -> new Entry[KEPT]);

  /**
   * This thread's scratch for {@code key} (compared with {@code equals}), made by {@code make} when
   * the thread has none; it becomes the most recent of the thread's entries.
   */
  @SuppressWarnings("unchecked")
  T get(Object key, Supplier<T> make) {
    Entry[] entries = recent.get();
    int found = 0;
    while (found < KEPT - 1 && entries[found] != null && !entries[found].key().equals(key)) {
      found++;
    }
    Entry entry = entries[found] != null && entries[found].key().equals(key) ? entries[found] : null;
    if (entry == null) {
      T made = make.get();
      if (made.bytes() > KEPT_BYTES) {
        return made;
      }
      entry = new Entry(key, made);
    }
    // the entries before it move down one place, over it (or over the least recent one)
    System.arraycopy(entries, 0, entries, 1, found);
    entries[0] = entry;
    return (T) entry.scratch();
  }
}
