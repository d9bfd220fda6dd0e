package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.sparkdl.backend.Backend;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.TensorInfo;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.FixtureTensors;

/**
 * One set of ONNX Runtime fixtures from {@code src/test/resources/fixtures/onnx}: the cases JSON
 * written by a {@code make_*fixtures.py} script there and the safetensors file of inputs, weights
 * and ONNX Runtime outputs (stored as float32) beside it, with the CPU backend the cases run on.
 * Closing it closes the file and checks that the cases left no tensor alive on the backend.
 */
final class OnnxFixtures implements AutoCloseable {
  /** Largest error allowed per element, relative to the reference's magnitude (absolute below 1). */
  static final double TOLERANCE = 1e-5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Backend be;
  private final JsonNode cases;
  private final SafeTensorsReader tensors;

  private OnnxFixtures(Backend be, JsonNode cases, SafeTensorsReader tensors) {
    this.be = be;
    this.cases = cases;
    this.tensors = tensors;
  }

  /** Opens {@code casesJson} and {@code safetensors}, both in the fixtures' resource directory. */
  static OnnxFixtures open(String casesJson, String safetensors) throws IOException, URISyntaxException {
    Path dir = Path.of(OnnxFixtures.class.getResource("/fixtures/onnx/" + casesJson).toURI()).getParent();
    JsonNode cases = JSON.readTree(dir.resolve(casesJson).toFile());
    return new OnnxFixtures(org.sparkdl.testing.TestBackends.create(2), cases, SafeTensorsReader.open(dir.resolve(safetensors)));
  }

  Backend backend() {
    return be;
  }

  /** The {@code cases} array of the JSON. */
  JsonNode cases() {
    return cases.get("cases");
  }

  /** What runs one case in one dtype. */
  interface CaseCheck {
    void run(JsonNode c, DType dt) throws Exception;
  }

  /**
   * One test per case and dtype, named {@code "<name> (<detail>, <dtype>)"}, or {@code "<name>
   * (<dtype>)"} where {@code detail} gives null.
   */
  Stream<DynamicTest> everyCase(Function<JsonNode, String> detail, CaseCheck check) {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases()) {
      String d = detail.apply(c);
      for (DType dt : DType.values()) {
        String label = c.get("name").asText() + " (" + (d == null ? "" : d + ", ") + dt + ")";
        tests.add(DynamicTest.dynamicTest(label, () -> check.run(c, dt)));
      }
    }
    return tests.stream();
  }

  /**
   * The network of one layer, {@code c.layer}, named {@code layer}, over an input {@code x} of
   * shape {@code c.input} and, where {@code withLengths}, an input {@code lengths} of shape [1].
   */
  static NetworkSpec singleLayer(JsonNode c, boolean withLengths) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("format_version", 1);
    ArrayNode inputs = spec.putArray("inputs");
    ObjectNode x = inputs.addObject();
    x.put("name", "x");
    x.set("shape", c.get("input"));
    if (withLengths) {
      ObjectNode lengths = inputs.addObject();
      lengths.put("name", "lengths");
      lengths.putArray("shape").add(1);
    }
    spec.putArray("layers").add(c.get("layer"));
    return NetworkSpec.fromJson(spec.toString());
  }

  /**
   * Copies each parameter {@code p} of {@code stores} from the fixture tensor {@code prefix +
   * p.name()}, and asserts that these are exactly the fixture tensors under {@code prefix} whose
   * remaining name starts with {@code weightStart}: none missing, none left over.
   */
  void loadWeights(Scope s, DType dt, String prefix, String weightStart, List<ParameterStore> stores)
      throws IOException {
    Set<String> expected = new TreeSet<>();
    for (TensorInfo t : tensors.tensors()) {
      if (t.name().startsWith(prefix + weightStart)) {
        expected.add(t.name().substring(prefix.length()));
      }
    }
    Set<String> loaded = new TreeSet<>();
    for (ParameterStore store : stores) {
      for (Parameter p : store.parameters()) {
        be.copy(read(s, prefix + p.name(), dt), p.value().reshape(-1));
        loaded.add(p.name());
      }
    }
    assertEquals(expected, loaded, "weights of " + prefix);
  }

  /**
   * Asserts that {@code y} has as many elements as the reference {@code name.y} and that each is
   * within {@link #TOLERANCE} of it; {@code onnxShape} is ONNX Runtime's output shape, for the
   * message.
   */
  void assertMatchesOnnxRuntime(Scope s, String name, Tensor y, JsonNode onnxShape) throws IOException {
    double[] expected = read(s, name + ".y", DType.FLOAT64).toDoubleArray();
    double[] found = y.toDoubleArray();
    assertEquals(expected.length, found.length, name + ": output " + y.shape() + " vs ONNX " + onnxShape);
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      assertTrue(err <= TOLERANCE, name + " element " + i + ": " + found[i] + ", ONNX Runtime " + expected[i]);
    }
  }

  /** A fixture tensor, flattened, in {@code dt}. */
  Tensor read(Scope s, String tensor, DType dt) throws IOException {
    float[] values = FixtureTensors.floats(tensors, tensor);
    return s.of(dt, Shape.of(values.length), values);
  }

  @Override
  public void close() throws IOException {
    tensors.close();
    assertEquals(0, be.liveBytes());
    be.close();
  }
}
