package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkdl.autograd.Tape;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * Convolution, pooling and normalisation layers against ONNX Runtime. The fixtures in {@code
 * src/test/resources/fixtures/onnx} (made by {@code make_fixtures.py} there, which lists the tool
 * versions in {@code cases.json}) hold, per case, an input, weights under our parameter names, the
 * equivalent layer as spec JSON, and ONNX Runtime's output. Each case is built from its JSON
 * through the network spec, so padding resolution and shape inference are checked too, and run in
 * float32 and float64; every element must be within {@value OnnxFixtures#TOLERANCE} of the reference, relative
 * to its magnitude (or absolute below 1).
 */
class OnnxFixturesTest {
  private static OnnxFixtures fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    fixtures = OnnxFixtures.open("cases.json", "fixtures.safetensors");
  }

  @AfterAll
  static void close() throws IOException {
    fixtures.close();
  }

  @TestFactory
  Stream<DynamicTest> everyLayerMatchesOnnxRuntime() {
    return fixtures.everyCase(c -> c.get("onnx_op").asText(), OnnxFixturesTest::check);
  }

  @Test
  void theFixturesCoverEveryOptionOfTheIssue() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : fixtures.cases()) {
      JsonNode layer = c.get("layer");
      covered.add(layer.get("type").asText());
      layer.fieldNames().forEachRemaining(f -> covered.add(layer.get("type").asText() + "." + f));
      if (layer.has("padding")) {
        covered.add(layer.get("type").asText() + ".padding=" + (layer.get("padding").isTextual() ? "same" : "explicit"));
      }
    }
    for (String needed : List.of("conv2d.stride", "conv2d.padding=explicit", "conv2d.padding=same", "conv2d.dilation",
        "conv2d.groups", "conv1d.stride", "conv1d.padding=same", "conv1d.dilation", "conv1d.groups",
        "max_pool2d.padding=same", "avg_pool2d.count_include_pad", "global_avg_pool", "batch_norm", "layer_norm.axes")) {
      assertTrue(covered.contains(needed), needed + " is not covered by " + covered);
    }
  }

  private static void check(JsonNode c, DType dt) throws IOException {
    String name = c.get("name").asText();
    try (Network net = Network.uninitialised(OnnxFixtures.singleLayer(c, false), fixtures.backend(), dt);
        Scope s = fixtures.backend().openScope(name)) {
      fixtures.loadWeights(s, dt, name + ".", "layer.", List.of(net.parameters(), net.buffers()));
      Tensor x = fixtures.read(s, name + ".x", dt);
      int batch = c.get("batch").asInt();
      Tape tape = new Tape(s, false, 0);
      Tensor y = net.forward(tape.constant(x.reshape(net.inputShape().prepend(batch).toArray()))).value();
      fixtures.assertMatchesOnnxRuntime(s, name, y, c.get("output"));
    }
  }
}
