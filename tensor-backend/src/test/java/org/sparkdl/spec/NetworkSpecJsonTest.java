package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical JSON form: exact round trips both ways, and defaults filled in when parsing. */
class NetworkSpecJsonTest {

  private static final String MLP = """
      {
        "format_version" : 1,
        "inputs" : [ { "name" : "features", "shape" : [ 784 ] } ],
        "layers" : [
          { "type" : "dense", "name" : "dense_1", "inputs" : [ "features" ], "units" : 128, "bias" : true, "init" : "glorot_uniform" },
          { "type" : "activation", "name" : "relu_1", "inputs" : [ "dense_1" ], "function" : "relu" },
          { "type" : "dense", "name" : "dense_2", "inputs" : [ "relu_1" ], "units" : 10, "bias" : true, "init" : "glorot_uniform" }
        ],
        "outputs" : [ "dense_2" ]
      }""";

  private static final String RESIDUAL = """
      {
        "format_version" : 1,
        "inputs" : [ { "name" : "x", "shape" : [ 64 ] } ],
        "layers" : [
          { "type" : "dense", "name" : "h1", "inputs" : [ "x" ], "units" : 64, "bias" : false, "init" : "he_uniform" },
          { "type" : "activation", "name" : "act", "inputs" : [ "h1" ], "function" : "leaky_relu", "alpha" : 0.2 },
          { "type" : "dropout", "name" : "drop", "inputs" : [ "act" ], "rate" : 0.1 },
          { "type" : "add", "name" : "res", "inputs" : [ "x", "drop" ] },
          { "type" : "activation", "name" : "elu_1", "inputs" : [ "res" ], "function" : "elu", "alpha" : 1.0 },
          { "type" : "dense", "name" : "out", "inputs" : [ "elu_1" ], "units" : 3, "bias" : true, "init" : "zeros" },
          { "type" : "activation", "name" : "probs", "inputs" : [ "out" ], "function" : "softmax" }
        ],
        "outputs" : [ "probs" ]
      }""";

  private static final String TWO_INPUTS = """
      {
        "format_version" : 1,
        "inputs" : [
          { "name" : "image", "shape" : [ 1, 28, 28 ] },
          { "name" : "meta", "shape" : [ 16 ] }
        ],
        "layers" : [
          { "type" : "flatten", "name" : "flat", "inputs" : [ "image" ] },
          { "type" : "concat", "name" : "joined", "inputs" : [ "flat", "meta" ], "axis" : -1 },
          { "type" : "dense", "name" : "head", "inputs" : [ "joined" ], "units" : 10, "bias" : true, "init" : "glorot_normal" },
          { "type" : "reshape", "name" : "grid", "inputs" : [ "head" ], "shape" : [ 2, -1 ] }
        ],
        "outputs" : [ "grid" ]
      }""";

  private static final String MULTI_OUTPUT = """
      {
        "format_version" : 1,
        "inputs" : [ { "name" : "features", "shape" : [ 20 ] } ],
        "layers" : [
          { "type" : "dense", "name" : "trunk", "inputs" : [ "features" ], "units" : 32, "bias" : true, "init" : "he_normal" },
          { "type" : "activation", "name" : "gelu_1", "inputs" : [ "trunk" ], "function" : "gelu" },
          { "type" : "dense", "name" : "class_logits", "inputs" : [ "gelu_1" ], "units" : 5, "bias" : true, "init" : "uniform" },
          { "type" : "activation", "name" : "class_log_probs", "inputs" : [ "class_logits" ], "function" : "log_softmax" },
          { "type" : "dense", "name" : "value", "inputs" : [ "gelu_1" ], "units" : 1, "bias" : true, "init" : "normal" },
          { "type" : "activation", "name" : "score", "inputs" : [ "value" ], "function" : "sigmoid" }
        ],
        "outputs" : [ "class_log_probs", "score", "trunk" ]
      }""";

  @Test
  void canonicalJsonRoundTripsExactly() {
    for (String json : List.of(MLP, RESIDUAL, TWO_INPUTS, MULTI_OUTPUT)) {
      NetworkSpec spec = NetworkSpec.fromJson(json);
      assertEquals(json, spec.toJson());
      assertEquals(spec, NetworkSpec.fromJson(spec.toJson()));
    }
  }

  @Test
  void mlpShorthandWritesCanonicalJson() {
    assertEquals(MLP, NetworkSpec.mlp(new int[] {784, 128, 10}, "relu").toJson());
  }

