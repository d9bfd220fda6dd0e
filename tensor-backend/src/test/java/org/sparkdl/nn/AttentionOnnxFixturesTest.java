package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.TensorInfo;
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
 * {@value #TOLERANCE} of the reference, relative to its magnitude (or absolute below 1).
 */
class AttentionOnnxFixturesTest {
  static final double TOLERANCE = 1e-5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CpuBackend be;
  private static JsonNode cases;
  private static SafeTensorsReader fixtures;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    be = new CpuBackend(2);
    Path dir = Path.of(AttentionOnnxFixturesTest.class.getResource("/fixtures/onnx/attention_cases.json").toURI())
        .getParent();
    cases = JSON.readTree(dir.resolve("attention_cases.json").toFile());
    fixtures = SafeTensorsReader.open(dir.resolve("attention.safetensors"));
  }

  @AfterAll
  static void close() throws IOException {
    fixtures.close();
    assertEquals(0, be.liveBytes());
    be.close();
  }

  @TestFactory
  Stream<DynamicTest> everyCaseMatchesOnnxRuntime() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("cases")) {
      for (DType dt : DType.values()) {
        tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " (" + dt + ")", () -> check(c, dt)));
      }
    }
    return tests.stream();
  }

  @Test
  void theFixturesCoverEveryOption() {
    Set<String> covered = new TreeSet<>();
    for (JsonNode c : cases.get("cases")) {
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
    try (Network net = Network.uninitialised(spec, be, dt); Scope s = be.openScope(name)) {
      Set<String> expectedWeights = new TreeSet<>();
      for (TensorInfo t : fixtures.tensors()) {
        if (t.name().startsWith(name + ".param.")) {
          expectedWeights.add(t.name().substring((name + ".param.").length()));
        }
      }
      Set<String> loaded = new TreeSet<>();
      for (Parameter p : net.parameters().parameters()) {
        be.copy(read(s, name + ".param." + p.name(), dt), p.value().reshape(-1));
        loaded.add(p.name());
      }
      assertEquals(expectedWeights, loaded, "weights of " + name);
      Tape tape = new Tape(s, false, 0);
      Map<String, Var> inputs = new LinkedHashMap<>();
      for (InputSpec in : spec.inputs()) {
        Tensor x = read(s, name + ".input." + in.name(), dt);
        inputs.put(in.name(), tape.constant(x.reshape(Shape.of(in.shape()).prepend(batch).toArray())));
      }
      Tensor y = net.forward(inputs).get(spec.outputs().get(0)).value();
      double[] expected = read(s, name + ".y", DType.FLOAT64).toDoubleArray();
      double[] found = y.toDoubleArray();
      assertEquals(expected.length, found.length, name + ": output " + y.shape() + " vs ONNX " + c.get("output"));
      for (int i = 0; i < expected.length; i++) {
        double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
        assertTrue(err <= TOLERANCE, name + " element " + i + ": " + found[i] + ", ONNX Runtime " + expected[i]);
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
