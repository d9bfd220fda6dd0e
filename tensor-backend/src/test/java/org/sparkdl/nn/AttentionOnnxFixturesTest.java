package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Self-attention and whole Transformer encoder blocks against ONNX Runtime. The fixtures in {@code
 * src/test/resources/fixtures/onnx} (made by {@code make_attention_fixtures.py} there, which
 * writes the same computation with standard ONNX operators and lists the onnx, onnxruntime and
 * numpy versions in {@code attention_cases.json}) hold, per case, a network as spec JSON, its
 * inputs (the sequences and, where masked, their lengths), weights under our parameter names, and
 * ONNX Runtime's output. Each case runs in float32 and float64; every element must be within
 * {@value OnnxFixtures#TOLERANCE} of the reference, relative to its magnitude (or absolute below 1).
 */
class AttentionOnnxFixturesTest {
  private static OnnxFixtures fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    fixtures = OnnxFixtures.open("attention_cases.json", "attention.safetensors");
  }

  @AfterAll
  static void close() throws IOException {
    fixtures.close();
  }

  @TestFactory
  Stream<DynamicTest> everyCaseMatchesOnnxRuntime() {
    return fixtures.everyCase(c -> null, AttentionOnnxFixturesTest::check);
  }

  @Test
  void theFixturesCoverEveryOption() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : fixtures.cases()) {
      for (JsonNode layer : c.get("spec").get("layers")) {
        String type = layer.get("type").asText();
        covered.add(type);
        if (type.equals("multi_head_attention")) {
          covered.add(type + ".heads=" + layer.get("heads").asInt());
          covered.add(type + ".causal=" + layer.get("causal").asBoolean());
          covered.add(type + ".bias=" + layer.get("bias").asBoolean());
          covered.add(type + ".lengths=" + (layer.get("inputs").size() == 2));
        }
        if (type.equals("sequence_mean_pool")) {
          covered.add(type + ".lengths=" + (layer.get("inputs").size() == 2));
        }
      }
      c.get("onnx_ops").forEach(op -> covered.add("onnx:" + op.asText()));
    }
    for (String needed : List.of("multi_head_attention.heads=1", "multi_head_attention.heads=2",
        "multi_head_attention.heads=4", "multi_head_attention.causal=true", "multi_head_attention.causal=false",
        "multi_head_attention.bias=false", "multi_head_attention.lengths=true", "multi_head_attention.lengths=false",
        "layer_norm", "add", "dense", "dropout", "positional_embedding", "sequence_mean_pool.lengths=true",
        "onnx:Softmax", "onnx:Where", "onnx:LayerNormalization")) {
      assertTrue(covered.contains(needed), needed + " is not covered by " + covered);
    }
  }

  private static void check(JsonNode c, DType dt) throws IOException {
    String name = c.get("name").asText();
    NetworkSpec spec = NetworkSpec.fromJson(c.get("spec").toString());
    int batch = c.get("batch").asInt();
    try (Network net = Network.uninitialised(spec, fixtures.backend(), dt);
        Scope s = fixtures.backend().openScope(name)) {
      fixtures.loadWeights(s, dt, name + ".param.", "", List.of(net.parameters()));
      Tape tape = new Tape(s, false, 0);
      Map<String, Var> inputs = new LinkedHashMap<>();
      for (InputSpec in : spec.inputs()) {
        Tensor x = fixtures.read(s, name + ".input." + in.name(), dt);
        inputs.put(in.name(), tape.constant(x.reshape(Shape.of(in.shape()).prepend(batch).toArray())));
      }
      Tensor y = net.forward(inputs).get(spec.outputs().get(0)).value();
      fixtures.assertMatchesOnnxRuntime(s, name, y, c.get("output"));
    }
  }
}
