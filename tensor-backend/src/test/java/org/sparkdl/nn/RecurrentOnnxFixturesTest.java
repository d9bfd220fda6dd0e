package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
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
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.TensorInfo;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Embedding, LSTM and GRU layers against ONNX Runtime. The fixtures in {@code
 * src/test/resources/fixtures/onnx} (made by {@code make_recurrent_fixtures.py} there, which also
 * checks ONNX Runtime against PyTorch's formulas and lists the tool versions in {@code
 * recurrent_cases.json}) hold, per case, an input (batch first), the lengths where the case has
 * them, weights under our parameter names (PyTorch's), the layer as spec JSON, and ONNX Runtime's
 * output. Each case is built from its JSON through the network spec and run in float32 and
 * float64; every element must be within {@value OnnxFixturesTest#TOLERANCE} of the reference,
 * relative to its magnitude (or absolute below 1).
 */
class RecurrentOnnxFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CpuBackend be;
  private static JsonNode cases;
  private static SafeTensorsReader fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    be = new CpuBackend(2);
    Path dir = Path.of(RecurrentOnnxFixturesTest.class.getResource("/fixtures/onnx/recurrent_cases.json").toURI())
        .getParent();
    cases = JSON.readTree(dir.resolve("recurrent_cases.json").toFile());
    fixtures = SafeTensorsReader.open(dir.resolve("recurrent.safetensors"));
  }

  @AfterAll
  static void close() throws IOException {
    fixtures.close();
    assertEquals(0, be.liveBytes());
    be.close();
  }

  @TestFactory
  Stream<DynamicTest> everyLayerMatchesOnnxRuntime() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("cases")) {
      for (DType dt : DType.values()) {
        tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " (" + c.get("onnx_ops") + ", " + dt + ")",
            () -> check(c, dt)));
      }
    }
    return tests.stream();
  }

  @Test
  void theFixturesCoverEveryOption() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : cases.get("cases")) {
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
    ObjectNode spec = JSON.createObjectNode();
    spec.put("format_version", 1);
    ArrayNode inputs = spec.putArray("inputs");
    ObjectNode x = inputs.addObject();
    x.put("name", "x");
    x.set("shape", c.get("input"));
    boolean masked = !c.get("lengths").isNull();
    if (masked) {
      ObjectNode lengths = inputs.addObject();
      lengths.put("name", "lengths");
      lengths.putArray("shape").add(1);
    }
    spec.putArray("layers").add(c.get("layer"));
    try (Network net = Network.uninitialised(NetworkSpec.fromJson(spec.toString()), be, dt);
        Scope s = be.openScope(name)) {
      Set<String> expectedWeights = new TreeSet<>();
      for (TensorInfo t : fixtures.tensors()) {
        if (t.name().startsWith(name + ".layer.")) {
          expectedWeights.add(t.name().substring(name.length() + 1));
        }
      }
      Set<String> loaded = new TreeSet<>();
      for (Parameter p : net.parameters().parameters()) {
        be.copy(read(s, name + "." + p.name(), dt), p.value().reshape(-1));
        loaded.add(p.name());
      }
      assertEquals(expectedWeights, loaded, "weights of " + name);
      Tape tape = new Tape(s, false, 0);
      Map<String, Var> feed = new HashMap<>();
      feed.put("x", tape.constant(read(s, name + ".x", dt).reshape(net.shapeOf("x").prepend(batch).toArray())));
      if (masked) {
        feed.put("lengths", tape.constant(read(s, name + ".lengths", dt).reshape(batch, 1)));
      }
      Tensor y = net.forward(feed).get("layer").value();
      double[] expected = read(s, name + ".y", DType.FLOAT64).toDoubleArray();
      double[] found = y.toDoubleArray();
      assertEquals(expected.length, found.length, name + ": output " + y.shape() + " vs ONNX " + c.get("output"));
      for (int i = 0; i < expected.length; i++) {
        double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
        assertTrue(err <= OnnxFixturesTest.TOLERANCE, name + " element " + i + ": " + found[i] + ", ONNX Runtime "
            + expected[i]);
      }
    }
  }

  /** A fixture tensor, flattened, in {@code dt}. */
  private static Tensor read(Scope s, String tensor, DType dt) throws IOException {
    TensorInfo info = fixtures.tensor(tensor);
    ByteBuffer bytes = ByteBuffer.allocate((int) info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    fixtures.read(tensor, bytes.duplicate());
    float[] values = new float[(int) info.numElements()];
    bytes.asFloatBuffer().get(values);
    return s.of(dt, Shape.of(values.length), values);
  }
}
