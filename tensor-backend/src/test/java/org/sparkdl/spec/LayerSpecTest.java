package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Validation, immutability and JSON registration of the layer records themselves. */
class LayerSpecTest {

  private static String error(Runnable create) {
    return assertThrows(SpecException.class, create::run).getMessage();
  }

  @Test
  void everyLayerTypeHasAJsonMapping() throws ReflectiveOperationException {
    Class<?>[] permitted = LayerSpec.class.getPermittedSubclasses();
    TreeSet<String> tags = new TreeSet<>();
    for (Class<?> type : permitted) {
      String tag = (String) type.getField("TYPE").get(null);
      LayerTypes.Entry<?> entry = LayerTypes.forType(tag);
      assertNotNull(entry, tag);
      assertSame(type, entry.recordClass());
      tags.add(tag);
    }
    assertEquals(List.copyOf(tags), LayerTypes.knownTypes());
  }

  @Test
  void typeTags() {
    assertEquals("dense", new Dense("d", "x", 1).type());
    assertEquals("activation", new Activation("a", "x", "relu").type());
    assertEquals("dropout", new Dropout("p", "x", 0.1).type());
    assertEquals("add", new Add("s", "x", "y").type());
    assertEquals("concat", new Concat("c", 0, "x", "y").type());
    assertEquals("reshape", new Reshape("r", "x", 2).type());
    assertEquals("flatten", new Flatten("f", "x").type());
  }

  @Test
  void recordsCopyTheirLists() {
    List<String> inputs = new ArrayList<>(List.of("a", "b"));
    Add add = new Add("s", inputs);
    inputs.add("c");
    assertEquals(List.of("a", "b"), add.inputs());
    assertThrows(UnsupportedOperationException.class, () -> add.inputs().add("d"));
    List<Integer> shape = new ArrayList<>(List.of(2, 3));
    InputSpec input = new InputSpec("x", shape);
    shape.set(0, 9);
    assertEquals(List.of(2, 3), input.shape());
    assertThrows(UnsupportedOperationException.class, () -> input.shape().set(0, 1));
  }

  @Test
  void equalFieldsMeanEqualRecords() {
    assertEquals(new Dense("d", "x", 3), new Dense("d", List.of("x"), 3, true, "glorot_uniform"));
    assertEquals(new Activation("a", "x", "elu"), new Activation("a", List.of("x"), "elu", 1.0));
    assertEquals(new Reshape("r", "x", 2, -1), new Reshape("r", List.of("x"), List.of(2, -1)));
  }

  @Test
  void negativeZeroIsNormalizedForExactRoundTrips() {
    assertEquals(new Dropout("p", "x", 0.0), new Dropout("p", "x", -0.0));
    assertEquals(new Activation("a", "x", "relu"), new Activation("a", List.of("x"), "relu", -0.0));
  }

  @Test
  void nameValidation() {
    assertEquals("Layer has no name.", error(() -> new Dense(null, "x", 3)));
    assertEquals("Layer name '-d' is invalid; names use letters, digits, '_', '.', '/' and '-', do not start with '.',"
        + " '/' or '-', and have at most 128 characters.", error(() -> new Dense("-d", "x", 3)));
    assertEquals("Layer name '' is invalid; names use letters, digits, '_', '.', '/' and '-', do not start with '.',"
        + " '/' or '-', and have at most 128 characters.", error(() -> new Flatten("", "x")));
    assertEquals("block_1/dense-2.a", new Flatten("block_1/dense-2.a", "x").name());
  }

  @Test
  void inputListValidation() {
    assertEquals("Layer 'f': inputs contain null.", error(() -> new Flatten("f", (String) null)));
    assertEquals("Layer 'f': inputs are missing.", error(() -> new Flatten("f", (List<String>) null)));
    assertEquals("Layer 'c': concat needs at least 2 inputs, found 1.", error(() -> new Concat("c", 0, "x")));
    assertEquals("Layer 'f': flatten reads exactly 1 input, found 0.", error(() -> new Flatten("f", List.of())));
  }

  @Test
  void activationAlphaRules() {
    assertEquals("Layer 'a': function 'relu' takes no alpha, found 0.5.",
        error(() -> new Activation("a", List.of("x"), "relu", 0.5)));
    assertEquals("Layer 'a': alpha of elu must be finite and >= 0, found NaN.",
        error(() -> new Activation("a", List.of("x"), "elu", Double.NaN)));
    assertEquals("Layer 'a': unknown activation function 'null'; known functions: elu, gelu, gelu_erf, hard_sigmoid,"
        + " hard_swish, identity, leaky_relu, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus,"
        + " tanh.", error(() -> new Activation("a", "x", null)));
  }

  @Test
  void denseValidation() {
    assertEquals("Layer 'd': unknown init 'null'; known inits: glorot_normal, glorot_uniform, he_normal, he_uniform,"
        + " normal, uniform, zeros.", error(() -> new Dense("d", List.of("x"), 3, true, null)));
    assertEquals(Dense.MAX_UNITS, new Dense("d", "x", 1 << 24).units());
  }

  @Test
  void dropoutValidation() {
    assertEquals("Layer 'p': rate must be in [0, 1), found -0.1.", error(() -> new Dropout("p", "x", -0.1)));
    assertEquals("Layer 'p': rate must be in [0, 1), found NaN.", error(() -> new Dropout("p", "x", Double.NaN)));
  }

  @Test
  void reshapeValidation() {
    assertEquals("Layer 'r': shape may contain at most one -1, found [-1, -1].", error(() -> new Reshape("r", "x", -1, -1)));
    assertEquals("Layer 'r': shape dims must be > 0 or -1, found [4, 0].", error(() -> new Reshape("r", "x", 4, 0)));
    assertEquals("Layer 'r': shape must have rank 1 to 8, found [].", error(() -> new Reshape("r", "x")));
    assertEquals("Layer 'r': shape [65536, 65536] has more than 2147483647 elements.",
        error(() -> new Reshape("r", "x", 65536, 65536)));
  }

  @Test
  void inputSpecValidation() {
    assertEquals("Input 'x': shape [65536, 65536] has more than 2147483647 elements.",
        error(() -> InputSpec.of("x", 65536, 65536)));
    assertEquals("Input 'x': shape contains null.", error(() -> new InputSpec("x", Arrays.asList(2, null))));
    assertEquals("Input has no name.", error(() -> InputSpec.of(null, 3)));
  }

  @Test
  void networkConstructorValidatesLikeTheParser() {
    List<InputSpec> inputs = List.of(InputSpec.of("x", 3));
    assertEquals("Unsupported format_version 2; this library reads format_version 1.",
        error(() -> new NetworkSpec(2, inputs, List.of(new Flatten("f", "x")), null)));
    assertEquals("Network layers contain null.",
        error(() -> new NetworkSpec(inputs, Arrays.asList(new Flatten("f", "x"), null), null)));
    NetworkSpec spec = new NetworkSpec(inputs, List.of(new Flatten("f", "x")), null);
    assertEquals(List.of("f"), spec.outputs());
  }
}
