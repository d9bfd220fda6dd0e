package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * Embedding, LSTM and GRU layers against ONNX Runtime. The fixtures in {@code
 * src/test/resources/fixtures/onnx} (made by {@code make_recurrent_fixtures.py} there, which also
 * checks ONNX Runtime against PyTorch's formulas and lists the tool versions in {@code
 * recurrent_cases.json}) hold, per case, an input (batch first), the lengths where the case has
 * them, weights under our parameter names (PyTorch's), the layer as spec JSON, and ONNX Runtime's
 * output. Each case is built from its JSON through the network spec and run in float32 and
 * float64; every element must be within {@value OnnxFixtures#TOLERANCE} of the reference,
 * relative to its magnitude (or absolute below 1).
 */
class RecurrentOnnxFixturesTest {
  private static OnnxFixtures fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    fixtures = OnnxFixtures.open("recurrent_cases.json", "recurrent.safetensors");
  }

  @AfterAll
  static void close() throws IOException {
    fixtures.close();
  }

  @TestFactory
  Stream<DynamicTest> everyLayerMatchesOnnxRuntime() {
    return fixtures.everyCase(c -> c.get("onnx_ops").toString(), RecurrentOnnxFixturesTest::check);
  }

  @Test
  void theFixturesCoverEveryOption() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : fixtures.cases()) {
      JsonNode layer = c.get("layer");
      String type = layer.get("type").asText();
      covered.add(type + (layer.has("padding_index") ? ".padding_index" : ""));
      if (!type.equals("embedding")) {
        covered.add(type + ".layers=" + layer.get("num_layers").asInt() + ".bidirectional="
            + layer.get("bidirectional").asBoolean() + ".sequences=" + layer.get("return_sequences").asBoolean()
            + ".lengths=" + (layer.get("inputs").size() == 2) + ".simd=" + (layer.get("hidden_size").asInt() % 8 == 0));
      }
    }
    List<String> needed = new ArrayList<>(List.of("embedding", "embedding.padding_index"));
    for (String cell : List.of("lstm", "gru")) {
      for (int layers = 1; layers <= 2; layers++) {
        for (boolean bi : new boolean[] {false, true}) {
          for (boolean seq : new boolean[] {false, true}) {
            for (boolean lengths : new boolean[] {false, true}) {
              String prefix = cell + ".layers=" + layers + ".bidirectional=" + bi + ".sequences=" + seq + ".lengths="
                  + lengths + ".simd=";
              assertTrue(covered.contains(prefix + "true") || covered.contains(prefix + "false"), prefix);
            }
          }
        }
      }
      assertTrue(covered.stream().anyMatch(s -> s.startsWith(cell) && s.endsWith("simd=true")), cell);
      assertTrue(covered.stream().anyMatch(s -> s.startsWith(cell) && s.endsWith("simd=false")), cell);
    }
    for (String n : needed) {
      assertTrue(covered.contains(n), n + " is not covered by " + covered);
    }
  }

  private static void check(JsonNode c, DType dt) throws IOException {
    String name = c.get("name").asText();
    int batch = c.get("batch").asInt();
    boolean masked = !c.get("lengths").isNull();
    try (Network net = Network.uninitialised(OnnxFixtures.singleLayer(c, masked), fixtures.backend(), dt);
        Scope s = fixtures.backend().openScope(name)) {
      fixtures.loadWeights(s, dt, name + ".", "layer.", List.of(net.parameters()));
      Tape tape = new Tape(s, false, 0);
      Map<String, Var> feed = new HashMap<>();
      Tensor x = fixtures.read(s, name + ".x", dt);
      feed.put("x", tape.constant(x.reshape(net.shapeOf("x").prepend(batch).toArray())));
      if (masked) {
        feed.put("lengths", tape.constant(fixtures.read(s, name + ".lengths", dt).reshape(batch, 1)));
      }
      Tensor y = net.forward(feed).get("layer").value();
      fixtures.assertMatchesOnnxRuntime(s, name, y, c.get("output"));
    }
  }
}
