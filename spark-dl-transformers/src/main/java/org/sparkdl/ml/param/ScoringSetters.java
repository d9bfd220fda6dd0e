package org.sparkdl.ml.param;

/**
 * The fluent setters of the params that a model may change for scoring (backend, input checks,
 * input shape and normalisation: {@link ParamTable.Scope#SCORING}), generated from {@link
 * ParamTable} and shared by both models and, through {@code NeuralNetworkSetters}, both
 * estimators. {@code S} is the implementing stage's own type, so chained calls keep it.
 *
 * @param <S> the implementing stage
 */
public interface ScoringSetters<S extends ScoringSetters<S>> extends NeuralNetworkParams {
  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  // @generated-begin ParamCodeGen setters
  /** Sets {@link #backend()}. The tensor backend: auto, cpu or cuda. */
  default S setBackend(String v) {
    set(backend(), v);
    return self();
  }

  /** Sets {@link #validateInput()}. Whether every row is checked for nulls, NaN and wrong sizes. */
  default S setValidateInput(boolean v) {
    set(validateInput(), v);
    return self();
  }

  /** Sets {@link #inputShape()}. The per-row shape of the network's first input (empty for the network's own). */
  default S setInputShape(int... v) {
    NetworkParamSet.check("inputShape", v);
    set(inputShape(), v);
    return self();
  }

  /** Sets {@link #channelMean()}. The per-channel means subtracted from the features (empty for none). */
  default S setChannelMean(double... v) {
    NetworkParamSet.check("channelMean", v);
    set(channelMean(), v);
    return self();
  }

  /** Sets {@link #channelStd()}. The per-channel standard deviations the features are divided by (empty for none). */
  default S setChannelStd(double... v) {
    NetworkParamSet.check("channelStd", v);
    set(channelStd(), v);
    return self();
  }
  // @generated-end
}
