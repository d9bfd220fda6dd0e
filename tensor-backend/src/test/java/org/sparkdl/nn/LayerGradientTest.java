package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/** Every layer and loss, and whole networks, against finite differences in float64. */
class LayerGradientTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 11);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();
  private final Random random = ws.random();

  private Tensor rand(int... dims) {
    return ws.normalAwayFromZero(0.05, dims);
  }

  private ParameterStore bind(Layer layer, long seed) {
    ParameterStore store = new ParameterStore(be, DType.FLOAT64, layer.parameters());
    store.initialise(seed);
    // random biases too, so their gradient paths are exercised away from zero
    for (Parameter p : layer.parameters()) {
      if (p.init() == Init.ZEROS) {
        be.copy(rand(p.shape().toArray()), p.value());
      }
    }
    return store;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void denseWithRespectToInputWeightAndBias(boolean bias) {
    Dense d = new Dense("dense_1", 4, 3, bias, Init.GLOROT_UNIFORM);
    try (ParameterStore store = bind(d, 1)) {
      GradCheck.check(be, List.of(rand(5, 4)), store.parameters(), (t, in) -> d.forward(in));
      // applied to the last axis of a rank-3 input
      GradCheck.check(be, List.of(rand(2, 3, 4)), store.parameters(), (t, in) -> d.forward(in));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "leaky_relu", "elu", "gelu", "gelu_erf", "silu", "relu6", "hard_sigmoid", "hard_swish", "softplus", "mish", "selu", "sigmoid", "tanh", "softmax", "log_softmax", "identity"})
  void activations(String fn) {
    Activation a = new Activation("act", fn, fn.equals("elu") ? 1.0 : 0.01);
    GradCheck.check(be, List.of(rand(4, 6)), (t, in) -> a.forward(in));
  }

  @Test
  void dropoutAndMergesAndReshape() {
    GradCheck.check(be, List.of(rand(4, 6)), (t, in) -> new Dropout("d", 0.3).forward(in));
    GradCheck.check(be, List.of(rand(4, 6), rand(4, 6), rand(4, 6)), (t, in) -> Merge.add("a").forward(in));
    GradCheck.check(be, List.of(rand(4, 2), rand(4, 5)), (t, in) -> Merge.concat("c", -1).forward(in));
    GradCheck.check(be, List.of(rand(4, 2, 3), rand(4, 1, 3)), (t, in) -> Merge.concat("c", 0).forward(in));
    GradCheck.check(be, List.of(rand(4, 6)), (t, in) -> new Reshape("r", Shape.of(2, 3)).forward(in));
  }

  @Test
  void lossesWithPerSampleWeights() {
    Tensor labels = scope.of(DType.FLOAT64, Shape.of(5), new double[] {0, 3, 1, 3, 2});
    Tensor weights = scope.of(DType.FLOAT64, Shape.of(5), new double[] {1, 0.5, 2, 0, 1.5});
    GradCheck.check(be, List.of(rand(5, 4)),
        (t, in) -> Loss.weightedSum(new SoftmaxCrossEntropy().perSample(in.get(0), labels), weights));
    double[] probs = new double[10];
    for (int i = 0; i < probs.length; i++) {
      probs[i] = random.nextDouble();
    }
    Tensor targets = scope.of(DType.FLOAT64, Shape.of(5, 2), probs);
    GradCheck.check(be, List.of(rand(5, 2)),
        (t, in) -> Loss.weightedSum(new BinaryCrossEntropy().perSample(in.get(0), targets), weights));
    GradCheck.check(be, List.of(rand(5, 2)),
        (t, in) -> Loss.weightedSum(new MeanSquaredError().perSample(in.get(0), targets), null));
    Tensor scalarTargets = rand(5);
    GradCheck.check(be, List.of(rand(5)),
        (t, in) -> Loss.weightedSum(new Huber(0.7).perSample(in.get(0), scalarTargets), weights));
  }

  @Test
  void lossValuesMatchTheirDefinitions() {
    try (Scope s = scope.child("values")) {
      var tape = new org.sparkdl.autograd.Tape(s, false, 0);
      Var z = tape.constant(s.of(DType.FLOAT64, Shape.of(1, 3), new double[] {1, 2, 3}));
      double ce = new SoftmaxCrossEntropy().perSample(z, s.of(DType.FLOAT64, Shape.of(1), new double[] {0})).value().item();
      assertEquals(-Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3))), ce, 1e-12);
      Var logit = tape.constant(s.of(DType.FLOAT64, Shape.of(1, 1), new double[] {0.3}));
      double bce = new BinaryCrossEntropy().perSample(logit, s.of(DType.FLOAT64, Shape.of(1, 1), new double[] {0.8})).value().item();
      double p = 1 / (1 + Math.exp(-0.3));
      assertEquals(-(0.8 * Math.log(p) + 0.2 * Math.log(1 - p)), bce, 1e-12);
      Var pred = tape.constant(s.of(DType.FLOAT64, Shape.of(1, 2), new double[] {1, 4}));
      Tensor target = s.of(DType.FLOAT64, Shape.of(1, 2), new double[] {1.5, 1});
      assertEquals((0.25 + 9) / 2, new MeanSquaredError().perSample(pred, target).value().item(), 1e-12);
      assertEquals((0.125 + (3 - 0.5)) / 2, new Huber(1).perSample(pred, target).value().item(), 1e-12);
    }
  }

  @Test
  void wholeResidualNetworkWithTwoInputsAndConcat() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 4);
    String side = b.addInput("side", 2);
    String h = b.addActivation("h", "tanh", b.addDense("d1", 5, x));
    String r = b.addAdd("res", h, b.addDense("d2", 5, h));
    String c = b.addConcat("cat", -1, r, side);
    b.addActivation("out", "log_softmax", b.addDense("d3", 3, c));
    NetworkSpec spec = b.build();
    try (Network net = Network.create(spec, be, DType.FLOAT64, 3)) {
      List<Parameter> params = net.parameters().parameters();
      for (Parameter p : params) {
        if (p.init() == Init.ZEROS) {
          be.copy(rand(p.shape().toArray()), p.value());
        }
      }
      GradCheck.check(be, List.of(rand(3, 4), rand(3, 2)), params,
          (t, in) -> net.forward(java.util.Map.of("x", in.get(0), "side", in.get(1))).get("out"));
    }
  }

  @Test
  void mlpFromTheLayersShorthandHasTheExpectedParameters() {
    try (Network net = Network.create(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu"), be, DType.FLOAT32, 1)) {
      List<String> names = new ArrayList<>(net.parameters().names());
      assertEquals(List.of("dense_1.weight", "dense_1.bias", "dense_2.weight", "dense_2.bias"), names);
      assertEquals(784 * 128 + 128 + 128 * 10 + 10, net.parameters().size());
      assertEquals(Shape.of(10), net.outputShape());
    }
  }

  @Test
  void wrongInputShapeIsNamed() {
    try (Network net = Network.create(NetworkSpec.mlp(new int[] {4, 3}, "relu"), be, DType.FLOAT64, 1)) {
      var tape = new org.sparkdl.autograd.Tape(scope, false, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> net.forward(tape.constant(rand(2, 5))));
      assertEquals("Input 'features': expected per-sample shape [4], found [2, 5] (batch first).", e.getMessage());
    }
  }
}
