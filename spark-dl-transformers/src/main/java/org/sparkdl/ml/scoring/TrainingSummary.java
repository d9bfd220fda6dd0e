package org.sparkdl.ml.scoring;

import java.io.Serializable;
import java.util.List;

/**
 * How a fit went, like MLlib's training summaries: the mean training loss of each epoch, the
 * validation loss and metric of each epoch when a validation split was given (accuracy for
 * classifiers, RMSE for regressors), rounds, time, and whether early stopping ended it.
 *
 * @param lossHistory mean weighted training loss per epoch
 * @param validationLossHistory validation loss per epoch (empty without a validation split)
 * @param validationMetricHistory {@link #metricName()} on the validation split per epoch (empty without one)
 * @param metricName {@code accuracy} or {@code rmse}
 * @param rounds synchronisation rounds run (optimizer steps in gradient mode)
 * @param trainingRows rows in the training split
 * @param epochSeconds seconds from the start of the fit to the end of each epoch (validation included)
 * @param seconds wall time of the fit, data preparation included
 * @param bestEpoch the epoch whose parameters the model holds (1-based)
 * @param stoppedEarly whether {@code tol} ended training before {@code maxEpochs}
 * @param warnings what looked wrong during the fit (a diverging loss, a loss stuck at the level of
 *     a uniform guess, classes missing from the data), each with its likely cause; also logged
 */
public record TrainingSummary(List<Double> lossHistory, List<Double> validationLossHistory,
    List<Double> validationMetricHistory, String metricName, long rounds, long trainingRows, List<Double> epochSeconds,
    double seconds,
    int bestEpoch, boolean stoppedEarly, List<String> warnings) implements Serializable {

  public TrainingSummary {
    warnings = List.copyOf(warnings);
    lossHistory = List.copyOf(lossHistory);
    validationLossHistory = List.copyOf(validationLossHistory);
    validationMetricHistory = List.copyOf(validationMetricHistory);
    epochSeconds = List.copyOf(epochSeconds);
  }

  /** A summary without warnings. */
  public TrainingSummary(List<Double> lossHistory, List<Double> validationLossHistory, List<Double> validationMetricHistory,
      String metricName, long rounds, long trainingRows, List<Double> epochSeconds, double seconds, int bestEpoch,
      boolean stoppedEarly) {
    this(lossHistory, validationLossHistory, validationMetricHistory, metricName, rounds, trainingRows, epochSeconds, seconds,
        bestEpoch, stoppedEarly, List.of());
  }

  /** Epochs run. */
  public int epochs() {
    return lossHistory.size();
  }

  /** The loss history as an array, for Python and Scala callers. */
  public double[] objectiveHistory() {
    return lossHistory.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public String toString() {
    return "TrainingSummary(" + epochs() + " epochs, " + rounds + " rounds, final loss "
        + (lossHistory.isEmpty() ? "n/a" : String.format("%.5f", lossHistory.get(lossHistory.size() - 1)))
        + (validationMetricHistory.isEmpty() ? "" : ", validation " + metricName + " "
            + String.format("%.4f", validationMetricHistory.get(validationMetricHistory.size() - 1)))
        + String.format(", %.1f s", seconds) + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning"
            + (warnings.size() == 1 ? "" : "s")) + ")";
  }
}
