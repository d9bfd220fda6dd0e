package org.sparkdl.ml.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;
import org.sparkdl.ml.scoring.NeuralNetworkRegressionModel;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;

class NetworkParamSetTest {

  static NeuralNetworkRegressionModel stage() {
    return new NeuralNetworkRegressionModel("nnReg_p", NetworkSpec.mlp(new int[] {2, 1}, "relu"), new float[3]);
  }

  @Test
  void explainsWhyLayerSizesAreInvalid() {
    assertEquals("Param layers [784, 0, 10] is invalid: every size must be > 0.", NetworkParamSet.layersProblem(new int[] {784, 0, 10}));
    assertEquals("Param layers [5, -1] is invalid: every size must be > 0.", NetworkParamSet.layersProblem(new int[] {5, -1}));
    assertEquals("Param layers [784] is invalid: at least 2 sizes (input and output) are needed.",
        NetworkParamSet.layersProblem(new int[] {784}));
    assertEquals("Param layers null is invalid: at least 2 sizes (input and output) are needed.", NetworkParamSet.layersProblem(null));
    assertNull(NetworkParamSet.layersProblem(new int[] {784, 128, 10}));
  }

  @Test
  void explainsWhyASchedulesIsInvalid() {
    assertEquals("Param learningRateSchedule 'cosine' is invalid; expected constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>.",
        NetworkParamSet.scheduleProblem("cosine"));
    assertNull(NetworkParamSet.scheduleProblem("warmup:100+cosine:1000:0.1"));
    assertNull(NetworkParamSet.scheduleProblem("step:10:0.5"));
  }

  @Test
  void validatorsRejectInvalidValuesWhereverTheyAreSet() {
    NeuralNetworkRegressionModel m = stage();
    assertEquals("nnReg_p parameter layers given invalid value [4,0,2].",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.layers(), new int[] {4, 0, 2})).getMessage());
    assertEquals("nnReg_p parameter learningRate given invalid value 0.0.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.learningRate(), 0.0)).getMessage());
    assertEquals("nnReg_p parameter optimizer given invalid value lbfgs.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.optimizer(), "lbfgs")).getMessage());
    assertEquals("nnReg_p parameter learningRateSchedule given invalid value linear.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.learningRateSchedule(), "linear")).getMessage());
    assertEquals("nnReg_p parameter aggregationDepth given invalid value 1.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.aggregationDepth(), 1)).getMessage());
    assertEquals("nnReg_p parameter backend given invalid value tpu.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.backend(), "tpu")).getMessage());
  }

  @Test
  void theNetworkJsonTakesPrecedenceOverLayers() {
    NeuralNetworkRegressionModel m = stage();
    assertEquals("Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.",
        assertThrows(IllegalArgumentException.class, m::resolveNetwork).getMessage());
    NeuralNetworkRegressionModel withLayers = m.copy(new ParamMap().put(m.layers(), new int[] {3, 5, 1})
        .put(m.hiddenActivation(), "tanh"));
    assertEquals(NetworkSpec.mlp(new int[] {3, 5, 1}, "tanh"), withLayers.resolveNetwork());
    NetworkSpec other = NetworkSpec.mlp(new int[] {6, 2}, "relu");
    NeuralNetworkRegressionModel both = withLayers.copy(new ParamMap().put(m.network(), other.toJson()));
    assertEquals(other, both.resolveNetwork());
    NeuralNetworkRegressionModel emptyJson = withLayers.copy(new ParamMap().put(m.network(), ""));
    assertEquals(NetworkSpec.mlp(new int[] {3, 5, 1}, "tanh"), emptyJson.resolveNetwork());
  }

  @Test
  void theOptimizerFollowsTheParams() {
    NeuralNetworkRegressionModel m = stage();
    assertEquals(OptimizerSpec.of("adam", 1e-3), m.resolveOptimizer());
    NeuralNetworkRegressionModel tuned = m.copy(new ParamMap().put(m.optimizer(), "sgd").put(m.learningRate(), 0.1)
        .put(m.weightDecay(), 0.01).put(m.clipNorm(), 2.0).put(m.learningRateSchedule(), "step:10:0.5"));
    assertEquals(OptimizerSpec.of("sgd", 0.1).withWeightDecay(0.01).withClipNorm(2.0).withSchedule("step:10:0.5"),
        tuned.resolveOptimizer());
  }
}
