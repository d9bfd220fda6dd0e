package org.sparkdl.ml.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.Activation;
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
  void explainsWhyAnInputShapeOrChannelValuesAreInvalid() {
    assertEquals("Param inputShape [1, 0, 28] is invalid: at most 8 dimensions, each > 0.",
        NetworkParamSet.inputShapeProblem(new int[] {1, 0, 28}));
    assertEquals("Param inputShape [1, 1, 1, 1, 1, 1, 1, 1, 1] is invalid: at most 8 dimensions, each > 0.",
        NetworkParamSet.inputShapeProblem(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}));
    assertEquals("Param inputShape is invalid: it is null; use an empty array for the network's input shape.",
        NetworkParamSet.inputShapeProblem(null));
    assertNull(NetworkParamSet.inputShapeProblem(new int[0]));
    assertNull(NetworkParamSet.inputShapeProblem(new int[] {3, 224, 224}));
    assertEquals("Param channelStd [0.5, 0.0] is invalid: every value must be finite and > 0.",
        NetworkParamSet.channelProblem("channelStd", new double[] {0.5, 0}, true));
    assertEquals("Param channelMean [Infinity] is invalid: every value must be finite.",
        NetworkParamSet.channelProblem("channelMean", new double[] {Double.POSITIVE_INFINITY}, false));
    assertEquals("Param channelMean null is invalid: every value must be finite.",
        NetworkParamSet.channelProblem("channelMean", null, false));
    assertNull(NetworkParamSet.channelProblem("channelMean", new double[] {-0.5, 0}, false));
    assertNull(NetworkParamSet.channelProblem("channelStd", new double[0], true));
  }

  @Test
  void theInputShapeMustMatchTheNetworkOrHoldTheFirstLayersWidth() {
    NetworkSpec cnn = NetworkSpec.builder().input("image", 1, 2, 2).flatten().dense(1).build();
    NeuralNetworkRegressionModel m = new NeuralNetworkRegressionModel("nnReg_s", cnn, new float[5]);
    assertEquals(java.util.List.of(1, 2, 2), m.resolveInputShape(cnn));
    assertEquals(java.util.List.of(1, 2, 2), m.setInputShape(1, 2, 2).resolveInputShape(cnn));
    assertEquals("Param inputShape [4] does not match the network's input 'image' of shape [1, 2, 2]; leave inputShape"
        + " empty or make the two agree.", assertThrows(IllegalArgumentException.class,
            () -> m.setInputShape(4).resolveInputShape(cnn)).getMessage());
    NetworkSpec mlp = NetworkSpec.mlp(new int[] {4, 1}, "relu");
    NeuralNetworkRegressionModel layers = m.copy(new ParamMap().put(m.layers(), new int[] {4, 1}));
    assertEquals(java.util.List.of(1, 2, 2), layers.setInputShape(1, 2, 2).resolveInputShape(mlp));
    assertEquals("Param inputShape [1, 2, 3] holds 6 values; layers starts with 4 inputs.", assertThrows(
        IllegalArgumentException.class, () -> layers.setInputShape(1, 2, 3).resolveInputShape(mlp)).getMessage());
  }

  @Test
  void aSecondNetworkInputMustBeTheSequenceLengths() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String seq = b.addInput("seq", 3, 2);
    String len = b.addInput("lengths", 1);
    String flat = b.addFlatten("flat", seq);
    b.addConcat("both", -1, flat, len);
    b.addDense("out", 1, "both");
    assertEquals(true, NeuralNetworkParams.readsLengths(b.build()));
    assertEquals(false, NeuralNetworkParams.readsLengths(NetworkSpec.mlp(new int[] {4, 1}, "relu")));
    NetworkSpec.Builder c = NetworkSpec.builder();
    String x = c.addInput("x", 2);
    String y = c.addInput("y", 3);
    c.addConcat("both", -1, x, y);
    c.addDense("out", 1, "both");
    assertEquals("The network has 2 inputs ['x' [2], 'y' [3]]; featuresCol feeds the first, and a second can only be"
        + " 'lengths' of shape [1] (each row's sequence length).", assertThrows(IllegalArgumentException.class,
            () -> NeuralNetworkParams.readsLengths(c.build())).getMessage());
  }

  @Test
  void validatorsRejectInvalidValuesWhereverTheyAreSet() {
    NeuralNetworkRegressionModel m = stage();
    assertEquals("nnReg_p parameter layers given invalid value [4,0,2].",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.layers(), new int[] {4, 0, 2})).getMessage());
    assertEquals("nnReg_p parameter learningRate given invalid value 0.0.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.learningRate(), 0.0)).getMessage());
    assertEquals("nnReg_p parameter learningRate given invalid value Infinity.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.learningRate(), Double.POSITIVE_INFINITY))
            .getMessage());
    assertEquals("nnReg_p parameter weightDecay given invalid value NaN.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.weightDecay(), Double.NaN)).getMessage());
    assertEquals("nnReg_p parameter optimizer given invalid value lbfgs.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.optimizer(), "lbfgs")).getMessage());
    assertEquals("nnReg_p parameter learningRateSchedule given invalid value linear.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.learningRateSchedule(), "linear")).getMessage());
    assertEquals("nnReg_p parameter aggregationDepth given invalid value 1.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.aggregationDepth(), 1)).getMessage());
    assertEquals("nnReg_p parameter backend given invalid value tpu.",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.backend(), "tpu")).getMessage());
    assertEquals("nnReg_p parameter inputShape given invalid value [1,-28].",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.inputShape(), new int[] {1, -28})).getMessage());
    assertEquals("nnReg_p parameter channelStd given invalid value [-1.0].",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.channelStd(), new double[] {-1})).getMessage());
    assertEquals("nnReg_p parameter channelMean given invalid value [NaN].",
        assertThrows(IllegalArgumentException.class, () -> new ParamMap().put(m.channelMean(), new double[] {Double.NaN}))
            .getMessage());
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
  void theLayersShorthandPutsEachHiddenActivationBetweenItsDenseLayers() {
    NeuralNetworkRegressionModel m = stage();
    for (String f : List.of("relu", "leaky_relu", "elu", "gelu", "gelu_erf", "silu", "sigmoid", "tanh")) {
      NetworkSpec spec = m.copy(new ParamMap().put(m.layers(), new int[] {3, 5, 4, 1}).put(m.hiddenActivation(), f))
          .resolveNetwork();
      assertEquals(List.of(f, f), spec.layers().stream().filter(Activation.class::isInstance)
          .map(l -> ((Activation) l).function()).toList(), f);
    }
  }

  @Test
  void theOptimizerFollowsTheParams() {
    NeuralNetworkRegressionModel m = stage();
    assertEquals(OptimizerSpec.of("adam", 3e-3), m.resolveOptimizer());
    NeuralNetworkRegressionModel tuned = m.copy(new ParamMap().put(m.optimizer(), "sgd").put(m.learningRate(), 0.1)
        .put(m.weightDecay(), 0.01).put(m.clipNorm(), 2.0).put(m.learningRateSchedule(), "step:10:0.5"));
    assertEquals(OptimizerSpec.of("sgd", 0.1).withWeightDecay(0.01).withClipNorm(2.0).withSchedule("step:10:0.5"),
        tuned.resolveOptimizer());
  }
}
