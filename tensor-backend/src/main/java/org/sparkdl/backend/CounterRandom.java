package org.sparkdl.backend;

/**
 * The counter-based generator behind {@link Backend#random}: value {@code i} of a draw with seed
 * {@code s} is a pure function of {@code (s, i)} (SplitMix64 finaliser), so results do not depend
 * on the backend, the thread count or the order elements are visited in.
 */
public final class CounterRandom {
  private CounterRandom() {}

  /** 64 well-mixed bits for element {@code i} of stream {@code seed}. */
  public static long bits(long seed, long i) {
    long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform on {@code [0, 1)} with 53 random bits. */
  public static double uniform(long seed, long i) {
    return (bits(seed, i) >>> 11) * 0x1.0p-53;
  }

  /** Standard normal (Box-Muller on two independent uniforms of the element). */
  public static double normal(long seed, long i) {
    double u1 = uniform(seed, 2 * i);
    double u2 = uniform(seed, 2 * i + 1);
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Element {@code i} of distribution {@code d} with parameters {@code a, b}. */
  public static double sample(Distribution d, double a, double b, long seed, long i) {
    return switch (d) {
      case UNIFORM -> a + (b - a) * uniform(seed, i);
      case NORMAL -> a + b * normal(seed, i);
      case BERNOULLI -> uniform(seed, i) < a ? b : 0;
    };
  }
}
