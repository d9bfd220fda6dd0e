package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder in sequential and graph style, automatic names, and the MLlib-style MLP shorthand. */
class NetworkSpecBuilderTest {

  private static List<String> names(NetworkSpec spec) {
    return spec.layers().stream().map(LayerSpec::name).toList();
  }

  @Test
  void sequentialLayersReadThePreviousNode() {
    NetworkSpec spec = NetworkSpec.builder()
        .input("features", 784)
        .dense(128).relu().dropout(0.2).dense(10)
        .build();
    assertEquals(List.of(new InputSpec("features", List.of(784))), spec.inputs());
    assertEquals(List.of(
        new Dense("dense_1", List.of("features"), 128, true, "glorot_uniform"),
        new Activation("relu_1", List.of("dense_1"), "relu", 0.0),
        new Dropout("dropout_1", List.of("relu_1"), 0.2),
        new Dense("dense_2", List.of("dropout_1"), 10, true, "glorot_uniform")), spec.layers());
    assertEquals(List.of("dense_2"), spec.outputs());
    assertEquals(NetworkSpec.FORMAT_VERSION, spec.formatVersion());
  }

  @Test
  void activationsAreNamedAfterTheirFunction() {
    NetworkSpec spec = NetworkSpec.builder().input("x", 4)
        .relu().leakyRelu().leakyRelu(0.3).elu().elu(0.5).gelu().geluErf().silu().sigmoid().tanh().softmax()
        .logSoftmax().activation("identity").relu()
        .build();
    assertEquals(List.of("relu_1", "leaky_relu_1", "leaky_relu_2", "elu_1", "elu_2", "gelu_1", "gelu_erf_1", "silu_1",
        "sigmoid_1", "tanh_1", "softmax_1", "log_softmax_1", "identity_1", "relu_2"), names(spec));
    assertEquals("gelu_erf", ((Activation) spec.layers().get(6)).function());
    assertEquals("silu", ((Activation) spec.layers().get(7)).function());
    List<Double> alphas = spec.layers().stream().map(l -> ((Activation) l).alpha()).toList();
    assertEquals(List.of(0.0, 0.01, 0.3, 1.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), alphas);
  }

  @Test
  void denseVariantsAndShapeLayers() {
    NetworkSpec spec = NetworkSpec.builder().input("image", 1, 28, 28)
        .flatten().dense(64, "he_normal").dense(32, false, "zeros").reshape(4, -1).flatten()
        .build();
    assertEquals(List.of("flatten_1", "dense_1", "dense_2", "reshape_1", "flatten_2"), names(spec));
    assertEquals(new Dense("dense_1", List.of("flatten_1"), 64, true, "he_normal"), spec.layers().get(1));
    assertEquals(new Dense("dense_2", List.of("dense_1"), 32, false, "zeros"), spec.layers().get(2));
    assertEquals(List.of(4, 8), spec.inferShapes().get("reshape_1"));
    assertEquals(List.of(32), spec.outputShape());
  }

