package org.sparkdl.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.sparkdl.testing.ThreadAllocations.allocatedBytes;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.onnx.proto.OnnxProto.GraphProto;
import org.sparkdl.onnx.proto.OnnxProto.ModelProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.onnx.proto.OnnxProto.StringStringEntryProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;

/**
 * Feeds the importer damaged and hostile ONNX files: every truncation and thousands of byte-level
 * mutations of real models, and hand-made models with tensors larger than their data, overflowing
 * dims, external data escaping the folder, cycles and undefined values. Each must import or fail
 * with a {@link ModelFileException} naming the file; nothing else may escape, and no case may
 * allocate in proportion to a size the file merely declares.
 */
class OnnxImportFuzzTest {
  private static final long SEED = 0x0_77_2a_fe_11L;
  private static final int CASES = 4000;
  private static final String NAME = "fuzz.onnx";
  /** Fixed overhead an import may allocate (spec, shapes, protobuf objects) on top of a multiple of the file size. */
  private static final long ALLOCATION_ALLOWANCE = 8L << 20;

  private final Random rnd = new Random(SEED);
  /** An external-data reader that must never be reached by a location the importer should refuse. */
  private final OnnxTensors.ExternalData external = (location, offset, length) -> {
    if (location.contains("..") || location.startsWith("/")) {
      fail("external data '" + location + "' reached the reader");
    }
    throw new ModelFileException(location, "does not exist.");
  };
  private int accepted;
  private int rejected;

