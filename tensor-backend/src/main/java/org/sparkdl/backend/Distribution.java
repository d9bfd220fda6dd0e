package org.sparkdl.backend;

/**
 * Distributions {@link Backend#random} draws from. Values come from a counter-based generator
 * (element {@code i} depends only on the seed and {@code i}), so every backend and every thread
 * count produces the same numbers for the same seed.
 */
public enum Distribution {
  /** Uniform on {@code [a, b)}. */
  UNIFORM,
  /** Normal with mean {@code a} and standard deviation {@code b}. */
  NORMAL,
  /** {@code b} with probability {@code a}, else 0: an inverted-dropout mask with keep rate a, scale b. */
  BERNOULLI
}