  @Test
  void graphStyleReturnsNodeNames() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 784);
    String h = b.addDense("h1", 128, x);
    String r = b.addActivation("r1", "relu", h);
    String sum = b.addAdd("res", r, b.addDense("h2", 128, x));
    String c = b.addConcat("cat", -1, sum, x);
    b.addDense("out", 10, c);
    b.outputs("out");
    NetworkSpec spec = b.build();
    assertEquals(List.of("x", "h1", "r1", "res", "cat"), List.of(x, h, r, sum, c));
    assertEquals(List.of("h1", "r1", "h2", "res", "cat", "out"), names(spec));
    assertEquals(new Add("res", "r1", "h2"), spec.layers().get(3));
    assertEquals(new Concat("cat", -1, "res", "x"), spec.layers().get(4));
    assertEquals(List.of(912), spec.inferShapes().get("cat"));
    assertEquals(List.of(10), spec.outputShape());
  }

  @Test
  void nullNamesAreChosenAutomaticallyAndSkipTakenOnes() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 8);
    String first = b.addDense("dense_2", 8, x);
    String second = b.addDense(null, 8, first);
    String third = b.addDense(null, 8, second);
    String sum = b.addAdd(null, first, third);
    String joined = b.addConcat(null, 0, sum, x);
    assertEquals(List.of("dense_2", "dense_1", "dense_3", "add_1", "concat_1"), List.of(first, second, third, sum, joined));
    assertEquals("dropout_1", b.addDropout(null, 0.1, joined));
    assertEquals("flatten_1", b.addFlatten(null, "dropout_1"));
    assertEquals("reshape_1", b.addReshape(null, "flatten_1", 2, 8));
    assertEquals("dense_4", b.dense(1).build().outputs().get(0));
  }

  @Test
  void sequentialContinuesFromTheLastGraphNode() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 8);
    b.addAdd("twice", x, x);
    NetworkSpec spec = b.relu().build();
    assertEquals(new Activation("relu_1", List.of("twice"), "relu", 0.0), spec.layers().get(1));
  }

  @Test
  void addLayerAcceptsReadyMadeRecords() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    b.addInput("x", 8);
    assertEquals("d", b.addLayer(new Dense("d", "x", 3)));
    assertEquals(List.of(3), b.build().outputShape());
  }

  @Test
  void rejectedLayersLeaveNoGapInAutomaticNames() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 8);
    assertThrows(SpecException.class, () -> b.dense(0));
    assertEquals(List.of("dense_1"), names(b.dense(2).build()));
  }

  @Test
  void errorsAtAddTime() {
    assertEquals("Cannot add a dense layer sequentially before any input; call input(...) first.",
        assertThrows(SpecException.class, () -> NetworkSpec.builder().dense(3)).getMessage());
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 8).dense(4);
    assertEquals("Duplicate name 'dense_1': every input and layer needs a unique name.",
        assertThrows(SpecException.class, () -> b.addDense("dense_1", 4, "x")).getMessage());
    assertEquals("Duplicate name 'x': every input and layer needs a unique name.",
        assertThrows(SpecException.class, () -> b.addInput("x", 3)).getMessage());
    assertEquals("Layer 'h' reads 'nope', which is not an input or an earlier layer.",
        assertThrows(SpecException.class, () -> b.addDense("h", 4, "nope")).getMessage());
    assertEquals("Layer 'dense_2': units must be > 0, found -1.",
        assertThrows(SpecException.class, () -> b.dense(-1)).getMessage());
    assertEquals("Layer 'p': rate must be in [0, 1), found 1.5.",
        assertThrows(SpecException.class, () -> b.addDropout("p", 1.5, "x")).getMessage());
  }

  @Test
  void errorsAtBuildTime() {
    assertEquals("Network has no inputs.", assertThrows(SpecException.class, () -> NetworkSpec.builder().build())
        .getMessage());
    assertEquals("Network has no layers.",
        assertThrows(SpecException.class, () -> NetworkSpec.builder().input("x", 2).build()).getMessage());
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 8).dense(4);
    b.addAdd("sum", "x", "dense_1");
    assertEquals("Layer 'sum': input shapes [8] ('x') and [4] ('dense_1') differ; add needs equal shapes.",
        assertThrows(SpecException.class, b::build).getMessage());
    NetworkSpec.Builder c = NetworkSpec.builder().input("x", 8).dense(4).outputs("missing");
    assertEquals("Output 'missing' is not an input or layer of the network.",
        assertThrows(SpecException.class, c::build).getMessage());
  }

  @Test
  void buildCopiesSoTheBuilderCanContinue() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 8).dense(4);
    NetworkSpec small = b.build();
    NetworkSpec bigger = b.relu().build();
    assertEquals(1, small.layers().size());
    assertEquals(2, bigger.layers().size());
    assertEquals(List.of("relu_1"), bigger.outputs());
    assertNotSame(small.layers(), bigger.layers());
  }

  @Test
  void mlpShorthandStructure() {
    NetworkSpec spec = NetworkSpec.mlp(new int[] {784, 128, 10}, "relu");
    assertEquals(List.of(new InputSpec("features", List.of(784))), spec.inputs());
    assertEquals(List.of(
        new Dense("dense_1", "features", 128),
        new Activation("relu_1", "dense_1", "relu"),
        new Dense("dense_2", "relu_1", 10)), spec.layers());
    assertEquals(List.of("dense_2"), spec.outputs());
    assertEquals(List.of(10), spec.outputShape());
  }

  @Test
  void mlpWithSeveralHiddenLayers() {
    NetworkSpec spec = NetworkSpec.mlp(new int[] {4, 5, 6, 3}, "sigmoid");
    assertEquals(List.of("dense_1", "sigmoid_1", "dense_2", "sigmoid_2", "dense_3"), names(spec));
    assertEquals(List.of(6), spec.inferShapes().get("sigmoid_2"));
    assertEquals(List.of("dense_1"), NetworkSpec.mlp(new int[] {4, 2}, "relu").outputs());
  }

  @Test
  void mlpErrors() {
    assertEquals("mlp needs at least 2 layer sizes (input and output width), found [784].",
        assertThrows(SpecException.class, () -> NetworkSpec.mlp(new int[] {784}, "relu")).getMessage());
    assertEquals("Input 'features': shape dims must be > 0, found [0].",
        assertThrows(SpecException.class, () -> NetworkSpec.mlp(new int[] {0, 3}, "relu")).getMessage());
    assertEquals("Layer 'swish_1': unknown activation function 'swish'; known functions: elu, gelu, gelu_erf, hard_sigmoid,"
            + " hard_swish, identity, leaky_relu, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus,"
            + " tanh.",
        assertThrows(SpecException.class, () -> NetworkSpec.mlp(new int[] {4, 3, 2}, "swish")).getMessage());
  }
}
