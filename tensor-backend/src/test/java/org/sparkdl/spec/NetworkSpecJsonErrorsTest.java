package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

/** Every way a JSON spec can be wrong gets its own specific message. */
class NetworkSpecJsonErrorsTest {

  /** A network with one input {@code x} of shape [8] and the given layers. */
  private static String network(String layers) {
    return "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [8]}], \"layers\": [" + layers + "]}";
  }

  private static String error(String json) {
    return assertThrows(SpecException.class, () -> NetworkSpec.fromJson(json)).getMessage();
  }

  @Test
  void unknownType() {
    assertEquals("Layer 'conv9' has unknown type 'convolution3d'; known types: activation, add, avg_pool2d, batch_norm,"
            + " concat, conv1d, conv2d, dense, dropout, embedding, flatten, global_avg_pool, gru, layer_norm, lstm,"
            + " max_pool2d, multi_head_attention, positional_embedding, reshape, sequence_mean_pool.",
        error(network("{\"type\": \"convolution3d\", \"name\": \"conv9\"}")));
  }

  @Test
  void missingType() {
    assertEquals("Layer 'd' has no 'type'; known types: activation, add, avg_pool2d, batch_norm, concat, conv1d, conv2d,"
            + " dense, dropout, embedding, flatten, global_avg_pool, gru, layer_norm, lstm, max_pool2d, multi_head_attention,"
            + " positional_embedding, reshape, sequence_mean_pool.",
        error(network("{\"name\": \"d\", \"units\": 3}")));
  }

