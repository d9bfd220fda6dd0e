package org.sparkdl.tensor;

import java.util.Locale;

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
 *   <li>{@code standard_normal}: N(0, 1) (PyTorch's default for embeddings)
 *   <li>{@code inverse_sqrt_uniform}: U(-a, a), a = 1 / sqrt(fanIn) (PyTorch's default for LSTM and
 *       GRU weights and biases, with fanIn the hidden size)
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
  ONES,
  STANDARD_NORMAL,
  INVERSE_SQRT_UNIFORM;

  /** The initialiser named as in the network spec ({@code "he_uniform"}). */
  public static Init of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown initialiser '" + name
          + "'; known: glorot_uniform, glorot_normal, he_uniform, he_normal, uniform, normal, zeros, ones,"
          + " standard_normal, inverse_sqrt_uniform.", e);
    }
  }

  /** The spec name, e.g. {@code "he_uniform"}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Fills {@code t} for a layer with the given fan-in and fan-out. */
  public void fill(Tensor t, int fanIn, int fanOut, long seed) {
    Device be = t.device();
    double fanAvg = Math.max(1, fanIn + fanOut);
    double in = Math.max(1, fanIn);
    switch (this) {
      case GLOROT_UNIFORM -> uniform(t, Math.sqrt(6 / fanAvg), seed);
      case GLOROT_NORMAL -> be.normal(t, 0, Math.sqrt(2 / fanAvg), seed);
      case HE_UNIFORM -> uniform(t, Math.sqrt(6 / in), seed);
      case HE_NORMAL -> be.normal(t, 0, Math.sqrt(2 / in), seed);
      case UNIFORM -> uniform(t, 0.05, seed);
      case NORMAL -> be.normal(t, 0, 0.05, seed);
      case ZEROS -> be.fill(t, 0);
      case ONES -> be.fill(t, 1);
      case STANDARD_NORMAL -> be.normal(t, 0, 1, seed);
      case INVERSE_SQRT_UNIFORM -> uniform(t, 1 / Math.sqrt(in), seed);
    }
  }

  private static void uniform(Tensor t, double limit, long seed) {
    t.device().uniform(t, -limit, limit, seed);
  }
}
