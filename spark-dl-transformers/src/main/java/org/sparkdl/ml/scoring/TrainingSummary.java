package org.sparkdl.ml.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How a fit went, like MLlib's training summaries: the mean training loss of each epoch, the
 * validation loss and metric of each epoch when a validation split was given (accuracy for
 * classifiers, RMSE for regressors), rounds, time, and whether early stopping ended it. A
 * classifier's also holds its training accuracy per epoch and a confusion matrix.
 *
 * <p>Accuracy and the confusion matrix weigh each row by its {@code weightCol} weight (1 without
 * one), never by {@code classWeights}, which shape the loss only; without {@code weightCol} the
 * matrix counts rows, and its diagonal over its sum is the accuracy of the same rows.
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
 * @param trainAccuracyHistory a classifier's accuracy on the training rows per epoch, counted from
 *     the forward pass of each training step (so it is the accuracy of the parameters as they were
 *     at each step, with dropout active, like Keras' {@code accuracy}); empty for regressors
 * @param confusionMatrix a classifier's confusion matrix of the last epoch run: rows are the true
 *     classes, columns the predicted ones; see {@link #confusionMatrixSource()}; a 0 x 0 matrix for
 *     regressors, for more than 100 classes, and for models saved before it was recorded
 * @param confusionMatrixSource the rows {@link #confusionMatrix()} counts: {@code validation} (the
 *     validation split, after the last epoch), {@code training} (the training rows, as the last
 *     epoch's steps classified them), or empty when there is no matrix
 */
public record TrainingSummary(List<Double> lossHistory, List<Double> validationLossHistory,
    List<Double> validationMetricHistory, String metricName, long rounds, long trainingRows, List<Double> epochSeconds,
    double seconds,
    int bestEpoch, boolean stoppedEarly, List<String> warnings, List<Double> trainAccuracyHistory, Matrix confusionMatrix,
    String confusionMatrixSource) implements Serializable {

  /** A matrix of no rows: the confusion matrix of a summary that has none. */
  public static final Matrix NO_MATRIX = new DenseMatrix(0, 0, new double[0]);

  public TrainingSummary {
    warnings = List.copyOf(warnings);
    lossHistory = List.copyOf(lossHistory);
    validationLossHistory = List.copyOf(validationLossHistory);
    validationMetricHistory = List.copyOf(validationMetricHistory);
    epochSeconds = List.copyOf(epochSeconds);
    trainAccuracyHistory = List.copyOf(trainAccuracyHistory);
    confusionMatrix = confusionMatrix == null ? NO_MATRIX : confusionMatrix;
    confusionMatrixSource = confusionMatrix.numRows() == 0 ? "" : confusionMatrixSource;
    if (confusionMatrix.numRows() > 0 && !confusionMatrixSource.equals("validation")
        && !confusionMatrixSource.equals("training")) {
      throw new IllegalArgumentException("A confusion matrix comes from the validation or the training rows; found '"
          + confusionMatrixSource + "'.");
    }
  }

  /** A summary without a classifier's accuracy and confusion matrix (a regressor's). */
  public TrainingSummary(List<Double> lossHistory, List<Double> validationLossHistory, List<Double> validationMetricHistory,
      String metricName, long rounds, long trainingRows, List<Double> epochSeconds, double seconds, int bestEpoch,
      boolean stoppedEarly, List<String> warnings) {
    this(lossHistory, validationLossHistory, validationMetricHistory, metricName, rounds, trainingRows, epochSeconds, seconds,
        bestEpoch, stoppedEarly, warnings, List.of(), NO_MATRIX, "");
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

  /** The training accuracy history as an array, for Python and Scala callers (empty for regressors). */
  public double[] trainAccuracies() {
    return trainAccuracyHistory.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Whether this summary holds a confusion matrix. */
  public boolean hasConfusionMatrix() {
    return confusionMatrix.numRows() > 0;
  }

  /**
   * The history as a DataFrame, one row per epoch: {@code epoch} (1-based), {@code loss}, for a
   * classifier {@code trainAccuracy}, with a validation split {@code validationLoss} and the
   * validation metric (a column named {@link #metricName()}), and {@code seconds} from the start of
   * the fit to the epoch's end: the columns of Python's {@code toPandas()}, to query or to save next
   * to other runs' histories. A column the fit did not record (e.g. no validation split) is left out.
   */
  public Dataset<Row> toDataFrame(SparkSession spark) {
    int n = epochs();
    boolean accuracy = trainAccuracyHistory.size() == n && n > 0;
    boolean validation = validationLossHistory.size() == n && n > 0;
    boolean metric = validationMetricHistory.size() == n && n > 0;
    boolean times = epochSeconds.size() == n && n > 0;
    StructType schema = new StructType().add("epoch", DataTypes.IntegerType, false).add("loss", DataTypes.DoubleType, false);
    if (accuracy) {
      schema = schema.add("trainAccuracy", DataTypes.DoubleType, false);
    }
    if (validation) {
      schema = schema.add("validationLoss", DataTypes.DoubleType, false);
    }
    if (metric) {
      schema = schema.add(metricName, DataTypes.DoubleType, false);
    }
    if (times) {
      schema = schema.add("seconds", DataTypes.DoubleType, false);
    }
    List<Row> rows = new ArrayList<>();
    for (int e = 0; e < n; e++) {
      List<Object> values = new ArrayList<>(List.of(e + 1, lossHistory.get(e)));
      if (accuracy) {
        values.add(trainAccuracyHistory.get(e));
      }
      if (validation) {
        values.add(validationLossHistory.get(e));
      }
      if (metric) {
        values.add(validationMetricHistory.get(e));
      }
      if (times) {
        values.add(epochSeconds.get(e));
      }
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, schema);
  }

  /** The loss history as an array, for Python and Scala callers. */
  public double[] objectiveHistory() {
    return lossHistory.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public String toString() {
    return "TrainingSummary(" + epochs() + " epochs, " + rounds + " rounds, final loss "
        + (lossHistory.isEmpty() ? "n/a" : String.format("%.5f", lossHistory.get(lossHistory.size() - 1)))
        + (trainAccuracyHistory.isEmpty() ? "" : ", train accuracy "
            + String.format("%.4f", trainAccuracyHistory.get(trainAccuracyHistory.size() - 1)))
        + (validationMetricHistory.isEmpty() ? "" : ", validation " + metricName + " "
            + String.format("%.4f", validationMetricHistory.get(validationMetricHistory.size() - 1)))
        + String.format(", %.1f s", seconds) + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning"
            + (warnings.size() == 1 ? "" : "s")) + ")";
  }
}
