package org.sparkdl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkdl.backend.Backend;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.nn.Network;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.train.Inference;
import org.sparkdl.testing.FixtureTensors;

/**
 * Whole ONNX models in the node patterns PyTorch and Keras export, imported into this library's
 * layers and run, against ONNX Runtime's outputs: the fixtures in {@code
 * src/test/resources/fixtures/onnx/import} (made by {@code make_import_fixtures.py}, which records
 * the tool versions in {@code import_cases.json}), and models exported by PyTorch itself in {@code
 * .../onnx/pytorch} ({@code make_pytorch_fixtures.py}, {@code pytorch_cases.json}). Every element must be within 1e-5 of the
 * reference, relative to its magnitude (absolute below 1). Each imported network, exported and
 * imported again, has the same spec, the same weights bit for bit and the same outputs (GELU, which
 * opset 17 lacks, is spelled out by the export and fused back by the import, in both forms).
 */
class OnnxImportFixturesTest {
  static final double TOLERANCE = 1e-5;
  private static Path dir;
  /** Per fixture set, its cases and its tensors. */
  private static final List<JsonNode> CASES = new ArrayList<>();
  private static final List<SafeTensorsReader> TENSORS = new ArrayList<>();
  private static Backend be;

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    dir = Path.of(OnnxImportFixturesTest.class.getResource("/fixtures/onnx/import_cases.json").toURI()).getParent();
    for (String set : new String[] {"import", "pytorch"}) {
      CASES.add(new ObjectMapper().readTree(dir.resolve(set + "_cases.json").toFile()).get("cases"));
      TENSORS.add(SafeTensorsReader.open(dir.resolve(set + ".safetensors")));
    }
    be = org.sparkdl.testing.TestBackends.create(2);
  }

  @AfterAll
  static void close() throws IOException {
    for (SafeTensorsReader t : TENSORS) {
      t.close();
    }
    assertEquals(0, be.liveBytes());
    be.close();
  }

  @TestFactory
  Stream<DynamicTest> everyModelMatchesOnnxRuntime() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int set = 0; set < CASES.size(); set++) {
      SafeTensorsReader tensors = TENSORS.get(set);
      for (JsonNode c : CASES.get(set)) {
        tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " (opset " + c.get("opset").asInt() + ")",
            () -> check(c, tensors)));
      }
    }
    return tests.stream();
  }

  private static void check(JsonNode c, SafeTensorsReader tensors) throws IOException {
    String name = c.get("name").asText();
    byte[] bytes = Files.readAllBytes(dir.resolve(c.get("file").asText()));
    OnnxImporter.Imported imported = OnnxImporter.read(bytes, c.get("file").asText(), OnnxTensors.ExternalData.NONE,
        OnnxImporter.Options.all());
    String input = c.get("inputs").get(0).asText();
    String output = c.get("outputs").get(0).asText();
    float[] x = FixtureTensors.floats(tensors, name + "." + input);
    float[] expected = FixtureTensors.floats(tensors, name + "." + output);
    float[] found = run(imported.network(), x);
    assertEquals(expected.length, found.length, name + ": output size");
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      assertTrue(err <= TOLERANCE, name + " element " + i + ": " + found[i] + ", ONNX Runtime " + expected[i]);
    }
    byte[] exported = OnnxExporter.export(imported.network(), OnnxExporter.Options.plain(), "test").toByteArray();
    OnnxNetwork again = OnnxImporter.read(exported, name + " exported", OnnxTensors.ExternalData.NONE,
        OnnxImporter.Options.all()).network();
    assertEquals(imported.network().spec(), again.spec(), name + ": spec after export and import");
    assertArrayEquals(imported.network().weights(), again.weights(), name + ": weights after export and import");
    assertArrayEquals(imported.network().buffers(), again.buffers(), name + ": buffers after export and import");
    assertArrayEquals(found, run(again, x), name + ": outputs after export and import");
  }

  static float[] run(OnnxNetwork n, float[] x) {
    try (Network net = Network.uninitialised(n.spec(), be, DType.FLOAT32)) {
      net.parameters().values().copyFrom(n.weights());
      if (n.buffers().length > 0) {
        net.buffers().values().copyFrom(n.buffers());
      }
      Shape sample = Shape.of(n.spec().inputs().get(0).shape().stream().mapToInt(Integer::intValue).toArray());
      return Inference.predict(net, x, sample, 2);
    }
  }

  @Test
  void aPadIsReadOnlyWhereItFoldsIntoTheLayersReadingIt() throws IOException {
    assertEquals("unsupported_pad.onnx: 4 nodes cannot be expressed with this library's layers:\n"
        + "  Pad node '/Pad_1' (output 'pad_1'): its output is read by MaxPool; a zero Pad is read where it folds into the"
        + " convolutions or average poolings reading it, or into the max poolings of a ReLU's, sigmoid's or softmax's"
        + " output, which a padded zero never outweighs (there is no padding layer)\n"
        + "  Pad node '/Pad_3' (output 'pad_3'): mode 'reflect'; zero padding (mode 'constant') is read\n"
        + "  Pad node '/Pad_5' (output 'pad_5'): it pads the batch or channel axis; padding of the spatial axes folds into"
        + " a convolution\n"
        + "  AveragePool node '/AveragePool_8' (output 'averagepool_8'): count_include_pad=0 with pads of its own after a"
        + " zero Pad: the average would count the Pad's zeros and not its own padding, which one pooling layer cannot do",
        importError("unsupported_pad.onnx"));
  }

  @Test
  void anUnsupportedModelFailsWithOneMessageListingEveryUnsupportedNode() throws IOException {
    assertEquals("unsupported.onnx: 3 nodes cannot be expressed with this library's layers:\n"
        + "  ConstantOfShape node '/ConstantOfShape_9' (output 'constantofshape_9'): it fills a tensor shaped by the batch"
        + " size at run time with 0.5; only zeros of such a shape are read, as a recurrent layer's initial state\n"
        + "  Erf node '/Erf_11' (output 'erf_11'): no layer computes Erf\n"
        + "  Mul node '/Mul_15' (output 'y'): Mul of two computed values; only their sum is a layer",
        importError("unsupported.onnx"));
  }

  @Test
  void activationsWhoseParametersNoLayerHasAreNamed() throws IOException {
    assertEquals("unsupported_activation.onnx: 6 nodes cannot be expressed with this library's layers:\n"
        + "  Clip node '/Clip_4' (output 'clip_4'): it clips to [-1.0, 1.0]; [0, 6] (relu6) and [0, inf) (relu) are read\n"
        + "  HardSigmoid node '/HardSigmoid_5' (output 'hardsigmoid_5'): alpha=0.2, beta=0.5; only alpha 1/6 and beta 0.5"
        + " (relu6(x + 3) / 6, PyTorch's nn.Hardsigmoid, the hard_sigmoid activation) are read\n"
        + "  Swish node '/Swish_6' (output 'swish_6'): alpha=2.0; only 1 (x sigmoid(x), the silu activation) is read\n"
        + "  Selu node '/Selu_7' (output 'selu_7'): alpha=1.0, gamma=2.0; only the defaults 1.6732632 and 1.050701 (the"
        + " self-normalising constants, the selu activation) are read\n"
        + "  ReduceMax node '/ReduceMax_8' (output 'reducemax_8'): no layer computes ReduceMax\n"
        + "  Clip node '/Clip_9' (output 'y'): its max (input 2) must be one constant value",
        importError("unsupported_activation.onnx"));
  }

  /** The message of the import of fixture {@code file}, which must fail. */
  @Test
  void aRecurrentSequenceReadAtAStepOtherThanTheLastIsNamed() throws IOException {
    // PyTorch's out[:, 0, :]: the layer gives its last state when its sequence is read through one Gather, which
    // must then take the last step
    String message = importError("pytorch/unsupported_first_step.onnx");
    assertTrue(message.startsWith("pytorch/unsupported_first_step.onnx: 1 node cannot be expressed with this"
        + " library's layers:\n  Gather node '/Gather"), message);
    assertTrue(message.endsWith("it takes step 0 of a recurrent layer's sequence along axis 1; of a sequence read only"
        + " through a Gather, the last step (index -1 along the steps' axis) is read"), message);
  }

  private static String importError(String file) throws IOException {
    byte[] bytes = Files.readAllBytes(dir.resolve(file.contains("/") ? file : "import/" + file));
    return assertThrows(ModelFileException.class, () -> OnnxImporter.read(bytes, file, OnnxTensors.ExternalData.NONE,
        OnnxImporter.Options.all())).getMessage();
  }
}