  @Test
  void referenceToUnknownLayer() {
    assertEquals("Layer 'dense_2' reads 'dense_9', which is not an input or an earlier layer.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"units\": 4},"
            + "{\"type\": \"dense\", \"name\": \"dense_2\", \"inputs\": [\"dense_9\"], \"units\": 4}")));
  }

  @Test
  void cyclesCannotBeWritten() {
    assertEquals("Layer 'a' reads 'b', which is not an input or an earlier layer.",
        error(network("{\"type\": \"add\", \"name\": \"a\", \"inputs\": [\"x\", \"b\"]},"
            + "{\"type\": \"add\", \"name\": \"b\", \"inputs\": [\"x\", \"a\"]}")));
    assertEquals("Layer 'a' reads 'a', which is not an input or an earlier layer.",
        error(network("{\"type\": \"dense\", \"name\": \"a\", \"inputs\": [\"a\"], \"units\": 1}")));
  }

  @Test
  void addOfDifferentShapes() {
    assertEquals("Layer 'add_1': input shapes [128] ('dense_1') and [64] ('dense_2') differ; add needs equal shapes.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"inputs\": [\"x\"], \"units\": 128},"
            + "{\"type\": \"dense\", \"name\": \"dense_2\", \"inputs\": [\"x\"], \"units\": 64},"
            + "{\"type\": \"add\", \"name\": \"add_1\", \"inputs\": [\"dense_1\", \"dense_2\"]}")));
  }

  @Test
  void zeroUnits() {
    assertEquals("Layer 'dense_1': units must be > 0, found 0.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"units\": 0}")));
  }

  @Test
  void absurdUnits() {
    assertEquals("Layer 'dense_1': units must be at most 16777216, found 16777217.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"units\": 16777217}")));
    assertEquals("Layer 'dense_1': field 'units' is out of range, found 99999999999.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"units\": 99999999999}")));
  }

  @Test
  void duplicateNames() {
    assertEquals("Duplicate name 'd': every input and layer needs a unique name.",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 4},"
            + "{\"type\": \"dense\", \"name\": \"d\", \"units\": 4}")));
    assertEquals("Duplicate name 'x': every input and layer needs a unique name.",
        error(network("{\"type\": \"dense\", \"name\": \"x\", \"units\": 4}")));
  }

  @Test
  void emptyNetwork() {
    assertEquals("Network has no layers.", error(network("")));
    assertEquals("Network has no inputs.",
        error("{\"format_version\": 1, \"inputs\": [], \"layers\": []}"));
  }

  @Test
  void outputsMustNameNodesOnce() {
    String layers = "{\"type\": \"dense\", \"name\": \"d\", \"units\": 4}";
    String base = network(layers);
    String prefix = base.substring(0, base.length() - 1);
    assertEquals("Output 'logits' is not an input or layer of the network.",
        error(prefix + ", \"outputs\": [\"logits\"]}"));
    assertEquals("Output 'd' is listed twice.", error(prefix + ", \"outputs\": [\"d\", \"d\"]}"));
    assertEquals("Network lists no outputs; name at least one node, or omit 'outputs' to return the last layer.",
        error(prefix + ", \"outputs\": []}"));
  }

  @Test
  void malformedJsonGivesLineAndColumn() {
    String json = "{\n  \"format_version\": 1,\n  \"inputs\": [ { \"name\": \"x\" \"shape\": [8] } ]\n}";
    SpecException e = assertThrows(SpecException.class, () -> NetworkSpec.fromJson(json));
    assertEquals("Malformed network JSON at line 3, column 29: Unexpected character ('\"' (code 34)): was expecting"
        + " comma to separate Object entries", e.getMessage());
    assertInstanceOf(JsonProcessingException.class, e.getCause());
    assertEquals("Malformed network JSON at line 2, column 13: Unexpected end-of-input: expected close marker for"
        + " Array (start marker at [line: 2, column: 11])", error("{\"format_version\": 1,\n\"inputs\": [1"));
  }

  @Test
  void duplicateKeysAndTrailingContentAreMalformed() {
    assertTrue(error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 4, \"units\": 5}"))
        .endsWith(": Duplicate field 'units'"));
    assertTrue(error(network("") + " {}").startsWith("Malformed network JSON at line 1, column "));
  }

  @Test
  void emptyOrNonObjectDocument() {
    assertEquals("Network JSON is empty.", error("  "));
    assertEquals("Network JSON is null.", error(null));
    assertEquals("Network JSON must be an object, found array [1,2].", error("[1, 2]"));
  }

  @Test
  void unknownFieldInLayerCatchesTypos() {
    assertEquals("Layer 'dense_1' has unknown field 'unit'; known fields: bias, init, inputs, name, type, units.",
        error(network("{\"type\": \"dense\", \"name\": \"dense_1\", \"unit\": 128}")));
    assertEquals("Layer 'r' has unknown field 'units'; known fields: inputs, name, type.",
        error(network("{\"type\": \"flatten\", \"name\": \"r\", \"units\": 128}")));
  }

  @Test
  void unknownFieldInInputOrNetwork() {
    assertEquals("Input 'x' has unknown field 'dtype'; known fields: name, shape, sparse.",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [8], \"dtype\": \"f32\"}], \"layers\": []}"));
    assertEquals("Network has unknown field 'layer'; known fields: format_version, inputs, layers, outputs.",
        error("{\"format_version\": 1, \"inputs\": [], \"layer\": []}"));
  }

  @Test
  void wrongFieldTypes() {
    assertEquals("Layer 'd': field 'units' must be an integer, found string \"128\".",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": \"128\"}")));
    assertEquals("Layer 'd': field 'units' must be an integer, found number 12.5.",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 12.5}")));
    assertEquals("Layer 'd': field 'bias' must be a boolean, found string \"yes\".",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 2, \"bias\": \"yes\"}")));
    assertEquals("Layer 'd': field 'bias' must be a boolean, found null.",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 2, \"bias\": null}")));
    assertEquals("Layer 'd': field 'inputs' must be an array, found string \"x\".",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"inputs\": \"x\", \"units\": 2}")));
    assertEquals("Layer 'd': field 'inputs' must be an array of strings, found array [1].",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"inputs\": [1], \"units\": 2}")));
    assertEquals("Layer 'p': field 'rate' must be a number, found string \"0.5\".",
        error(network("{\"type\": \"dropout\", \"name\": \"p\", \"rate\": \"0.5\"}")));
    assertEquals("Layer 'r': field 'shape' must be an array of integers, found array [2,2.5].",
        error(network("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [2, 2.5]}")));
    assertEquals("Input 'x': field 'shape' must be an array of integers, found array [\"8\"].",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [\"8\"]}], \"layers\": []}"));
    assertEquals("layers[0]: field 'name' must be a string, found number 5.",
        error(network("{\"type\": \"dense\", \"name\": 5, \"units\": 2}")));
    assertEquals("Layer 'd': field 'type' must be a string, found object {\"name\":\"dense\"}.",
        error(network("{\"type\": {\"name\": \"dense\"}, \"name\": \"d\"}")));
    assertEquals("layers[1] must be an object, found string \"dense\".",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 2}, \"dense\"")));
    assertEquals("Network: field 'layers' must be an array, found object {}.",
        error("{\"format_version\": 1, \"inputs\": [], \"layers\": {}}"));
  }

  @Test
  void missingRequiredFields() {
    assertEquals("Layer 'd' has no 'units'.", error(network("{\"type\": \"dense\", \"name\": \"d\"}")));
    assertEquals("Layer 'p' has no 'rate'.", error(network("{\"type\": \"dropout\", \"name\": \"p\"}")));
    assertEquals("Layer 'r' has no 'shape'.", error(network("{\"type\": \"reshape\", \"name\": \"r\"}")));
    assertEquals("Layer 'a' has no 'function'.", error(network("{\"type\": \"activation\", \"name\": \"a\"}")));
    assertEquals("layers[0] has no 'name'.", error(network("{\"type\": \"dense\", \"units\": 2}")));
    assertEquals("Input 'x' has no 'shape'.",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"x\"}], \"layers\": []}"));
    assertEquals("Network has no 'layers'.", error("{\"format_version\": 1, \"inputs\": []}"));
  }

  @Test
  void formatVersion() {
    assertEquals("Unsupported format_version 2; this library reads format_version 1.",
        error("{\"format_version\": 2, \"inputs\": [], \"layers\": [], \"new_field\": 1}"));
    assertEquals("Network has no 'format_version'.", error("{\"inputs\": [], \"layers\": []}"));
    assertEquals("Network: field 'format_version' must be an integer, found string \"1\".",
        error("{\"format_version\": \"1\", \"inputs\": [], \"layers\": []}"));
  }

  @Test
  void badFieldValues() {
    assertEquals("Layer 'd': unknown init 'xavier'; known inits: glorot_normal, glorot_uniform, he_normal, he_uniform,"
            + " normal, uniform, zeros.",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"units\": 2, \"init\": \"xavier\"}")));
    assertEquals("Layer 'a': unknown activation function 'prelu'; known functions: elu, gelu, gelu_erf, hard_sigmoid,"
            + " hard_swish, identity, leaky_relu, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus,"
            + " tanh.",
        error(network("{\"type\": \"activation\", \"name\": \"a\", \"function\": \"prelu\", \"alpha\": 6}")));
    assertEquals("Layer 'a': function 'relu' takes no alpha; remove the field.",
        error(network("{\"type\": \"activation\", \"name\": \"a\", \"function\": \"relu\", \"alpha\": 0.1}")));
    assertEquals("Layer 'a': alpha of leaky_relu must be finite and >= 0, found -0.1.",
        error(network("{\"type\": \"activation\", \"name\": \"a\", \"function\": \"leaky_relu\", \"alpha\": -0.1}")));
    assertEquals("Layer 'p': rate must be in [0, 1), found 1.0.",
        error(network("{\"type\": \"dropout\", \"name\": \"p\", \"rate\": 1}")));
    assertEquals("Input 'x': shape dims must be > 0, found [8, 0].",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [8, 0]}], \"layers\": []}"));
    assertEquals("Input 'x': shape must have rank 1 to 8, found [1, 1, 1, 1, 1, 1, 1, 1, 1].",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [1,1,1,1,1,1,1,1,1]}], \"layers\": []}"));
    assertEquals("Input name 'my input' is invalid; names use letters, digits, '_', '.', '/' and '-', do not start"
            + " with '.', '/' or '-', and have at most 128 characters.",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"my input\", \"shape\": [8]}], \"layers\": []}"));
  }

  @Test
  void inputCountsPerType() {
    assertEquals("Layer 'a': add needs at least 2 inputs, found 1.",
        error(network("{\"type\": \"add\", \"name\": \"a\"}")));
    assertEquals("Layer 'd': dense reads exactly 1 input, found 2.",
        error(network("{\"type\": \"dense\", \"name\": \"d\", \"inputs\": [\"x\", \"x\"], \"units\": 2}")));
  }

  @Test
  void firstLayerWithoutInputsNeedsASingleInput() {
    assertEquals("Layer 'd' has no 'inputs' and is the first layer of a network with 2 inputs; list the inputs it reads.",
        error("{\"format_version\": 1, \"inputs\": [{\"name\": \"a\", \"shape\": [2]}, {\"name\": \"b\", \"shape\": [2]}],"
            + " \"layers\": [{\"type\": \"dense\", \"name\": \"d\", \"units\": 2}]}"));
  }
}