  @Test
  void damagedFilesImportOrFailOnlyWithModelFileException() throws IOException, URISyntaxException {
    long started = System.nanoTime();
    // PyTorch's own exports too: F.pad's ConstantOfShape/Slice subgraph, a recurrent layer's run-time zero state
    for (String model : List.of("cnn", "mlp_matmul_add", "pytorch/torch_cnn", "pytorch/torch_lstm_last_step")) {
      byte[] base = fixture(model);
      for (int length = 0; length < base.length; length++) {
        check(Arrays.copyOf(base, length), model + " truncated to " + length);
      }
      for (int i = 0; i < CASES; i++) {
        byte[] file = base.clone();
        int edits = 1 + rnd.nextInt(i % 3 == 0 ? 16 : 2);
        for (int e = 0; e < edits; e++) {
          int at = rnd.nextInt(file.length);
          file[at] = switch (rnd.nextInt(4)) {
            case 0 -> (byte) rnd.nextInt(256);
            case 1 -> (byte) (file[at] ^ (1 << rnd.nextInt(8)));
            case 2 -> (byte) 0xff;
            default -> (byte) (file[at] + 1);
          };
        }
        check(file, model + " mutation " + i);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertTrue(accepted > 100, "too few cases imported (" + accepted + "); the fuzzer does not reach the mapping");
    assertTrue(rejected > 4000, "too few cases rejected (" + rejected + ")");
    assertTrue(seconds < 60, "fuzzing took " + seconds + " s");
  }

  private void check(byte[] file, String description) {
    long before = allocatedBytes();
    try {
      OnnxImporter.read(file, NAME, external, OnnxImporter.Options.all());
      accepted++;
    } catch (ModelFileException e) {
      // the one other file a model names is its external data, which the reader here reports missing
      assertTrue(e.getMessage().startsWith(NAME + ": ") || e.getMessage().endsWith(": does not exist."),
          description + ": " + e.getMessage());
      rejected++;
    } catch (Throwable t) {
      fail(description + ": " + t, t);
    }
    long allocated = allocatedBytes() - before;
    assertTrue(allocated <= ALLOCATION_ALLOWANCE + 64L * file.length,
        description + ": allocated " + allocated + " bytes for a file of " + file.length);
  }

  private static byte[] fixture(String name) throws IOException, URISyntaxException {
    Path dir = Path.of(OnnxImportFuzzTest.class.getResource("/fixtures/onnx/import_cases.json").toURI()).getParent();
    return Files.readAllBytes(dir.resolve((name.contains("/") ? "" : "import/") + name + ".onnx"));
  }

  /** A one-Gemm model whose weight tensor is {@code weight}. */
  private static byte[] gemm(TensorProto weight) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(GraphWriter.value("x", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addOutput(GraphWriter.value("y", TensorProto.DataType.FLOAT_VALUE, List.of(2), true))
        .addInitializer(weight)
        .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("fc").addInput("x").addInput(weight.getName())
            .addOutput("y").addAttribute(GraphWriter.integer("transB", 1)));
    return model(g);
  }

  private static byte[] model(GraphProto.Builder g) {
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(
        org.sparkdl.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build().toByteArray();
  }

  private String error(byte[] file) {
    long before = allocatedBytes();
    ModelFileException e = assertThrows(ModelFileException.class,
        () -> OnnxImporter.read(file, NAME, external, OnnxImporter.Options.all()));
    assertTrue(allocatedBytes() - before <= ALLOCATION_ALLOWANCE, "allocated " + (allocatedBytes() - before));
    return e.getMessage();
  }

  private static TensorProto.Builder floatTensor(String name, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (long d : dims) {
      t.addDims(d);
    }
    return t;
  }

  @Test
  void aTensorLargerThanItsDataIsRefusedBeforeAllocating() {
    assertEquals("fuzz.onnx: tensor 'w' of dims [2, 268435456] needs 2147483648 bytes; its raw_data has 16.",
        error(gemm(floatTensor("w", 2, 1 << 28).setRawData(ByteString.copyFrom(new byte[16])).build())));
    assertEquals("fuzz.onnx: tensor 'w' declares dims [4294967296, 4294967296], negative or more than 1073741823"
        + " elements.", error(gemm(floatTensor("w", 1L << 32, 1L << 32).build())));
    assertEquals("fuzz.onnx: tensor 'w' declares dims [-2, 4], negative or more than 1073741823 elements.",
        error(gemm(floatTensor("w", -2, 4).build())));
    assertEquals("fuzz.onnx: tensor 'w' of dims [2, 4] needs 8 values; it holds 1.",
        error(gemm(floatTensor("w", 2, 4).addFloatData(1).build())));
  }

  @Test
  void externalDataOutsideTheModelsFolderIsRefusedBeforeAnyRead() {
    for (String location : List.of("../secret.bin", "/etc/passwd", "a/../../b", "C:\\weights.bin", "a//b", "./w",
        "file:/etc/passwd", "w\u0000.bin")) {
      TensorProto w = floatTensor("w", 2, 4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location)).build();
      assertEquals("fuzz.onnx: tensor 'w' names external data '" + location + "', which is not a plain relative path"
          + " inside the model's folder.", error(gemm(w)), location);
    }
    TensorProto lying = floatTensor("w", 2, 4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("8")).build();
    assertEquals("fuzz.onnx: tensor 'w' needs 32 bytes; its external data declares 8.", error(gemm(lying)));
  }

  @Test
  void externalDataInsideTheFolderIsReadThroughTheGivenReader() throws IOException {
    float[] values = {1, 2, 3, 4, 5, 6, 7, 8};
    ByteBuffer bytes = ByteBuffer.allocate(32 + 5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    bytes.position(5);
    bytes.asFloatBuffer().put(values);
    TensorProto w = floatTensor("w", 2, 4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights/w.bin"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("5")).build();
    OnnxNetwork n = OnnxImporter.read(gemm(w), NAME, (location, offset, length) -> {
      assertEquals("weights/w.bin", location);
      return ByteBuffer.wrap(bytes.array(), (int) offset, (int) length).slice();
    }, OnnxImporter.Options.all()).network();
    assertTrue(Arrays.equals(values, n.weights()), Arrays.toString(n.weights()));
  }

  @Test
  void cyclesAndUndefinedOrTwiceDefinedValuesAreRefused() {
    GraphProto.Builder cycle = GraphProto.newBuilder()
        .addInput(GraphWriter.value("x", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addOutput(GraphWriter.value("b", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addNode(NodeProto.newBuilder().setOpType("Add").setName("A").addInput("x").addInput("b").addOutput("a"))
        .addNode(NodeProto.newBuilder().setOpType("Relu").setName("B").addInput("a").addOutput("b"));
    assertEquals("fuzz.onnx: has a cycle: node 'A' reads 'b', which depends on its own output.", error(model(cycle)));
    GraphProto.Builder undefined = GraphProto.newBuilder()
        .addInput(GraphWriter.value("x", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addOutput(GraphWriter.value("y", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addNode(NodeProto.newBuilder().setOpType("Add").setName("A").addInput("x").addInput("ghost").addOutput("y"));
    assertEquals("fuzz.onnx: node 'A' (Add) reads 'ghost', which no node, input or initializer defines.",
        error(model(undefined)));
    GraphProto.Builder twice = GraphProto.newBuilder()
        .addInput(GraphWriter.value("x", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addOutput(GraphWriter.value("y", TensorProto.DataType.FLOAT_VALUE, List.of(4), true))
        .addNode(NodeProto.newBuilder().setOpType("Relu").setName("A").addInput("x").addOutput("y"))
        .addNode(NodeProto.newBuilder().setOpType("Tanh").setName("B").addInput("x").addOutput("y"));
    assertEquals("fuzz.onnx: defines value 'y' twice (node 'B').", error(model(twice)));
  }

  @Test
  void opsetsOutsideTheReadRangeAreRefusedWithTheRange() {
    byte[] old = ModelProto.newBuilder().setIrVersion(6).addOpsetImport(
        org.sparkdl.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setVersion(11)).setGraph(GraphProto.newBuilder())
        .build().toByteArray();
    assertEquals("fuzz.onnx: uses opset 11; opsets 13 to 25 are read (convert it with onnx.version_converter).",
        error(old));
  }
}
