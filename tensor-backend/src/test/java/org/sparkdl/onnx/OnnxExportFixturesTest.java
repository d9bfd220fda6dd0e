package org.sparkdl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.nn.Network;
import org.sparkdl.onnx.OnnxExporter.Kind;
import org.sparkdl.onnx.OnnxExporter.Output;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.testing.FixtureTensors;

/**
 * Networks of every layer type that has an ONNX form, exported, against ONNX Runtime. Each export
 * must equal, byte for byte, its golden file in {@code src/test/resources/fixtures/onnx/export}, on
 * which {@code make_export_fixtures.py} ran ONNX Runtime (outputs in {@code export.safetensors});
 * the network's own outputs must be within 1e-5 of those, relative to their magnitude (absolute
 * below 1). After a change to the export, rewrite the golden files with {@code -Dsparkdl.regenerate=true}
 * and run the script again.
 */
class OnnxExportFixturesTest {
  private static final Path GOLDEN = Path.of("src/test/resources/fixtures/onnx/export");
  private static Backend be;
  private static SafeTensorsReader tensors;

  /** One exported network: its spec, the export options and a seed for its weights. */
  record Case(String name, String specJson, OnnxExporter.Options options) {}

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("mlp_classifier", network("{\"name\": \"x\", \"shape\": [6]}",
        layer("dense", "d1", "\"units\": 8"), layer("activation", "a1", "\"function\": \"gelu\""),
        layer("dropout", "drop", "\"rate\": 0.3"), layer("dense", "d2", "\"units\": 5"),
        layer("activation", "a2", "\"function\": \"leaky_relu\", \"alpha\": 0.1"), layer("dense", "logits", "\"units\": 3")),
        new OnnxExporter.Options("features", new float[0], new float[0], List.of(new Output("rawPrediction", Kind.RAW),
            new Output("probability", Kind.SOFTMAX), new Output("prediction", Kind.ARGMAX)))));
    c.add(new Case("cnn", network("{\"name\": \"image\", \"shape\": [2, 8, 8]}",
        layer("conv2d", "c1", "\"filters\": 4, \"kernel\": 3, \"stride\": 2, \"padding\": \"same\", \"groups\": 2"),
        layer("batch_norm", "bn", "\"momentum\": 0.1, \"epsilon\": 0.001"), layer("activation", "r1", "\"function\": \"relu\""),
        layer("conv2d", "c2", "\"filters\": 6, \"kernel\": [3, 2], \"padding\": [1, 1], \"dilation\": [1, 2], \"bias\": false"),
        layer("max_pool2d", "mp", "\"kernel\": 2, \"stride\": 1, \"padding\": 1"),
        layer("avg_pool2d", "ap", "\"kernel\": 3, \"stride\": 2, \"padding\": 1, \"count_include_pad\": false"),
        layer("activation", "e1", "\"function\": \"elu\", \"alpha\": 0.5"), layer("global_avg_pool", "gap", ""),
        layer("flatten", "flat", ""), layer("dense", "out", "\"units\": 1"), layer("activation", "s", "\"function\": \"sigmoid\"")),
        new OnnxExporter.Options(null, new float[] {0.5f, 0.4f}, new float[] {0.2f, 0.3f},
            List.of(new Output("prediction", Kind.SCALAR)))));
    c.add(new Case("sequence_branches", network("{\"name\": \"x\", \"shape\": [5, 4]}",
        layer("dense", "proj", "\"units\": 6"), layer("layer_norm", "ln", "\"axes\": 1, \"epsilon\": 0.00001"),
        layer("activation", "t", "\"function\": \"tanh\""),
        "{\"type\": \"conv1d\", \"name\": \"conv\", \"inputs\": [\"t\"], \"filters\": 5, \"kernel\": 2, \"padding\": \"same\"}",
        "{\"type\": \"add\", \"name\": \"sum\", \"inputs\": [\"t\", \"conv\"]}",
        "{\"type\": \"concat\", \"name\": \"cat\", \"inputs\": [\"sum\", \"ln\"], \"axis\": -1}",
        layer("reshape", "rs", "\"shape\": [10, -1]"), layer("layer_norm", "ln2", "\"axes\": 2, \"epsilon\": 0.001"),
        layer("flatten", "f", ""), layer("dense", "d", "\"units\": 4"), layer("activation", "ls", "\"function\": \"log_softmax\"")),
        OnnxExporter.Options.plain()));
    c.add(new Case("embedding_lstm", network("{\"name\": \"tokens\", \"shape\": [6]}",
        layer("embedding", "emb", "\"vocabulary_size\": 10, \"dimension\": 4"),
        layer("lstm", "lstm", "\"hidden_size\": 5, \"num_layers\": 2, \"bidirectional\": true, \"return_sequences\": true"),
        layer("flatten", "f", ""), layer("dense", "d", "\"units\": 2"), layer("activation", "sm", "\"function\": \"softmax\"")),
        OnnxExporter.Options.plain()));
    c.add(new Case("gru_lengths", network("{\"name\": \"x\", \"shape\": [5, 3]}, {\"name\": \"lengths\", \"shape\": [1]}",
        "{\"type\": \"gru\", \"name\": \"gru\", \"inputs\": [\"x\", \"lengths\"], \"hidden_size\": 4, \"bidirectional\": true}",
        layer("dense", "d", "\"units\": 2")), OnnxExporter.Options.plain()));
    c.add(new Case("lstm_lengths_last", network("{\"name\": \"x\", \"shape\": [5, 3]}, {\"name\": \"lengths\", \"shape\": [1]}",
        "{\"type\": \"lstm\", \"name\": \"lstm\", \"inputs\": [\"x\", \"lengths\"], \"hidden_size\": 3, \"num_layers\": 2}",
        "{\"type\": \"gru\", \"name\": \"gru\", \"inputs\": [\"x\"], \"hidden_size\": 2, \"num_layers\": 2,"
            + " \"return_sequences\": true}",
        layer("flatten", "f", ""),
        "{\"type\": \"concat\", \"name\": \"cat\", \"inputs\": [\"lstm\", \"f\"], \"axis\": 0}"), OnnxExporter.Options.plain()));
    // a transformer's feed-forward block with PyTorch's default GELU, written as torch.onnx writes it at opset 17
    c.add(new Case("sequence_gelu_erf", network("{\"name\": \"x\", \"shape\": [5, 4]}",
        layer("dense", "fc1", "\"units\": 8"), layer("activation", "act", "\"function\": \"gelu_erf\""),
        layer("dense", "fc2", "\"units\": 4"), "{\"type\": \"add\", \"name\": \"residual\", \"inputs\": [\"x\", \"fc2\"]}",
        layer("flatten", "f", ""), layer("dense", "out", "\"units\": 3")), OnnxExporter.Options.plain()));
    // SiLU, written as torch.onnx writes nn.SiLU() at opset 17 (Mul(x, Sigmoid(x))) and fused back on import
    c.add(new Case("mlp_silu", network("{\"name\": \"x\", \"shape\": [6]}",
        layer("dense", "fc1", "\"units\": 8"), layer("activation", "act", "\"function\": \"silu\""),
        layer("dense", "fc2", "\"units\": 3")), OnnxExporter.Options.plain()));
    // MobileNet's activations: ReLU6 as Clip(x, 0, 6), HardSwish, HardSigmoid(alpha 1/6, beta 0.5), as torch.onnx writes them
    c.add(new Case("cnn_mobile", network("{\"name\": \"image\", \"shape\": [2, 6, 6]}",
        layer("conv2d", "c1", "\"filters\": 4, \"kernel\": 3, \"padding\": \"same\""),
        layer("activation", "r6", "\"function\": \"relu6\""), layer("dense", "d1", "\"units\": 6"),
        layer("activation", "hs", "\"function\": \"hard_swish\""), layer("dense", "d2", "\"units\": 3"),
        layer("activation", "hsig", "\"function\": \"hard_sigmoid\"")), OnnxExporter.Options.plain()));
    // Mish as torch.onnx writes nn.Mish() at opset 17 (Softplus, Tanh, Mul), then a Softplus
    c.add(new Case("mlp_mish", network("{\"name\": \"x\", \"shape\": [6]}",
        layer("dense", "fc1", "\"units\": 8"), layer("activation", "act", "\"function\": \"mish\""),
        layer("dense", "fc2", "\"units\": 4"), layer("activation", "sp", "\"function\": \"softplus\""),
        layer("dense", "fc3", "\"units\": 3")), OnnxExporter.Options.plain()));
    // SELU as ONNX's Selu with the self-normalising constants
    c.add(new Case("mlp_selu", network("{\"name\": \"x\", \"shape\": [6]}",
        layer("dense", "fc1", "\"units\": 8"), layer("activation", "act", "\"function\": \"selu\""),
        layer("dense", "fc2", "\"units\": 3")), OnnxExporter.Options.plain()));
    return c;
  }

  private static String network(String inputs, String... layers) {
    return "{\"format_version\": 1, \"inputs\": [" + inputs + "], \"layers\": [" + String.join(", ", layers) + "]}";
  }

  private static String layer(String type, String name, String fields) {
    return "{\"type\": \"" + type + "\", \"name\": \"" + name + "\"" + (fields.isEmpty() ? "" : ", " + fields) + "}";
  }

  @BeforeAll
  static void open() throws IOException, URISyntaxException {
    be = org.sparkdl.testing.TestBackends.create(2);
    Path dir = Path.of(OnnxExportFixturesTest.class.getResource("/fixtures/onnx/export.safetensors").toURI()).getParent();
    tensors = SafeTensorsReader.open(dir.resolve("export.safetensors"));
  }

  @AfterAll
  static void close() throws IOException {
    tensors.close();
    assertEquals(0, be.liveBytes());
    be.close();
  }

  /** The network of {@code spec} with weights drawn under seed 7 and running statistics away from their defaults. */
  static OnnxNetwork weights(NetworkSpec spec) {
    try (Network net = Network.create(spec, be, DType.FLOAT32, 7)) {
      float[] buffers = new float[net.buffers().size()];
      for (Network.Slot s : Network.layout(spec)) {
        for (int i = 0; s.buffer() && i < s.size(); i++) {
          buffers[s.offset() + i] = s.name().endsWith("running_var") ? 1 + 0.5f * (float) Math.cos(i) : 0.2f * (float) Math.sin(i);
        }
      }
      return new OnnxNetwork(spec, net.parameters().values().toFloatArray(), buffers);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExportMatchesItsGoldenFileAndOnnxRuntime() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  private static void check(Case c) throws IOException {
    NetworkSpec spec = NetworkSpec.fromJson(c.specJson());
    OnnxNetwork n = weights(spec);
    byte[] bytes = OnnxExporter.export(n, c.options(), "test").toByteArray();
    Path golden = GOLDEN.resolve(c.name() + ".onnx");
    if (Boolean.getBoolean("sparkdl.regenerate")) {
      Files.createDirectories(GOLDEN);
      Files.write(golden, bytes);
    }
    assertArrayEquals(Files.readAllBytes(golden), bytes, c.name() + ": the export differs from " + golden
        + "; if the change is meant, rewrite it with -Dsparkdl.regenerate=true and run make_export_fixtures.py");
    Map<String, float[]> inputs = new LinkedHashMap<>();
    for (int i = 0; i < spec.inputs().size(); i++) {
      String graphName = i == 0 && c.options().featuresName() != null ? c.options().featuresName() : spec.inputs().get(i).name();
      inputs.put(spec.inputs().get(i).name(), read(c.name() + "." + graphName));
    }
    float[] out = forward(n, inputs, c.options());
    String outputName = c.options().outputs().isEmpty() ? spec.outputs().get(0) : c.options().outputs().get(0).name();
    float[] expected = read(c.name() + "." + outputName);
    assertEquals(expected.length, out.length, c.name() + ": output size");
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(out[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      assertTrue(err <= OnnxImportFixturesTest.TOLERANCE, c.name() + " element " + i + ": " + out[i] + ", ONNX Runtime "
          + expected[i]);
    }
    importedBack(c, bytes, inputs, expected, outputName);
    for (Output o : c.options().outputs()) {
      float[] head = read(c.name() + "." + o.name());
      if (o.kind() == Kind.SOFTMAX) {
        int classes = spec.outputShape().get(spec.outputShape().size() - 1);
        for (int r = 0; r < out.length / classes; r++) {
          double max = Double.NEGATIVE_INFINITY;
          double sum = 0;
          for (int j = 0; j < classes; j++) {
            max = Math.max(max, out[r * classes + j]);
          }
          for (int j = 0; j < classes; j++) {
            sum += Math.exp(out[r * classes + j] - max);
          }
          for (int j = 0; j < classes; j++) {
            assertEquals(Math.exp(out[r * classes + j] - max) / sum, head[r * classes + j], OnnxImportFixturesTest.TOLERANCE,
                c.name() + " probability " + r + "," + j);
          }
        }
      }
      if (o.kind() == Kind.ARGMAX) {
        int classes = out.length / head.length;
        for (int r = 0; r < head.length; r++) {
          assertEquals(org.sparkdl.train.Inference.argmax(out, r * classes, classes), (int) head[r], c.name() + " prediction " + r);
        }
      }
    }
  }

  /**
   * The export read back by the importer (recurrent layers included) gives ONNX Runtime's outputs
   * too, on the raw inputs (normalisation comes back as layers); the tanh form of GELU, spelled out
   * in elementwise operators at opset 17, does not read back, while the exact one is fused back into
   * {@code gelu_erf}.
   */
  private static void importedBack(Case c, byte[] bytes, Map<String, float[]> inputs, float[] expected, String output)
      throws IOException {
    if (c.specJson().contains("\"gelu\"")) {
      return;
    }
    OnnxNetwork back = OnnxImporter.read(bytes, c.name(), OnnxTensors.ExternalData.NONE,
        new OnnxImporter.Options(List.of(output), false, null)).network();
    Map<String, float[]> byName = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(inputs.keySet());
    for (int i = 0; i < names.size(); i++) {
      byName.put(back.spec().inputs().get(i).name(), inputs.get(names.get(i)));
    }
    float[] found = forward(back, byName, OnnxExporter.Options.plain());
    assertEquals(expected.length, found.length, c.name() + " imported back: output size");
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(found[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      assertTrue(err <= OnnxImportFixturesTest.TOLERANCE, c.name() + " imported back, element " + i + ": " + found[i]
          + ", ONNX Runtime " + expected[i]);
    }
    OnnxNetwork again = OnnxImporter.read(OnnxExporter.export(back, OnnxExporter.Options.plain(), "test").toByteArray(),
        c.name(), OnnxTensors.ExternalData.NONE, OnnxImporter.Options.all()).network();
    assertEquals(back.spec(), again.spec(), c.name() + ": spec after a second export and import");
    assertArrayEquals(back.weights(), again.weights(), c.name() + ": weights after a second export and import");
  }

  /** The network's first output for every row of {@code inputs} (by spec input name), normalised as the export does. */
  private static float[] forward(OnnxNetwork n, Map<String, float[]> inputs, OnnxExporter.Options options) {
    try (Network net = Network.uninitialised(n.spec(), be, DType.FLOAT32); Scope s = be.openScope("forward")) {
      net.parameters().values().copyFrom(n.weights());
      if (n.buffers().length > 0) {
        net.buffers().values().copyFrom(n.buffers());
      }
      Tape tape = new Tape(s, false, 0);
      Map<String, Var> feed = new LinkedHashMap<>();
      for (var in : n.spec().inputs()) {
        int[] shape = in.shape().stream().mapToInt(Integer::intValue).toArray();
        float[] x = inputs.get(in.name()).clone();
        int per = Shape.of(shape).size();
        if (in == n.spec().inputs().get(0) && options.channelMean().length > 0) {
          int block = per / options.channelMean().length;
          for (int j = 0; j < x.length; j++) {
            int ch = (j % per) / block;
            x[j] = (x[j] - options.channelMean()[ch]) / options.channelStd()[ch];
          }
        }
        feed.put(in.name(), tape.constant(s.of(DType.FLOAT32, Shape.of(shape).prepend(x.length / per), x)));
      }
      return net.forward(feed).get(n.spec().outputs().get(0)).value().toFloatArray();
    }
  }

  private static float[] read(String tensor) throws IOException {
    return FixtureTensors.floats(tensors, tensor);
  }

  @Test
  void aNetworkWithLayersThatHaveNoOnnxFormIsRefusedNamingThemAll() {
    NetworkSpec spec = NetworkSpec.fromJson(network("{\"name\": \"x\", \"shape\": [4, 8]}",
        layer("positional_embedding", "pos", ""), layer("multi_head_attention", "mha", "\"heads\": 2"),
        layer("sequence_mean_pool", "pool", "")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExporter.export(weights(spec), OnnxExporter.Options.plain(), "test"));
    // the mean over every step is ReduceMean; only the attention layers have no form
    assertEquals("The network cannot be written as ONNX: layers 'pos' (positional_embedding), 'mha'"
        + " (multi_head_attention) have no ONNX operator form here (supported: dense, activations, dropout, add, concat,"
        + " reshape, flatten, convolutions, pooling, normalisation, embedding, lstm, gru, the mean over a sequence's"
        + " steps without lengths).", e.getMessage());
  }
}
