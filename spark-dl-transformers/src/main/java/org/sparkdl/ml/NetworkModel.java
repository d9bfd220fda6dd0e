package org.sparkdl.ml;

import java.util.Optional;
import org.sparkdl.ml.scoring.ModelData;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;

/**
 * What every spark-dl model offers about the network it scores with, whatever Spark model class it
 * extends (a classifier and a regressor extend different ones, so this is an interface over
 * {@link #modelData()} rather than a shared superclass).
 */
public interface NetworkModel {
  /** The model's uid (Spark's {@code Identifiable}). */
  String uid();

  /** The network and weights this model scores with. */
  ModelData modelData();

  /**
   * The summary of the fit that produced this model, or empty: a model fitted in this session has
   * one, and a loaded model the one its save recorded (models saved by spark-dl before summaries
   * were saved have none).
   */
  Optional<TrainingSummary> summaryIfAny();

  /** Whether this model has a training summary ({@link #summaryIfAny()}). */
  default boolean hasSummary() {
    return summaryIfAny().isPresent();
  }

  /**
   * The training summary, saved and loaded with the model.
   *
   * @throws IllegalStateException when it has none ({@link #hasSummary()})
   */
  default TrainingSummary summary() {
    return summaryIfAny().orElseThrow(() -> new IllegalStateException("No training summary for model " + uid()
        + ": it was not fitted in this session, and its save (if any) recorded none."));
  }

  /** The network's spec. */
  default NetworkSpec spec() {
    return modelData().spec();
  }

  /** The flat parameters (a copy). */
  default float[] weights() {
    return modelData().weights().clone();
  }

  /** The flat buffers, e.g. batch normalisation's running statistics (a copy; empty for their initial values). */
  default float[] buffers() {
    return modelData().buffers().clone();
  }

  /**
   * A table of the network's layers, as Keras' {@code summary()} prints it: each layer's name,
   * type, output shape and parameter count, then the totals ({@code summary()} is the training
   * summary, as in Spark ML).
   */
  default String describe() {
    modelData().requireNetwork(uid());
    return Network.describe(spec());
  }
}
