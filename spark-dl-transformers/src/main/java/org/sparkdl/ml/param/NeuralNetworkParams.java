package org.sparkdl.ml.param;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;

/**
 * The params every spark-dl estimator and model shares, with their getters. The params themselves
 * are built once by {@link NetworkParamSet}; this interface gives the public accessors Spark finds by
 * reflection, and the getters.
 *
 * <p>Spark's own params ({@code featuresCol}, {@code labelCol}, {@code predictionCol}, ...) come
 * from the Spark base classes.
 */
public interface NeuralNetworkParams extends Params {
  /** The params themselves; each implementing class builds one in its constructor. */
  NetworkParamSet networkParams();

  /** The network as JSON (the {@link NetworkSpec} format); takes precedence over {@link #layers()}. */
  default Param<String> network() {
    return networkParams().network;
  }

  /** Layer sizes, input to output: the MLlib {@code MultilayerPerceptronClassifier} shorthand. */
  default IntArrayParam layers() {
    return networkParams().layers;
  }

  /** Activation between the layers of {@link #layers()}. */
  default Param<String> hiddenActivation() {
    return networkParams().hiddenActivation;
  }

  default Param<String> optimizer() {
    return networkParams().optimizer;
  }

  default DoubleParam learningRate() {
    return networkParams().learningRate;
  }

  default DoubleParam weightDecay() {
    return networkParams().weightDecay;
  }

  default DoubleParam clipNorm() {
    return networkParams().clipNorm;
  }

  default Param<String> learningRateSchedule() {
    return networkParams().learningRateSchedule;
  }

  default IntParam batchSize() {
    return networkParams().batchSize;
  }

  default IntParam maxEpochs() {
    return networkParams().maxEpochs;
  }

  default DoubleParam tol() {
    return networkParams().tol;
  }

  default LongParam seed() {
    return networkParams().seed;
  }

  default Param<String> weightCol() {
    return networkParams().weightCol;
  }

  default Param<String> validationIndicatorCol() {
    return networkParams().validationIndicatorCol;
  }

  default Param<String> syncMode() {
    return networkParams().syncMode;
  }

  default IntParam localSteps() {
    return networkParams().localSteps;
  }

  default IntParam aggregationDepth() {
    return networkParams().aggregationDepth;
  }

  default IntParam numWorkers() {
    return networkParams().numWorkers;
  }

  default Param<String> backend() {
    return networkParams().backend;
  }

  default BooleanParam validateInput() {
    return networkParams().validateInput;
  }

  default Param<String> checkpointDir() {
    return networkParams().checkpointDir;
  }

  default IntParam checkpointInterval() {
    return networkParams().checkpointInterval;
  }

  default String getNetwork() {
    return getOrDefault(network());
  }

  default int[] getLayers() {
    return getOrDefault(layers());
  }

  default String getHiddenActivation() {
    return getOrDefault(hiddenActivation());
  }

  default String getOptimizer() {
    return getOrDefault(optimizer());
  }

  default double getLearningRate() {
    return (Double) getOrDefault(learningRate());
  }

  default double getWeightDecay() {
    return (Double) getOrDefault(weightDecay());
  }

  default double getClipNorm() {
    return (Double) getOrDefault(clipNorm());
  }

  default String getLearningRateSchedule() {
    return getOrDefault(learningRateSchedule());
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default int getMaxEpochs() {
    return (Integer) getOrDefault(maxEpochs());
  }

  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default String getWeightCol() {
    return getOrDefault(weightCol());
  }

  default String getValidationIndicatorCol() {
    return getOrDefault(validationIndicatorCol());
  }

  default String getSyncMode() {
    return getOrDefault(syncMode());
  }

  default int getLocalSteps() {
    return (Integer) getOrDefault(localSteps());
  }

  default int getAggregationDepth() {
    return (Integer) getOrDefault(aggregationDepth());
  }

  default int getNumWorkers() {
    return (Integer) getOrDefault(numWorkers());
  }

  default String getBackend() {
    return getOrDefault(backend());
  }

  default boolean getValidateInput() {
    return (Boolean) getOrDefault(validateInput());
  }

  default String getCheckpointDir() {
    return getOrDefault(checkpointDir());
  }

  default int getCheckpointInterval() {
    return (Integer) getOrDefault(checkpointInterval());
  }

  /**
   * The network these params describe for {@code inputWidth} features and {@code outputWidth}
   * outputs: the {@code network} JSON when set, else an MLP of {@code layers}.
   *
   * @throws IllegalArgumentException when neither is usable, or the spec's widths disagree
   */
  default NetworkSpec resolveNetwork() {
    if (isDefined(network()) && !getNetwork().isEmpty()) {
      return NetworkSpec.fromJson(getNetwork());
    }
    if (!isDefined(layers())) {
      throw new IllegalArgumentException("Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.");
    }
    return NetworkSpec.mlp(getLayers(), getHiddenActivation());
  }

  /** The optimizer these params describe. */
  default OptimizerSpec resolveOptimizer() {
    return OptimizerSpec.of(getOptimizer(), getLearningRate())
        .withWeightDecay(getWeightDecay())
        .withClipNorm(getClipNorm())
        .withSchedule(getLearningRateSchedule());
  }
}
