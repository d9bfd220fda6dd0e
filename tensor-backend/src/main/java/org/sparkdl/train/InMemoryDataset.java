package org.sparkdl.train;

import org.sparkdl.tensor.Shape;

/**
 * Rows held in heap arrays, for the local trainer, tests and examples: features row-major ({@code
 * rows x sampleShape}), targets row-major ({@code rows x targetShape}; class indices for
 * classification, shape {@code []}), optional per-row weights.
 */
public record InMemoryDataset(float[] features, Shape sampleShape, float[] targets, Shape targetShape, float[] weights) {

  public InMemoryDataset {
    int per = sampleShape.size();
    if (per == 0 || features.length % per != 0) {
      throw new IllegalArgumentException("Features hold " + features.length + " values, not a multiple of the sample size "
          + per + " " + sampleShape + ".");
    }
    int rows = features.length / per;
    if (targets.length != rows * targetShape.size()) {
      throw new IllegalArgumentException("Targets hold " + targets.length + " values; " + rows + " rows of "
          + targetShape + " need " + rows * targetShape.size() + ".");
    }
    if (weights != null && weights.length != rows) {
      throw new IllegalArgumentException("Weights hold " + weights.length + " values for " + rows + " rows.");
    }
  }

  /** Class-index targets (shape {@code []} per row), no weights. */
  public static InMemoryDataset classification(float[] features, int width, float[] labels) {
    return new InMemoryDataset(features, Shape.of(width), labels, Shape.scalar(), null);
  }

  public int rows() {
    return features.length / sampleShape.size();
  }

  /** Rows {@code [from, to)} as a new dataset (copies). */
  public InMemoryDataset slice(int from, int to) {
    int per = sampleShape.size();
    int tper = targetShape.size();
    float[] f = java.util.Arrays.copyOfRange(features, from * per, to * per);
    float[] t = java.util.Arrays.copyOfRange(targets, from * tper, to * tper);
    float[] w = weights == null ? null : java.util.Arrays.copyOfRange(weights, from, to);
    return new InMemoryDataset(f, sampleShape, t, targetShape, w);
  }
}
