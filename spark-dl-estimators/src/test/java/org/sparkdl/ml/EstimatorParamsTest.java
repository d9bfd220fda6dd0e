package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.NetworkParamSamples;
import org.sparkdl.testkit.ParamsContract;

/** The params of both estimators: the shared contract, fluent setters, and what each setter refuses. */
class EstimatorParamsTest {

  static String rejected(Executable setter) {
    return assertThrows(IllegalArgumentException.class, setter).getMessage();
  }

  @Test
  void theClassifierHonoursTheParamsContract() {
    ParamsContract contract = ParamsContract.of(new NeuralNetworkClassifier("nnClf_c")).settersForAll()
        .sample("featuresCol", "f").sample("labelCol", "y").sample("predictionCol", "pred")
        .sample("rawPredictionCol", "raw").sample("probabilityCol", "prob").sample("thresholds", new double[] {0.2, 0.3, 0.5});
    org.sparkdl.ml.param.ParamTable.samples().forEach(contract::sample);
    NetworkParamSamples.addTo(contract).check();
  }

  @Test
  void theRegressorHonoursTheParamsContract() {
    ParamsContract contract = ParamsContract.of(new NeuralNetworkRegressor("nnReg_c")).settersForAll().declares("loss")
        .sample("featuresCol", "f").sample("labelCol", "y").sample("predictionCol", "pred").sample("loss", "huber:0.5");
    org.sparkdl.ml.param.ParamTable.samples().forEach(contract::sample);
    NetworkParamSamples.addTo(contract).check();
  }

  @Test
  void settersChainWithTheEstimatorsOwnType() {
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier();
    NeuralNetworkClassifier same = clf.setLayers(784, 128, 10).setMaxEpochs(20).setOptimizer("adamw").setFeaturesCol("pixels");
    assertSame(clf, same);
    assertEquals(20, clf.getMaxEpochs());
    assertEquals("pixels", clf.getFeaturesCol());
    NeuralNetworkRegressor reg = new NeuralNetworkRegressor();
    assertSame(reg, reg.setLayers(13, 64, 1).setLoss("huber").setSyncMode("average").setLocalSteps(4));
    assertTrue(new NeuralNetworkClassifier().uid().startsWith("nnClf_"));
    assertTrue(new NeuralNetworkRegressor().uid().startsWith("nnReg_"));
  }

  @Test
  void layersWithAZeroOrTooFewSizesAreRefusedWithTheReason() {
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier();
    assertEquals("Param layers [784, 0, 10] is invalid: every size must be > 0.", rejected(() -> clf.setLayers(784, 0, 10)));
    assertEquals("Param layers [784] is invalid: at least 2 sizes (input and output) are needed.", rejected(() -> clf.setLayers(784)));
    assertEquals("Param learningRateSchedule 'cosine' is invalid; expected constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>.",
        rejected(() -> clf.setLearningRateSchedule("cosine")));
    assertFalse(clf.isSet(clf.layers()));
    assertFalse(clf.isSet(clf.learningRateSchedule()));
  }

  @Test
  void shapesAndChannelStatisticsAreRefusedWithTheReason() {
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier();
    assertEquals("Param inputShape [1, -28, 28] is invalid: at most 8 dimensions, each > 0.",
        rejected(() -> clf.setInputShape(1, -28, 28)));
    assertEquals("Param channelStd [0.5, -1.0] is invalid: every value must be finite and > 0.",
        rejected(() -> clf.setChannelStd(0.5, -1)));
    assertEquals("Param channelMean [NaN] is invalid: every value must be finite.", rejected(() -> clf.setChannelMean(Double.NaN)));
    assertFalse(clf.isSet(clf.inputShape()));
    assertFalse(clf.isSet(clf.channelStd()));
    assertFalse(clf.isSet(clf.channelMean()));
    assertArrayEquals(new int[] {1, 28, 28}, clf.setInputShape(1, 28, 28).getInputShape());
    assertArrayEquals(new int[0], clf.setInputShape().getInputShape());
  }

