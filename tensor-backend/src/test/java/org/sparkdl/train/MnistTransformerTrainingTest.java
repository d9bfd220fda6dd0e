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
import org.sparkdl.tensor.Shape;
import org.sparkdl.testing.MnistData;

/**
 * A small Transformer classifier trained by the local trainer on the bundled MNIST sample (first
 * 8000 rows train, last 2000 test), each digit read as a sequence of its 28 pixel rows: dense 64 on
 * every row, a learned positional embedding, one post-norm encoder block (4 heads, feed-forward
 * 128, no dropout), the mean over the rows, dense 10. Adam lr 3e-3 with cosine decay to 0 over the
 * run, batch 64, seed 42, 2 epochs over the training rows and their one-pixel shifts (40,000 rows,
 * as in {@link MnistCnnTrainingTest}: without them the same network levels off near 94% on these
 * harder test digits).
 */
class MnistTransformerTrainingTest {
  static final int EPOCHS = 2;
  static final int BATCH = 64;
  private static CpuBackend be;
  private static InMemoryDataset train;
  private static InMemoryDataset test;

  @BeforeAll
  static void load() throws IOException {
    // one thread, for the reason given in MnistCnnTrainingTest
    be = new CpuBackend(1);
    train = asRows(MnistCnnTrainingTest.withShifts(MnistData.train()));
    test = asRows(MnistData.test());
  }

  @AfterAll
  static void close() {
    assertEquals(0, be.liveBytes());
    be.close();
  }

  /** The same rows with each sample shaped as 28 steps of 28 pixels. */
  private static InMemoryDataset asRows(InMemoryDataset flat) {
    return new InMemoryDataset(flat.features(), Shape.of(28, 28), flat.targets(), flat.targetShape(), null);
  }

  static NetworkSpec classifier() {
    return NetworkSpec.builder()
        .input("rows", 28, 28)
        .dense(64).positionalEmbedding()
        .transformerEncoder(4, 128, 0, false)
        .sequenceMeanPool().dense(10)
        .build();
  }

  @Test
  void aOneBlockTransformerReachesAtLeast95PercentTestAccuracy() {
    int steps = EPOCHS * ((train.rows() + BATCH - 1) / BATCH);
    OptimizerSpec adam = OptimizerSpec.adam(3e-3).withSchedule("cosine:" + steps + ":0");
    try (Network net = Network.create(classifier(), be, DType.FLOAT32, 42);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), adam, 42)) {
      long t0 = System.nanoTime();
      List<Double> losses = trainer.fit(train, BATCH, EPOCHS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(losses.get(EPOCHS - 1) < losses.get(0) / 2, "loss fell from " + losses.get(0) + " to "
          + losses.get(EPOCHS - 1));
      int[] predicted = Inference.argmax(trainer.predict(test, 500), 10);
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == (int) test.targets()[i] ? 1 : 0;
      }
      double acc = 100.0 * correct / predicted.length;
      System.out.printf("MNIST Transformer: %.2f%% test accuracy after %d epochs, %.1f s of training (%.0f samples/s)%n",
          acc, EPOCHS, seconds, EPOCHS * train.rows() / seconds);
      assertTrue(acc >= 95.0, "accuracy " + acc);
    }
  }
}
