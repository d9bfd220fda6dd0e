package org.sparkdl.backend.cpu;

/**
 * Decides when a Vector API kernel may take whole calls from its scalar twin.
 *
 * <p>Until HotSpot's C2 compiler has compiled it, Vector API code runs in the interpreter or C1,
 * where every vector operation allocates: in a fresh JVM, the first epoch of a 100k-parameter
 * network spent about 0.6 s in the SIMD Adam kernel, against a few milliseconds once compiled.
 * So, while warming up, each call runs the SIMD kernel on a leading slice of {@link #SLICE}
 * elements (enough to make it hot and get it compiled) and the scalar kernel on the rest, timing
 * both. Once the SIMD slice has been faster per element than the scalar part for {@link #WINS}
 * calls in a row, the SIMD kernel takes every call. Where it never wins (a JVM without C2, a CPU
 * without wide vectors), the scalar kernel keeps doing nearly all the work.
 *
 * <p>The twins compute bit-identical results, so when the switch happens never changes a result.
 * Thread-safe: the counters are advisory, and a lost update only delays the switch.
 */
final class SimdWarmup {
  /** Elements given to the SIMD kernel per call while warming up. */
  static final int SLICE = 2048;
  /** Consecutive faster calls needed before the SIMD kernel takes over. */
  static final int WINS = 3;

  private volatile boolean ready;
  private int wins;

  /** True once the SIMD kernel has proved faster; from then on it takes every call. */
  boolean ready() {
    return ready;
  }

  /** True when a call of {@code n} elements should be split into a SIMD slice and a scalar rest. */
  boolean split(int n) {
    return !ready && n > 2 * SLICE;
  }

  /** Records one split call: nanoseconds spent on the SIMD slice and on the scalar rest. */
  void record(long simdNanos, int simdElements, long scalarNanos, int scalarElements) {
    // compare per-element times without division: simd/simdN < scalar/scalarN
    boolean faster = (double) simdNanos * scalarElements < (double) scalarNanos * simdElements;
    wins = faster ? wins + 1 : 0;
    if (wins >= WINS) {
      ready = true;
    }
  }
}
