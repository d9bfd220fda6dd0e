package org.sparkdl.backend.cpu;

/**
 * Decides when a Vector API kernel may take calls from its scalar twin.
 *
 * <p>Until HotSpot's C2 compiler has compiled it, Vector API code runs in the interpreter or C1,
 * where every vector operation allocates: getting the SIMD Adam kernel compiled costs one thread
 * about 0.35 s of a fresh JVM (the slices below run at 0.2-0.7 us per element until then), more
 * when several tasks warm up together and the compiler threads compete for the cores; once
 * compiled, it takes 0.022 ms a call for 50,000 parameters against 0.03 ms for the scalar twin
 * (which runs over heap-array chunks that HotSpot vectorises by itself; 0.12-0.2 ms when it read
 * the buffers element by element). A short fit never earns the warm-up back: in a fresh JVM, a 784-128-10 MNIST fit of 1,250
 * steps on two tasks took 3.7 s warming up from the first step and 3.0 s with the scalar kernel
 * alone. So the warm-up is bought as a ski rental: the scalar kernel runs alone until the JVM's
 * calls of it have spent {@link #RENT_NANOS} (summed over threads; two thirds of that is what
 * SIMD would have saved, about what the warm-up costs two tasks); from then on each call runs the
 * SIMD kernel on a leading slice of {@link #SLICE} elements (enough to get it compiled) and the
 * scalar kernel on the rest, timing both. Once the SIMD slice has been faster per element than
 * the scalar part for {@link #WINS} calls in a row, the SIMD kernel takes every call. A fit pays
 * at most a small multiple of the better of the two choices, whatever its length. Where SIMD
 * never wins (a JVM without C2, a CPU without wide vectors), the scalar kernel keeps doing nearly
 * all the work.
 *
 * <p>The twins compute bit-identical results, so when the switch happens never changes a result.
 * Thread-safe: the counters are advisory, and a lost update only delays the switch.
 */
final class SimdWarmup {
  /**
   * Elements given to the SIMD kernel per call while warming up: not a multiple of any vector
   * length, so that the scalar tail loop runs too. Were it never to run while warming up, the
   * compiled kernel would leave it out, and the first full call (whose size has a tail) would
   * throw the compiled code away and run the whole buffer in the interpreter until recompiled.
   */
  static final int SLICE = 2048 + 3;
  /** Consecutive faster calls needed before the SIMD kernel takes over. */
  static final int WINS = 3;
  /** Time the JVM's scalar calls spend alone before the warm-up starts (see the class comment). */
  static final long RENT_NANOS = 1_000_000_000L;

  private final long rentNanos;
  private volatile boolean ready;
  private volatile long scalarNanos;
  private int wins;

  SimdWarmup() {
    this(RENT_NANOS);
  }

  /** A warm-up that starts once the scalar kernel has spent {@code rentNanos} (0: at once). */
  SimdWarmup(long rentNanos) {
    this.rentNanos = rentNanos;
  }

  /** True once the SIMD kernel has proved faster; from then on it takes every call. */
  boolean ready() {
    return ready;
  }

  /** True when a call of {@code n} elements should be split into a SIMD slice and a scalar rest. */
  boolean split(int n) {
    return !ready && n > 2 * SLICE && scalarNanos >= rentNanos;
  }

  /** Records a whole call run by the scalar kernel before the warm-up started. */
  void recordScalar(long nanos) {
    scalarNanos += nanos;
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
