package org.sparkdl.ml;

import org.sparkdl.ml.param.NetworkParamSet;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.ml.param.ScoringSetters;
import org.sparkdl.spec.NetworkSpec;

/**
 * The fluent setters of every {@link NeuralNetworkParams} param (generated from {@code ParamTable}), written once for both
 * estimators: {@code S} is the estimator's own type, so {@code new NeuralNetworkClassifier()
 * .setLayers(784, 128, 10).setMaxEpochs(20)} keeps its type.
 *
 * @param <S> the implementing estimator
 */
public interface NeuralNetworkSetters<S extends NeuralNetworkSetters<S>> extends ScoringSetters<S> {
  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  /** Sets {@link #network()} from a spec. */
  default S setNetwork(NetworkSpec spec) {
    set(network(), spec.toJson());
    return self();
  }

  // @generated-begin ParamCodeGen setters
  /** Sets {@link #network()}. The network as JSON (NetworkSpec format). */
  default S setNetwork(String v) {
    NetworkParamSet.check("network", v);
    set(network(), v);
    return self();
  }

  /** Sets {@link #layers()}. Layer sizes of the MLP shorthand, input to output, e.g. [784, 128, 10]. */
  default S setLayers(int... v) {
    NetworkParamSet.check("layers", v);
    set(layers(), v);
    return self();
  }

  /** Sets {@link #hiddenActivation()}. Activation between the layers of the layers shorthand. */
  default S setHiddenActivation(String v) {
    set(hiddenActivation(), v);
    return self();
  }

  /** Sets {@link #optimizer()}. The optimizer: sgd, adam, adamw or rmsprop. */
  default S setOptimizer(String v) {
    set(optimizer(), v);
    return self();
  }

  /** Sets {@link #learningRate()}. The base learning rate. */
  default S setLearningRate(double v) {
    set(learningRate(), v);
    return self();
  }

  /** Sets {@link #weightDecay()}. The weight decay. */
  default S setWeightDecay(double v) {
    set(weightDecay(), v);
    return self();
  }

  /** Sets {@link #clipNorm()}. The global gradient-norm clip (0: off). */
  default S setClipNorm(double v) {
    set(clipNorm(), v);
    return self();
  }

  /** Sets {@link #learningRateSchedule()}. The learning-rate schedule. */
  default S setLearningRateSchedule(String v) {
    NetworkParamSet.check("learningRateSchedule", v);
    set(learningRateSchedule(), v);
    return self();
  }

  /** Sets {@link #batchSize()}. Rows per optimizer step over all workers. */
  default S setBatchSize(int v) {
    set(batchSize(), v);
    return self();
  }

  /** Sets {@link #maxEpochs()}. Passes over the training data. */
  default S setMaxEpochs(int v) {
    set(maxEpochs(), v);
    return self();
  }

  /** Sets {@link #tol()}. The early-stopping tolerance (0: off). */
  default S setTol(double v) {
    set(tol(), v);
    return self();
  }

  /** Sets {@link #minDelta()}. The smallest absolute improvement that counts for early stopping (0: off). */
  default S setMinDelta(double v) {
    set(minDelta(), v);
    return self();
  }

  /** Sets {@link #monitor()}. What early stopping and the kept epoch watch: auto, loss, validationLoss or validationMetric. */
  default S setMonitor(String v) {
    set(monitor(), v);
    return self();
  }

  /** Sets {@link #patience()}. Epochs in a row below tol or minDelta before early stopping. */
  default S setPatience(int v) {
    set(patience(), v);
    return self();
  }

  /** Sets {@link #seed()}. The random seed. */
  default S setSeed(long v) {
    set(seed(), v);
    return self();
  }

  /** Sets {@link #weightCol()}. The per-row weight column (empty for none). */
  default S setWeightCol(String v) {
    set(weightCol(), v);
    return self();
  }

  /** Sets {@link #classWeights()}. Per-class loss weights (classifiers): balanced, comma-separated weights, or empty for none. */
  default S setClassWeights(String v) {
    NetworkParamSet.check("classWeights", v);
    set(classWeights(), v);
    return self();
  }

  /** Sets {@link #validationIndicatorCol()}. The validation indicator column (empty for none). */
  default S setValidationIndicatorCol(String v) {
    set(validationIndicatorCol(), v);
    return self();
  }

  /** Sets {@link #stopOnDivergence()}. Whether a diverging fit stops with an error. */
  default S setStopOnDivergence(boolean v) {
    set(stopOnDivergence(), v);
    return self();
  }

  /** Sets {@link #validationFraction()}. The fraction of rows held out at random for validation (0: none). */
  default S setValidationFraction(double v) {
    NetworkParamSet.check("validationFraction", v);
    set(validationFraction(), v);
    return self();
  }

  /** Sets {@link #syncMode()}. How workers synchronise: gradient or average. */
  default S setSyncMode(String v) {
    set(syncMode(), v);
    return self();
  }

  /** Sets {@link #localSteps()}. Local steps per round in average mode. */
  default S setLocalSteps(int v) {
    set(localSteps(), v);
    return self();
  }

  /** Sets {@link #aggregationDepth()}. Depth of the treeAggregate. */
  default S setAggregationDepth(int v) {
    set(aggregationDepth(), v);
    return self();
  }

  /** Sets {@link #numWorkers()}. Data-parallel workers (0: chosen by the fit). */
  default S setNumWorkers(int v) {
    set(numWorkers(), v);
    return self();
  }

  /** Sets {@link #featuresLayout()}. How the features reach the network's first input: auto, sparse or dense. */
  default S setFeaturesLayout(String v) {
    set(featuresLayout(), v);
    return self();
  }

  /** Sets {@link #checkpointDir()}. The checkpoint directory (empty for none). */
  default S setCheckpointDir(String v) {
    set(checkpointDir(), v);
    return self();
  }

  /** Sets {@link #checkpointInterval()}. Epochs between checkpoints. */
  default S setCheckpointInterval(int v) {
    set(checkpointInterval(), v);
    return self();
  }

  /** Sets {@link #logDir()}. The TensorBoard log directory (empty for none). */
  default S setLogDir(String v) {
    set(logDir(), v);
    return self();
  }

  /** Sets {@link #initialModel()}. A saved model whose weights start the fit (empty for none). */
  default S setInitialModel(String v) {
    set(initialModel(), v);
    return self();
  }

  /** Sets {@link #frozenLayers()}. Layers that keep their weights in the fit, comma-separated. */
  default S setFrozenLayers(String v) {
    set(frozenLayers(), v);
    return self();
  }
  // @generated-end
}
