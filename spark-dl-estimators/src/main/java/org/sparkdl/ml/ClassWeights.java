package org.sparkdl.ml;

import java.util.Arrays;
import org.sparkdl.ml.param.NetworkParamSet;

/**
 * The {@code classWeights} param of a classifier made into one loss weight per class: {@code
 * balanced} from the training rows per class the encoding pass counts ({@code rows / (classes *
 * rows of class c)}, scikit-learn's formula, so that the weights of all training rows still sum to
 * their number), or the weights listed. The trainer multiplies each row's weight by its class's
 * ({@link org.sparkdl.train.LocalTrainer#setClassWeights}).
 */
final class ClassWeights {
  private ClassWeights() {}

  /**
   * Checks a {@code classWeights} value against the network's {@code classes} outputs, on the
   * driver before any job: a list must hold one weight per class.
   *
   * @throws IllegalArgumentException naming the param, the weights expected and found
   */
  static void check(String value, int classes) {
    double[] w = NetworkParamSet.explicitClassWeights(value);
    if (w != null && w.length != classes) {
      throw new IllegalArgumentException("Param classWeights '" + value + "' holds " + w.length + " weight"
          + (w.length == 1 ? "" : "s") + "; the network outputs " + classes + " classes, so it needs " + classes
          + " (one per class, in class order), or balanced.");
    }
  }

  /**
   * The loss weight of each class, or {@code null} when {@code value} is empty (no class weights).
   * {@code value} was {@link #check checked} against the network before any job.
   *
   * @param counts training rows per class ({@code classes} entries)
   */
  static float[] resolve(String value, long[] counts) {
    if (value.trim().isEmpty()) {
      return null;
    }
    int classes = counts.length;
    double[] explicit = NetworkParamSet.explicitClassWeights(value);
    float[] out = new float[classes];
    if (explicit != null) {
      for (int c = 0; c < classes; c++) {
        out[c] = (float) explicit[c];
      }
      return out;
    }
    long rows = Arrays.stream(counts).sum();
    for (int c = 0; c < classes; c++) {
      // a class without training rows weighs nothing: no row carries it
      out[c] = counts[c] == 0 ? 0f : (float) ((double) rows / ((double) classes * counts[c]));
    }
    return out;
  }
}
