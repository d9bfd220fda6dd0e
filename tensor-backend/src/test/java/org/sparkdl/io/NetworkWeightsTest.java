package org.sparkdl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.LocalTrainer;

class NetworkWeightsTest {
  private CpuBackend be;
  private final NetworkSpec spec = NetworkSpec.mlp(new int[] {6, 5, 3}, "relu");

  @BeforeEach
  void open() {
    be = new CpuBackend(1);
  }

  @AfterEach
  void close() {
    assertEquals(0, be.liveBytes());
    be.close();
  }

  private static byte[] save(Network n, org.sparkdl.optim.Optimizer o) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NetworkWeights.write(out, n, o, Map.of("seed", "7"));
    return out.toByteArray();
  }

  private void step(LocalTrainer t, Scope s, int i) {
    Tensor x = s.allocate(DType.FLOAT32, Shape.of(4, 6));
    be.random(x, org.sparkdl.backend.Distribution.NORMAL, 0, 1, i);
    Tensor y = s.of(DType.FLOAT32, Shape.of(4), new float[] {0, 1, 2, 1});
    t.trainBatch(x, y, null);
  }

  @Test
  void parametersAndOptimizerStateRoundTripSoTrainingContinuesExactly() throws IOException {
    float[] straight;
    byte[] file;
    try (Network n = Network.create(spec, be, DType.FLOAT32, 1);
        LocalTrainer t = new LocalTrainer(n, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
        Scope s = be.openScope("data")) {
      for (int i = 0; i < 3; i++) {
        step(t, s, i);
      }
      file = save(n, t.optimizer());
      for (int i = 3; i < 6; i++) {
        step(t, s, i);
      }
      straight = n.parameters().values().toFloatArray();
    }
    try (Network n = Network.uninitialised(spec, be, DType.FLOAT32);
        LocalTrainer t = new LocalTrainer(n, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
        Scope s = be.openScope("data")) {
      Map<String, String> meta = NetworkWeights.read(new InMemoryChannel(file), "weights.safetensors", n, t.optimizer());
      assertEquals("7", meta.get("seed"));
      assertEquals("3", meta.get("optimizer_steps"));
      assertEquals(3, t.optimizer().steps());
      for (int i = 3; i < 6; i++) {
        step(t, s, i);
      }
      assertArrayEquals(straight, n.parameters().values().toFloatArray());
    }
  }

  @Test
  void float32WeightsLoadIntoAFloat64Network() throws IOException {
    try (Network a = Network.create(spec, be, DType.FLOAT32, 2); Network b = Network.uninitialised(spec, be, DType.FLOAT64)) {
      NetworkWeights.read(new InMemoryChannel(save(a, null)), "w", b, null);
      float[] fa = a.parameters().values().toFloatArray();
      double[] db = b.parameters().values().toDoubleArray();
      for (int i = 0; i < fa.length; i++) {
        assertEquals(fa[i], db[i], 0.0);
      }
    }
  }

  @Test
  void aFileForAnotherNetworkIsRejectedBeforeAnythingIsCopied() throws IOException {
    try (Network a = Network.create(NetworkSpec.mlp(new int[] {6, 4, 3}, "relu"), be, DType.FLOAT32, 2);
        Network b = Network.create(spec, be, DType.FLOAT32, 3)) {
      float[] before = b.parameters().values().toFloatArray();
      ModelFileException e = assertThrows(ModelFileException.class,
          () -> NetworkWeights.read(new InMemoryChannel(save(a, null)), "weights.safetensors", b, null));
      assertEquals("weights.safetensors: 'dense_1.weight' has shape [4, 6]; the network expects [5, 6].", e.getMessage());
      assertArrayEquals(before, b.parameters().values().toFloatArray());
    }
    try (Network a = Network.create(NetworkSpec.mlp(new int[] {6, 5, 5, 3}, "relu"), be, DType.FLOAT32, 2);
        Network b = Network.create(spec, be, DType.FLOAT32, 3)) {
      ModelFileException e = assertThrows(ModelFileException.class,
          () -> NetworkWeights.read(new InMemoryChannel(save(a, null)), "w.st", b, null));
      assertEquals("w.st: holds 'dense_3.weight', which the network does not have; its parameters are "
          + "[dense_1.weight, dense_1.bias, dense_2.weight, dense_2.bias].", e.getMessage());
    }
  }

  @Test
  void optimizerStateOfAnotherKindIsNamed() throws IOException {
    try (Network n = Network.create(spec, be, DType.FLOAT32, 1);
        LocalTrainer adam = new LocalTrainer(n, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
        LocalTrainer sgd = new LocalTrainer(n, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.01), 1)) {
      byte[] file = save(n, adam.optimizer());
      ModelFileException e = assertThrows(ModelFileException.class,
          () -> NetworkWeights.read(new InMemoryChannel(file), "w", n, sgd.optimizer()));
      assertEquals("w: holds 'adam' optimizer state; the optimizer is 'sgd'.", e.getMessage());
    }
  }
}
