package org.sparkdl.ml;

import org.sparkdl.ml.param.NetworkParamSet;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.spec.NetworkSpec;

/**
 * The fluent setters of every {@link NeuralNetworkParams} param, written once for both
 * estimators: {@code S} is the estimator's own type, so {@code new NeuralNetworkClassifier()
 * .setLayers(784, 128, 10).setMaxEpochs(20)} keeps its type.
 *
 * @param <S> the implementing estimator
 */
public interface NeuralNetworkSetters<S extends NeuralNetworkSetters<S>> extends NeuralNetworkParams {
  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  default S setNetwork(String json) {
    NetworkSpec.fromJson(json);
    set(network(), json);
    return self();
  }

  default S setNetwork(NetworkSpec spec) {
    set(network(), spec.toJson());
    return self();
  }

  default S setLayers(int... sizes) {
    check(NetworkParamSet.layersProblem(sizes));
    set(layers(), sizes);
    return self();
  }

  default S setHiddenActivation(String v) {
    set(hiddenActivation(), v);
    return self();
  }

  default S setOptimizer(String v) {
    set(optimizer(), v);
    return self();
  }

  default S setLearningRate(double v) {
    set(learningRate(), v);
    return self();
  }

  default S setWeightDecay(double v) {
    set(weightDecay(), v);
    return self();
  }

  default S setClipNorm(double v) {
    set(clipNorm(), v);
    return self();
  }

  default S setLearningRateSchedule(String v) {
    String problem = NetworkParamSet.scheduleProblem(v);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    set(learningRateSchedule(), v);
    return self();
  }

  default S setBatchSize(int v) {
    set(batchSize(), v);
    return self();
  }

  default S setMaxEpochs(int v) {
    set(maxEpochs(), v);
    return self();
  }

  default S setTol(double v) {
    set(tol(), v);
    return self();
  }

  default S setSeed(long v) {
    set(seed(), v);
    return self();
  }

  default S setWeightCol(String v) {
    set(weightCol(), v);
    return self();
  }

  default S setValidationIndicatorCol(String v) {
    set(validationIndicatorCol(), v);
    return self();
  }

  default S setSyncMode(String v) {
    set(syncMode(), v);
    return self();
  }

  default S setLocalSteps(int v) {
    set(localSteps(), v);
    return self();
  }

  default S setAggregationDepth(int v) {
    set(aggregationDepth(), v);
    return self();
  }

  default S setNumWorkers(int v) {
    set(numWorkers(), v);
    return self();
  }

  default S setBackend(String v) {
    set(backend(), v);
    return self();
  }

  default S setValidateInput(boolean v) {
    set(validateInput(), v);
    return self();
  }

  default S setCheckpointDir(String v) {
    set(checkpointDir(), v);
    return self();
  }

  default S setCheckpointInterval(int v) {
    set(checkpointInterval(), v);
    return self();
  }

  /** Sets the per-row shape of the network's first input, e.g. {@code setInputShape(1, 28, 28)}; empty for the network's own. */
  default S setInputShape(int... shape) {
    check(NetworkParamSet.inputShapeProblem(shape));
    set(inputShape(), shape);
    return self();
  }

  /** Sets the per-channel means, e.g. {@code setChannelMean(0.1307)}; empty for none. */
  default S setChannelMean(double... mean) {
    check(NetworkParamSet.channelProblem("channelMean", mean, false));
    set(channelMean(), mean);
    return self();
  }

  /** Sets the per-channel standard deviations (each &gt; 0), e.g. {@code setChannelStd(0.3081)}; empty for none. */
  default S setChannelStd(double... std) {
    check(NetworkParamSet.channelProblem("channelStd", std, true));
    set(channelStd(), std);
    return self();
  }

  private static void check(String problem) {
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }
}
