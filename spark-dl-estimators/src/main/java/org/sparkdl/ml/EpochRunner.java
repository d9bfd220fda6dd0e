package org.sparkdl.ml;

import org.apache.spark.SparkException;

/**
 * How the epochs of a fit run on the cluster: {@link BarrierEpochs} (one barrier stage an epoch,
 * the tasks synchronising among themselves every step) or, where barrier stages cannot run, {@link
 * RoundEpochs} (one Spark job a round). Both compute the same steps.
 */
interface EpochRunner extends AutoCloseable {
  /**
   * Trains epoch {@code epoch} (1-based) from the driver's state (its network, buffers and
   * optimizer) and leaves the state the epoch ends in there.
   */
  Outcome train(int epoch) throws SparkException;

  /** Ends the fit's work on the cluster (after the last epoch, an early stop, or a failure). */
  @Override
  default void close() {}

  /**
   * The epoch's training loss sums, its validation sums (loss, metric, weights, a classifier's
   * tally) after the epoch (null without a validation split), the share of the workers' step time
   * spent synchronising (NaN where not measured), and a classifier's tally of its training rows as
   * the epoch's steps classified them (null for a regressor), and what each round did (null unless
   * the fit writes a TensorBoard log).
   */
  record Outcome(double lossSum, double weightSum, RoundSum validation, double syncShare,
      org.sparkdl.train.ClassTally trainTally, StepLog steps) {}
}
