package org.sparkdl.tensor;

import java.util.Locale;
import org.sparkdl.backend.Distribution;

/**
 * Seeded weight initialisers. Values come from the backend's counter-based generator, so the same
 * seed gives the same weights on every backend and thread count.
 *
 * <ul>
 *   <li>{@code glorot_uniform}: U(-a, a), a = sqrt(6 / (fanIn + fanOut)) (Glorot &amp; Bengio 2010)
 *   <li>{@code glorot_normal}: N(0, sqrt(2 / (fanIn + fanOut)))
 *   <li>{@code he_uniform}: U(-a, a), a = sqrt(6 / fanIn) (He et al. 2015, for ReLU)
 *   <li>{@code he_normal}: N(0, sqrt(2 / fanIn))
 *   <li>{@code uniform}: U(-0.05, 0.05); {@code normal}: N(0, 0.05); {@code zeros}; {@code ones}
 *       (normalisation scales and running variances)
 * </ul>
 */
public enum Init {
  GLOROT_UNIFORM,
  GLOROT_NORMAL,
  HE_UNIFORM,
  HE_NORMAL,
  UNIFORM,
  NORMAL,
  ZEROS,
  ONES;

  /** The initialiser named as in the network spec ({@code "he_uniform"}). */
  public static Init of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown initialiser '" + name
          + "'; known: glorot_uniform, glorot_normal, he_uniform, he_normal, uniform, normal, zeros, ones.", e);
    }
  }

  /** The spec name, e.g. {@code "he_uniform"}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Fills {@code t} for a layer with the given fan-in and fan-out. */
  public void fill(Tensor t, int fanIn, int fanOut, long seed) {
    var be = t.backend();
    double fanAvg = Math.max(1, fanIn + fanOut);
    double in = Math.max(1, fanIn);
    switch (this) {
      case GLOROT_UNIFORM -> uniform(t, Math.sqrt(6 / fanAvg), seed);
      case GLOROT_NORMAL -> be.random(t, Distribution.NORMAL, 0, Math.sqrt(2 / fanAvg), seed);
      case HE_UNIFORM -> uniform(t, Math.sqrt(6 / in), seed);
      case HE_NORMAL -> be.random(t, Distribution.NORMAL, 0, Math.sqrt(2 / in), seed);
      case UNIFORM -> uniform(t, 0.05, seed);
      case NORMAL -> be.random(t, Distribution.NORMAL, 0, 0.05, seed);
      case ZEROS -> be.fill(t, 0);
      case ONES -> be.fill(t, 1);
    }
  }

  private static void uniform(Tensor t, double limit, long seed) {
    t.backend().random(t, Distribution.UNIFORM, -limit, limit, seed);
  }
}
