package org.sparkdl.train;

import java.io.Serializable;

/**
 * How a classifier's predictions (the argmax of its logits) meet the labels over some rows: the
 * weighted count of correct rows and the weight total (their ratio is the accuracy), and, for at
 * most {@value #MAX_MATRIX_CLASSES} classes, the confusion matrix ({@code [true class][predicted
 * class]}, weighted the same way). Each row counts with its row weight ({@code 1} without one);
 * class weights, which only shape the loss, do not enter.
 *
 * <p>Mutable and additive: workers fill their own and the sums travel as one {@code double[]}
 * ({@link #sums()}: {@code [correct, total, m(0,0), m(0,1), ..., m(K-1,K-1)]}), which allreduce and
 * {@code treeAggregate} add element by element. Counts of whole rows are exact in double.
 */
public final class ClassTally implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The most classes for which a confusion matrix is kept ({@code K^2} doubles travel per epoch). */
  public static final int MAX_MATRIX_CLASSES = 100;

  private final int classes;
  private final double[] sums;

  /**
   * An empty tally of {@code classes} classes.
   *
   * @param matrix whether to keep the confusion matrix (ignored above {@link #MAX_MATRIX_CLASSES} classes)
   */
  public ClassTally(int classes, boolean matrix) {
    this(classes, new double[2 + (matrix && classes <= MAX_MATRIX_CLASSES ? classes * classes : 0)]);
  }

  private ClassTally(int classes, double[] sums) {
    if (classes < 1 || (sums.length != 2 && sums.length != 2 + classes * classes)) {
      throw new IllegalArgumentException("A tally of " + classes + " classes holds 2 or " + (2 + classes * classes)
          + " sums; found " + sums.length + ".");
    }
    this.classes = classes;
    this.sums = sums;
  }

  /** A tally over {@code sums} as {@link #sums()} lays them out (not copied). */
  public static ClassTally of(int classes, double[] sums) {
    return new ClassTally(classes, sums);
  }

  /** The number of classes. */
  public int classes() {
    return classes;
  }

  /** Whether this tally keeps a confusion matrix. */
  public boolean hasMatrix() {
    return sums.length > 2;
  }

  /** The sums themselves, in the layout of the class Javadoc (not a copy: adding to it adds to the tally). */
  public double[] sums() {
    return sums;
  }

  /**
   * Adds {@code rows} rows: {@code logits} row-major {@code [rows, classes]}, {@code labels}
   * {@code [rows]} class indices, {@code weights} {@code [rows]} or {@code null} for all ones.
   */
  public void add(float[] logits, float[] labels, float[] weights, int rows) {
    boolean matrix = hasMatrix();
    for (int r = 0; r < rows; r++) {
      int at = r * classes;
      int best = 0;
      for (int j = 1; j < classes; j++) {
        if (logits[at + j] > logits[at + best]) {
          best = j;
        }
      }
      double w = weights == null ? 1 : weights[r];
      int label = (int) labels[r];
      sums[0] += best == label ? w : 0;
      sums[1] += w;
      if (matrix) {
        sums[2 + label * classes + best] += w;
      }
    }
  }

  /** Adds {@code other}'s sums to this tally's; returns this. */
  public ClassTally merge(ClassTally other) {
    if (other.sums.length != sums.length) {
      throw new IllegalArgumentException("Tallies of " + sums.length + " and " + other.sums.length + " sums do not add.");
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other.sums[i];
    }
    return this;
  }

  /** The weighted share of correct rows, or NaN when no row was counted. */
  public double accuracy() {
    return sums[1] > 0 ? sums[0] / sums[1] : Double.NaN;
  }

  /** The confusion matrix, {@code [true class][predicted class]}; empty when this tally keeps none. */
  public double[][] matrix() {
    if (!hasMatrix()) {
      return new double[0][];
    }
    double[][] m = new double[classes][classes];
    for (int t = 0; t < classes; t++) {
      System.arraycopy(sums, 2 + t * classes, m[t], 0, classes);
    }
    return m;
  }
}
