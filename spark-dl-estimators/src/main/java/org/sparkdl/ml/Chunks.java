package org.sparkdl.ml;

import java.util.SplittableRandom;

/** Seeded permutations and the row ranges that cut a batch of rows into chunks. */
final class Chunks {
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
}