  @Test
  void otherInvalidValuesAreRefusedBySparksValidators() {
    NeuralNetworkClassifier c = new NeuralNetworkClassifier("nnClf_v");
    assertEquals("nnClf_v parameter learningRate given invalid value 0.0.", rejected(() -> c.setLearningRate(0)));
    assertEquals("nnClf_v parameter batchSize given invalid value 0.", rejected(() -> c.setBatchSize(0)));
    assertEquals("nnClf_v parameter maxEpochs given invalid value 0.", rejected(() -> c.setMaxEpochs(0)));
    assertEquals("nnClf_v parameter tol given invalid value -0.1.", rejected(() -> c.setTol(-0.1)));
    assertEquals("nnClf_v parameter weightDecay given invalid value -1.0.", rejected(() -> c.setWeightDecay(-1)));
    assertEquals("nnClf_v parameter clipNorm given invalid value -1.0.", rejected(() -> c.setClipNorm(-1)));
    assertEquals("nnClf_v parameter optimizer given invalid value lbfgs.", rejected(() -> c.setOptimizer("lbfgs")));
    assertEquals("nnClf_v parameter hiddenActivation given invalid value softplus.", rejected(() -> c.setHiddenActivation("softplus")));
    assertEquals("nnClf_v parameter syncMode given invalid value allreduce.", rejected(() -> c.setSyncMode("allreduce")));
    assertEquals("nnClf_v parameter localSteps given invalid value 0.", rejected(() -> c.setLocalSteps(0)));
    assertEquals("nnClf_v parameter aggregationDepth given invalid value 1.", rejected(() -> c.setAggregationDepth(1)));
    assertEquals("nnClf_v parameter numWorkers given invalid value -1.", rejected(() -> c.setNumWorkers(-1)));
    assertEquals("nnClf_v parameter backend given invalid value tpu.", rejected(() -> c.setBackend("tpu")));
    assertEquals("nnClf_v parameter checkpointInterval given invalid value 0.", rejected(() -> c.setCheckpointInterval(0)));
    assertEquals("nnClf_v parameter thresholds given invalid value [0.0,0.0,1.0].",
        rejected(() -> c.setThresholds(new double[] {0, 0, 1})));
    for (var p : c.params()) {
      assertFalse(c.isSet(p), p.name() + " was set by a refused value");
    }
  }

  @Test
  void aNetworkThatDoesNotParseIsRefusedWhenSet() {
    NeuralNetworkClassifier c = new NeuralNetworkClassifier();
    assertEquals("Malformed network JSON at line 1, column 13: Unexpected end-of-input: expected close marker for Array"
        + " (start marker at [line: 1, column: 12])", rejected(() -> c.setNetwork("{\"inputs\": [")));
    assertFalse(c.isSet(c.network()));
    NetworkSpec spec = NetworkSpec.mlp(new int[] {4, 3}, "relu");
    assertEquals(spec.toJson(), c.setNetwork(spec).getNetwork());
    assertEquals(spec, c.resolveNetwork());
  }

  @Test
  void theRegressorRefusesUnknownAndClassificationLosses() {
    NeuralNetworkRegressor r = new NeuralNetworkRegressor();
    assertEquals("mse", r.getLoss());
    assertEquals("Loss 'softmax_cross_entropy' is for classification; a regressor takes mse or huber[:delta].",
        rejected(() -> r.setLoss("softmax_cross_entropy")));
    assertEquals("Unknown loss 'mae'; known: softmax_cross_entropy, binary_cross_entropy, mse, huber[:delta].",
        rejected(() -> r.setLoss("mae")));
    assertEquals("Loss 'huber:x': the Huber delta must be a number, e.g. huber:0.5.", rejected(() -> r.setLoss("huber:x")));
    assertEquals("huber:2", r.setLoss("huber:2").getLoss());
  }

  @Test
  void copyKeepsTheUidAndAppliesExtras() {
    NeuralNetworkClassifier c = new NeuralNetworkClassifier("nnClf_k").setLayers(4, 8, 3).setSeed(5);
    NeuralNetworkClassifier copy = c.copy(new ParamMap().put(c.maxEpochs(), 3));
    assertEquals("nnClf_k", copy.uid());
    assertEquals(3, copy.getMaxEpochs());
    assertEquals(10, c.getMaxEpochs());
    assertEquals(5L, copy.getSeed());
    assertEquals("NeuralNetworkClassifier: uid=nnClf_k", copy.toString());
  }
}
