package org.sparkdl.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a fit for the ways it goes silently wrong, on the driver, from what it already has: the
 * loss of each epoch and the class counts of the training rows. Each finding is logged once at WARN
 * and kept for the training summary, worded with its likely cause.
 *
 * <ul>
 *   <li><b>Divergence</b>: an epoch's loss 100 times or more above the starting level (for a
 *       classifier, the loss of a uniform guess, {@code ln(classes)}, which an initialised network
 *       starts near; for a regressor, the first epoch's loss). With {@code stopOnDivergence} the fit
 *       stops with that message instead.
 *   <li><b>No learning</b>: a classifier whose loss stays within 3% of the uniform guess for two
 *       epochs in a row.
 *   <li><b>Missing classes</b>: training rows of fewer distinct classes than the network outputs.
 *   <li><b>Feature scales</b>: a {@code Vector} column whose features' largest values differ by more
 *       than {@value #SPAN} times, or reach {@value #HUGE} (float32 sums overflow).
 * </ul>
 */
final class TrainingWatch {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingWatch.class);
  /** How far above its starting level a loss has diverged. */
  static final double DIVERGED = 100;
  /** How close to the uniform guess a classifier's loss is stuck. */
  static final double STUCK = 0.03;

  private final String who;
  private final DistributedTrainer.Objective objective;
  private final double learningRate;
  private final boolean stop;
  private final List<String> warnings = new ArrayList<>();
  private double start = Double.NaN;
  private boolean divergenceSaid;
  private boolean stuckSaid;
  private double previous = Double.NaN;

  TrainingWatch(String who, DistributedTrainer.Objective objective, double learningRate, boolean stopOnDivergence) {
    this.who = who;
    this.objective = objective;
    this.learningRate = learningRate;
    this.stop = stopOnDivergence;
    if (objective.classification()) {
      start = Math.log(objective.numClasses());
    }
  }

  /**
   * Looks at epoch {@code epoch}'s finite training loss.
   *
   * @throws IllegalStateException when the loss diverged and {@code stopOnDivergence} is set
   */
  void epoch(int epoch, double loss) {
    if (Double.isNaN(start)) {
      start = loss;
    }
    if (!divergenceSaid && start > 0 && loss >= DIVERGED * start) {
      divergenceSaid = true;
      String message = String.format(Locale.ROOT, "%s: the training loss reached %.4g in epoch %d, %.3g times its starting"
          + " level (%.4g%s): training is diverging. Likely causes: learningRate %.3g is too high for this network, or the"
          + " features are on very different scales (standardize them). Lower learningRate, set clipNorm, or set"
          + " stopOnDivergence to stop such fits.", who, loss, epoch, loss / start, start, objective.classification()
          ? ", a uniform guess over " + objective.numClasses() + " classes" : ", the first epoch's", learningRate);
      if (stop) {
        throw new IllegalStateException(message + " Stopped: stopOnDivergence is set.");
      }
      warn(message);
    }
    if (objective.classification() && !stuckSaid && !divergenceSaid && near(loss) && near(previous)) {
      stuckSaid = true;
      warn(String.format(Locale.ROOT, "%s: the training loss is %.4f after epoch %d, within %.0f%% of a uniform guess over %d"
          + " classes (ln %d = %.4f) for two epochs: the network is not learning. Likely causes: labels unrelated to the"
          + " features, a learningRate (%s) too low or too high, or features on very different scales.", who, loss, epoch,
          100 * STUCK, objective.numClasses(), objective.numClasses(), Math.log(objective.numClasses()), learningRate));
    }
    previous = loss;
  }

  private boolean near(double loss) {
    double uniform = Math.log(objective.numClasses());
    return Math.abs(loss - uniform) <= STUCK * uniform;
  }

  /** Looks at the training rows per class of a classifier ({@code counts[c]}: rows of class c). */
  void classes(long[] counts) {
    int present = 0;
    for (long c : counts) {
      present += c > 0 ? 1 : 0;
    }
    if (present == counts.length) {
      return;
    }
    StringBuilder shown = new StringBuilder();
    for (int c = 0; c < counts.length && c < 20; c++) {
      shown.append(c == 0 ? "" : ", ").append(c).append(": ").append(counts[c]);
    }
    if (counts.length > 20) {
      shown.append(", ...");
    }
    warn(String.format(Locale.ROOT, "%s: the training rows hold %d of the %d classes the network outputs (rows per class:"
        + " %s).%s", who, present, counts.length, shown, present <= 1 ? " With a single class the model learns to predict"
        + " it for every row." : " The missing classes are never predicted; check the labels or the network's output"
        + " width."));
  }

  /** A largest |value| this far above float32's reach makes a layer's sums overflow. */
  static final double HUGE = 1e18;
  /** Features whose largest values differ by more than this factor are worth standardizing. */
  static final double SPAN = 1e4;

  /**
   * Looks at the largest |value| of each feature of column {@code column} over the training rows
   * ({@code largest[j]}; one value when the column was too wide to measure per feature).
   */
  void featureScale(String column, double[] largest) {
    int top = -1;
    int bottom = -1;
    for (int j = 0; j < largest.length; j++) {
      if (largest[j] > 0) {
        top = top < 0 || largest[j] > largest[top] ? j : top;
        bottom = bottom < 0 || largest[j] < largest[bottom] ? j : bottom;
      }
    }
    if (top < 0) {
      return;
    }
    if (largest[top] >= HUGE) {
      warn(String.format(Locale.ROOT, "%s: column '%s' holds values as large as %.3g%s; sums of such values overflow"
          + " float32 arithmetic (the loss becomes infinite or NaN). Scale the features (e.g. StandardScaler or"
          + " MinMaxScaler).", who, column, largest[top], largest.length > 1 ? " (feature " + top + ")" : ""));
    } else if (largest.length > 1 && largest[top] > SPAN * largest[bottom]) {
      warn(String.format(Locale.ROOT, "%s: the features of column '%s' have very different scales: feature %d reaches"
          + " %.3g, feature %d only %.3g (largest |value| of each). Standardize them (e.g. StandardScaler): the network"
          + " trains faster and more stably.", who, column, top, largest[top], bottom, largest[bottom]));
    }
  }

  private void warn(String message) {
    LOG.warn(message);
    warnings.add(message);
  }

  /** What was found, in order. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }
}
