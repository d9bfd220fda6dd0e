package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.TensorInfo;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Convolution, pooling and normalisation layers against ONNX Runtime. The fixtures in {@code
 * src/test/resources/fixtures/onnx} (made by {@code make_fixtures.py} there, which lists the tool
 * versions in {@code cases.json}) hold, per case, an input, weights under our parameter names, the
 * equivalent layer as spec JSON, and ONNX Runtime's output. Each case is built from its JSON
 * through the network spec, so padding resolution and shape inference are checked too, and run in
 * float32 and float64; every element must be within {@value #TOLERANCE} of the reference, relative
 * to its magnitude (or absolute below 1).
 */
class OnnxFixturesTest {
  static final double TOLERANCE = 1e-5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CpuBackend be;
  private static JsonNode cases;
  private static SafeTensorsReader fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    be = new CpuBackend(2);
    Path dir = Path.of(OnnxFixturesTest.class.getResource("/fixtures/onnx/cases.json").toURI()).getParent();
    cases = JSON.readTree(dir.resolve("cases.json").toFile());
    fixtures = SafeTensorsReader.open(dir.resolve("fixtures.safetensors"));
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
        tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " (" + c.get("onnx_op").asText() + ", " + dt + ")",
            () -> check(c, dt)));
      }
    }
    return tests.stream();
  }

  @Test
  void theFixturesCoverEveryOptionOfTheIssue() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : cases.get("cases")) {
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
    ObjectNode spec = JSON.createObjectNode();
    spec.put("format_version", 1);
    ObjectNode input = spec.putArray("inputs").addObject();
    input.put("name", "x");
    input.set("shape", c.get("input"));
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
      for (ParameterStore store : List.of(net.parameters(), net.buffers())) {
        for (Parameter p : store.parameters()) {
          be.copy(read(s, name + "." + p.name(), dt), p.value().reshape(-1));
          loaded.add(p.name());
        }
      }
      assertEquals(expectedWeights, loaded, "weights of " + name);
      Tensor x = read(s, name + ".x", dt);
      int batch = c.get("batch").asInt();
      Tape tape = new Tape(s, false, 0);
      Tensor y = net.forward(tape.constant(x.reshape(net.inputShape().prepend(batch).toArray()))).value();
      double[] expected = read(s, name + ".y", DType.FLOAT64).toDoubleArray();
      double[] found = y.toDoubleArray();
      assertEquals(expected.length, found.length, name + ": output " + y.shape() + " vs ONNX " + c.get("output"));
      double worst = 0;
      for (int i = 0; i < expected.length; i++) {
        double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
        worst = Math.max(worst, err);
        assertTrue(err <= TOLERANCE, name + " element " + i + ": " + found[i] + ", ONNX Runtime " + expected[i]);
      }
      assertTrue(worst <= TOLERANCE);
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
