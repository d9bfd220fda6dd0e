package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.autograd.Tape;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.NetworkWeights;
import org.sparkdl.io.SafeTensorsWriter;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.LocalTrainer;

/** Batch normalisation's two behaviours, and its running statistics as non-trainable, saved buffers. */
class BatchNormTest {
  private CpuBackend be;
  private Scope scope;
  @TempDir
  Path dir;
  private static final double[] X = {1, 10, 2, 20, 4, 40, 9, 90}; // [4, 2]: channel 1 is channel 0 times 10

  @BeforeEach
  void open() {
    be = new CpuBackend(1);
    scope = be.openScope("test");
  }

  @AfterEach
  void close() {
    scope.close();
    assertEquals(0, be.liveBytes());
    be.close();
  }

  /** The bytes as a file's channel, as NetworkWeights reads them. */
  private SeekableByteChannel channel(byte[] bytes) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "weights", ".safetensors"), bytes);
    return Files.newByteChannel(file);
  }

  private static NetworkSpec bn() {
    return NetworkSpec.builder().input("x", 2).batchNorm().build();
  }

  private double[] forward(Network net, boolean training, double[] x) {
    Tape tape = new Tape(scope, training, 0);
    return net.forward(tape.constant(scope.of(DType.FLOAT64, Shape.of(x.length / 2, 2), x))).value().toDoubleArray();
  }

  @Test
  void trainingNormalisesByTheBatchAndMovesTheRunningStatisticsAsPyTorch() {
    try (Network net = Network.create(bn(), be, DType.FLOAT64, 1)) {
      double[] y = forward(net, true, X);
      // channel 0: mean 4, biased variance (9 + 4 + 0 + 25) / 4 = 9.5, unbiased 38 / 3
      double sd = Math.sqrt(9.5 + 1e-5);
      double[] c0 = {(1 - 4) / sd, (2 - 4) / sd, (4 - 4) / sd, (9 - 4) / sd};
      for (int i = 0; i < 4; i++) {
        assertEquals(c0[i], y[2 * i], 1e-12);
        assertEquals(c0[i], y[2 * i + 1], 1e-6); // scaled by 10, the same up to eps
      }
      Map<String, Tensor> buffers = net.buffers().named();
      assertArrayEquals(new double[] {0.4, 4}, buffers.get("batch_norm_1.running_mean").toDoubleArray(), 1e-12);
      assertArrayEquals(new double[] {0.9 + 0.1 * 38 / 3, 0.9 + 0.1 * 3800 / 3},
          buffers.get("batch_norm_1.running_var").toDoubleArray(), 1e-9);
    }
  }

  @Test
  void inferenceUsesTheRunningStatisticsAndLeavesThemAlone() {
    try (Network net = Network.create(bn(), be, DType.FLOAT64, 1)) {
      net.buffers().named().get("batch_norm_1.running_mean").copyFrom(new double[] {1, -2});
      net.buffers().named().get("batch_norm_1.running_var").copyFrom(new double[] {4, 0.25});
      net.parameters().named().get("batch_norm_1.weight").copyFrom(new double[] {2, 3});
      net.parameters().named().get("batch_norm_1.bias").copyFrom(new double[] {0.5, -1});
      double[] y = forward(net, false, new double[] {3, 0, -1, -2});
      double[] expected = {(3 - 1) / Math.sqrt(4 + 1e-5) * 2 + 0.5, (0 + 2) / Math.sqrt(0.25 + 1e-5) * 3 - 1,
          (-1 - 1) / Math.sqrt(4 + 1e-5) * 2 + 0.5, (-2 + 2) / Math.sqrt(0.25 + 1e-5) * 3 - 1};
      assertArrayEquals(expected, y, 1e-12);
      assertArrayEquals(new double[] {1, -2}, net.buffers().named().get("batch_norm_1.running_mean").toDoubleArray());
      assertArrayEquals(new double[] {4, 0.25}, net.buffers().named().get("batch_norm_1.running_var").toDoubleArray());
    }
  }

  @Test
  void buffersAreNeitherParametersNorOptimizerState() {
    try (Network net = Network.create(bn(), be, DType.FLOAT32, 1);
        LocalTrainer trainer = new LocalTrainer(net, new MeanSquaredError(), OptimizerSpec.adam(0.01), 1)) {
      assertEquals(List.of("batch_norm_1.weight", "batch_norm_1.bias"), net.parameters().names());
      assertEquals(List.of("batch_norm_1.running_mean", "batch_norm_1.running_var"), net.buffers().names());
      assertEquals(4, net.parameters().size());
      for (Tensor state : trainer.optimizer().state().values()) {
        assertEquals(net.parameters().size(), state.size());
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.buffers().grads());
      assertEquals("A store of buffers [batch_norm_1.running_mean, batch_norm_1.running_var] has no gradients.",
          e.getMessage());
      e = assertThrows(IllegalStateException.class, () -> net.buffers().parameters().get(0).grad());
      assertEquals("'batch_norm_1.running_mean' is a buffer, not a trainable parameter; it has no gradient.", e.getMessage());
      assertEquals("Network(1 layers, 4 parameters, 4 buffer values)", net.toString());
    }
  }

  private void train(LocalTrainer t, int steps) {
    for (int i = 0; i < steps; i++) {
      try (Scope s = scope.child("step")) {
        Tensor x = s.allocate(DType.FLOAT32, Shape.of(8, 3, 4, 4));
        be.random(x, Distribution.NORMAL, 1, 2, i);
        Tensor y = s.of(DType.FLOAT32, Shape.of(8), new float[] {0, 1, 2, 1, 0, 2, 2, 1});
        t.trainBatch(x, y, null);
      }
    }
  }

  private static NetworkSpec cnn() {
    return NetworkSpec.builder().input("image", 3, 4, 4).conv2d(4, 3).batchNorm().relu().globalAvgPool().dense(3).build();
  }

  @Test
  void trainingStepsMoveTheRunningStatisticsAndEvaluationDoesNot() {
    try (Network net = Network.create(cnn(), be, DType.FLOAT32, 2);
        LocalTrainer t = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 2)) {
      float[] before = net.buffers().values().toFloatArray();
      train(t, 3);
      float[] after = net.buffers().values().toFloatArray();
      assertFalse(java.util.Arrays.equals(before, after));
      try (Scope s = scope.child("eval")) {
        Tensor x = s.allocate(DType.FLOAT32, Shape.of(8, 3, 4, 4));
        be.random(x, Distribution.NORMAL, 0, 1, 99);
        t.evaluate(x, s.of(DType.FLOAT32, Shape.of(8), new float[8]), null, true);
      }
      assertArrayEquals(after, net.buffers().values().toFloatArray());
    }
  }

  @Test
  void runningStatisticsAreSavedAndLoadedWithTheWeights() throws IOException {
    byte[] file;
    float[] params;
    float[] buffers;
    float[] predictions;
    float[] images = new float[5 * 48];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) Math.sin(i);
    }
    try (Network net = Network.create(cnn(), be, DType.FLOAT32, 2);
        LocalTrainer t = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 2)) {
      train(t, 4);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      NetworkWeights.write(out, net, null, Map.of());
      file = out.toByteArray();
      params = net.parameters().values().toFloatArray();
      buffers = net.buffers().values().toFloatArray();
      predictions = org.sparkdl.train.Inference.predict(net, images, Shape.of(3, 4, 4), 5);
    }
    try (Network loaded = Network.uninitialised(cnn(), be, DType.FLOAT32)) {
      Map<String, String> meta = NetworkWeights.read(channel(file), "weights.safetensors", loaded, null);
      assertEquals(Integer.toString(params.length), meta.get("parameters"));
      assertEquals("8", meta.get("buffers"));
      assertArrayEquals(params, loaded.parameters().values().toFloatArray());
      assertArrayEquals(buffers, loaded.buffers().values().toFloatArray());
      assertArrayEquals(predictions, org.sparkdl.train.Inference.predict(loaded, images, Shape.of(3, 4, 4), 5));
    }
  }

  @Test
  void aFileWithoutTheRunningStatisticsIsRejectedNamingThem() throws IOException {
    try (Network net = Network.create(cnn(), be, DType.FLOAT32, 2)) {
      List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
      for (Parameter p : net.parameters().parameters()) {
        ByteBuffer bytes = ByteBuffer.allocate(p.value().size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(p.value().toFloatArray());
        long[] shape = java.util.Arrays.stream(p.shape().toArray()).asLongStream().toArray();
        entries.add(SafeTensorsWriter.Entry.of(p.name(), DType.FLOAT32, shape, bytes));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      SafeTensorsWriter.write(out, entries, Map.of("format", NetworkWeights.FORMAT, "format_version", "1"));
      ModelFileException e = assertThrows(ModelFileException.class,
          () -> NetworkWeights.read(channel(out.toByteArray()), "old.safetensors", net, null));
      assertEquals("old.safetensors: lacks 'batch_norm_1.running_mean' [4].", e.getMessage());
    }
  }

  @Test
  void networksWithoutBuffersWriteTheSameFileAsBefore() throws IOException {
    try (Network net = Network.create(NetworkSpec.mlp(new int[] {3, 2}, "relu"), be, DType.FLOAT32, 1)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      NetworkWeights.write(out, net, null, Map.of());
      try (var r = org.sparkdl.io.SafeTensorsReader.open(channel(out.toByteArray()), "w")) {
        assertFalse(r.metadata().containsKey("buffers"));
        assertEquals(List.of("dense_1.bias", "dense_1.weight"),
            r.tensors().stream().map(org.sparkdl.io.TensorInfo::name).sorted().toList());
      }
      assertEquals(0, net.buffers().size());
    }
  }
}
