package org.sparkdl.ml;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded permutations, the row ranges that cut a partition's rows into chunks, and the order in
 * which an epoch visits the chunks: window after window (a window is a run of adjacent chunks,
 * about one encoded batch of rows), the windows in a seeded order and the chunks of each window in
 * a seeded order. With one window that is a plain permutation of all chunks.
 */
final class Chunks {
  /** The few orders in use (one per fit and epoch), so that a step does not rebuild one. */
  private static final Map<OrderKey, int[]> ORDERS = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<OrderKey, int[]> eldest) {
      return size() > 8;
    }
  };

  private record OrderKey(int n, int windows, long seed) {}

  private Chunks() {}

  /** A permutation of {@code [0, n)} from {@code seed} (Fisher-Yates). */
  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Start of chunk {@code c} of {@code count} over {@code rows} rows (chunk c is [start(c), start(c+1))). */
  static int start(int rows, int count, int c) {
    return (int) ((long) rows * c / count);
  }

  /**
   * The chunks of an epoch in the order its steps take them: the {@code n} chunks fall into
   * {@code windows} runs of adjacent chunks ({@link #window}), visited in the order of {@link
   * #windowOrder}, each run's chunks shuffled. With one window, {@code permutation(n, seed)}.
   * The array is shared: do not change it.
   */
  static int[] order(int n, int windows, long seed) {
    OrderKey key = new OrderKey(n, windows, seed);
    synchronized (ORDERS) {
      int[] cached = ORDERS.get(key);
      if (cached != null) {
        return cached;
      }
    }
    int[] order;
    if (windows <= 1) {
      order = permutation(n, seed);
    } else {
      order = new int[n];
      int at = 0;
      for (int g : windowOrder(windows, seed)) {
        int lo = start(n, windows, g);
        int hi = start(n, windows, g + 1);
        for (int c : permutation(hi - lo, seed * 1_000_033L + g)) {
          order[at++] = lo + c;
        }
      }
    }
    synchronized (ORDERS) {
      ORDERS.put(key, order);
    }
    return order;
  }

  /** The order in which an epoch of seed {@code seed} visits the windows. */
  static int[] windowOrder(int windows, long seed) {
    return permutation(windows, seed ^ 0x5DEECE66DL);
  }

  /** The window of chunk {@code chunk} when {@code n} chunks fall into {@code windows} windows. */
  static int window(int n, int windows, int chunk) {
    // the largest g with start(n, windows, g) <= chunk
    int g = (int) (((long) chunk * windows + windows - 1) / n);
    while (g > 0 && start(n, windows, g) > chunk) {
      g--;
    }
    while (g + 1 < windows && start(n, windows, g + 1) <= chunk) {
      g++;
    }
    return g;
  }
}
