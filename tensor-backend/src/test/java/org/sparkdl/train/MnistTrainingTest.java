package org.sparkdl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.testing.MnistData;

/**
 * The local trainer on real digits (bundled MNIST sample, first 8000 rows train, last 2000 test),
 * with the settings: Adam lr 1e-3, batch 64, 20 epochs, fixed seed. Spark MLlib's
 * perceptron reaches 93.85% on this split.
 */
class MnistTrainingTest {
  private static CpuBackend be;
  private static InMemoryDataset train;
  private static InMemoryDataset test;

  @BeforeAll
  static void load() throws IOException {
    be = new CpuBackend(2);
    train = MnistData.train();
    test = MnistData.test();
  }

  @AfterAll
  static void close() {
    assertEquals(0, be.liveBytes());
    be.close();
  }

  static double trainAndScore(int[] layers) {
    try (Network net = Network.create(NetworkSpec.mlp(layers, "relu"), be, DType.FLOAT32, 42);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 42)) {
      List<Double> losses = trainer.fit(train, 64, 20);
      assertTrue(losses.get(19) < losses.get(0) / 5, "loss fell from " + losses.get(0) + " to " + losses.get(19));
      int[] predicted = Inference.argmax(trainer.predict(test, 500), 10);
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == (int) test.targets()[i] ? 1 : 0;
      }
      return 100.0 * correct / predicted.length;
    }
  }

  @Test
  void mlp784x128x10ReachesAtLeast94Point5Percent() {
    double acc = trainAndScore(new int[] {784, 128, 10});
    System.out.printf("MNIST 784-128-10: %.2f%% test accuracy%n", acc);
    assertTrue(acc >= 94.5, "accuracy " + acc);
  }

  @Test
  void mlp784x256x128x10ReachesAtLeast95Point5Percent() {
    double acc = trainAndScore(new int[] {784, 256, 128, 10});
    System.out.printf("MNIST 784-256-128-10: %.2f%% test accuracy%n", acc);
    assertTrue(acc >= 95.5, "accuracy " + acc);
  }

  @Test
  void aFixedSeedGivesTheSameModel() {
    float[] a;
    float[] b;
    InMemoryDataset small = train.slice(0, 512);
    try (Network n1 = Network.create(NetworkSpec.mlp(new int[] {784, 32, 10}, "relu"), be, DType.FLOAT32, 5);
        LocalTrainer t1 = new LocalTrainer(n1, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 5)) {
      t1.fit(small, 64, 2);
      a = n1.parameters().values().toFloatArray();
    }
    try (Network n2 = Network.create(NetworkSpec.mlp(new int[] {784, 32, 10}, "relu"), be, DType.FLOAT32, 5);
        LocalTrainer t2 = new LocalTrainer(n2, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 5)) {
      t2.fit(small, 64, 2);
      b = n2.parameters().values().toFloatArray();
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
  }
}