  @Test
  void builtResidualGraphMatchesItsJson() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 64);
    String h = b.addDense("h1", 64, false, "he_uniform", x);
    String act = b.addActivation("act", "leaky_relu", 0.2, h);
    String res = b.addAdd("res", x, b.addDropout("drop", 0.1, act));
    String elu = b.addActivation(null, "elu", res);
    b.addDense("out", 3, true, "zeros", elu);
    b.addActivation("probs", "softmax", "out");
    NetworkSpec spec = b.build();
    assertEquals(NetworkSpec.fromJson(RESIDUAL), spec);
    assertEquals(RESIDUAL, spec.toJson());
  }

  @Test
  void builtTwoInputNetworkMatchesItsJson() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String image = b.addInput("image", 1, 28, 28);
    String meta = b.addInput("meta", 16);
    String joined = b.addConcat("joined", -1, b.addFlatten("flat", image), meta);
    b.addDense("head", 10, true, "glorot_normal", joined);
    b.addReshape("grid", "head", 2, -1);
    NetworkSpec spec = b.build();
    assertEquals(TWO_INPUTS, spec.toJson());
    assertEquals(List.of(2, 5), spec.outputShape());
  }

  @Test
  void omittedOptionalFieldsTakeDefaultsAndAreWrittenOut() {
    String lenient = """
        {"format_version": 1,
         "inputs": [{"name": "features", "shape": [4]}],
         "layers": [
           {"type": "dense", "name": "d1", "units": 8},
           {"type": "activation", "name": "a1", "function": "leaky_relu"},
           {"type": "activation", "name": "a2", "function": "elu"},
           {"type": "activation", "name": "a3", "function": "tanh"},
           {"type": "concat", "name": "c", "inputs": ["a3", "d1"]},
           {"type": "dropout", "name": "drop", "rate": 0},
           {"type": "dense", "name": "d2", "units": 2, "bias": false}
         ]}""";
    String canonical = """
        {
          "format_version" : 1,
          "inputs" : [ { "name" : "features", "shape" : [ 4 ] } ],
          "layers" : [
            { "type" : "dense", "name" : "d1", "inputs" : [ "features" ], "units" : 8, "bias" : true, "init" : "glorot_uniform" },
            { "type" : "activation", "name" : "a1", "inputs" : [ "d1" ], "function" : "leaky_relu", "alpha" : 0.01 },
            { "type" : "activation", "name" : "a2", "inputs" : [ "a1" ], "function" : "elu", "alpha" : 1.0 },
            { "type" : "activation", "name" : "a3", "inputs" : [ "a2" ], "function" : "tanh" },
            { "type" : "concat", "name" : "c", "inputs" : [ "a3", "d1" ], "axis" : -1 },
            { "type" : "dropout", "name" : "drop", "inputs" : [ "c" ], "rate" : 0.0 },
            { "type" : "dense", "name" : "d2", "inputs" : [ "drop" ], "units" : 2, "bias" : false, "init" : "glorot_uniform" }
          ],
          "outputs" : [ "d2" ]
        }""";
    NetworkSpec spec = NetworkSpec.fromJson(lenient);
    assertEquals(canonical, spec.toJson());
    assertEquals(spec, NetworkSpec.fromJson(canonical));
    assertEquals(List.of(2), spec.outputShape());
  }

  @Test
  void singleLayerNetworkKeepsItsLayerOnOneLine() {
    String json = """
        {
          "format_version" : 1,
          "inputs" : [ { "name" : "x", "shape" : [ 3, 4 ] } ],
          "layers" : [ { "type" : "flatten", "name" : "flat", "inputs" : [ "x" ] } ],
          "outputs" : [ "flat" ]
        }""";
    assertEquals(json, NetworkSpec.fromJson(json).toJson());
  }

  @Test
  void doublesRoundTripBitForBit() {
    NetworkSpec spec = NetworkSpec.builder()
        .input("x", 10).dense(10).leakyRelu(1e-7).dropout(0.30000000000000004).elu(0.1 + 0.2).build();
    NetworkSpec back = NetworkSpec.fromJson(spec.toJson());
    assertEquals(spec, back);
    assertEquals(0.30000000000000004, ((Dropout) back.layers().get(2)).rate());
    assertEquals(1e-7, ((Activation) back.layers().get(1)).alpha());
  }

  @Test
  void differentSpecsGiveDifferentJson() {
    NetworkSpec a = NetworkSpec.mlp(new int[] {4, 3}, "relu");
    NetworkSpec b = NetworkSpec.mlp(new int[] {4, 2}, "relu");
    assertNotEquals(a, b);
    assertNotEquals(a.toJson(), b.toJson());
  }
}
