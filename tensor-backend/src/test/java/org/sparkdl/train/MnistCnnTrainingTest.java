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
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.testing.MnistData;

/**
 * A LeNet-style CNN trained by the local trainer on the bundled MNIST sample (first 8000 rows
 * train, last 2000 test): conv 16@5x5 (padding 2), ReLU, max pool 2, conv 32@5x5, ReLU, max pool 2,
 * dense 120, ReLU, dense 84, ReLU, dense 10; Adam lr 1e-3 with cosine decay to 0 over the run,
 * batch 64, seed 42, 2 epochs.
 *
 * <p>The training rows are the first 8000 together with copies shifted by one pixel up, down, left
 * and right (40,000 rows): the last 2000 digits of this sample are among MNIST's harder ones, and
 * without the shifts LeNet itself (6 and 16 filters) levels off near 97% and this wider one near
 * 98%, whatever the epochs. The perceptrons of {@link MnistTrainingTest} reach 95-96%.
 */
class MnistCnnTrainingTest {
  static final int EPOCHS = 2;
  static final int BATCH = 64;
  private static CpuBackend be;
  private static InMemoryDataset train;
  private static InMemoryDataset test;

  @BeforeAll
  static void load() throws IOException {
    // one thread: OpenBLAS's workers wait by spinning, which slows training several times over when
    // other processes keep the cores busy (as parallel builds do); one thread just shares a core
    be = new CpuBackend(1);
    train = withShifts(asImages(MnistData.train()));
    test = asImages(MnistData.test());
  }

  @AfterAll
  static void close() {
    assertEquals(0, be.liveBytes());
    be.close();
  }

  /** The same rows with each sample shaped as a one-channel 28x28 image. */
  private static InMemoryDataset asImages(InMemoryDataset flat) {
    return new InMemoryDataset(flat.features(), Shape.of(1, 28, 28), flat.targets(), flat.targetShape(), null);
  }

  /** The rows, then the same rows shifted by one pixel down, up, right and left (zeros come in at the edge). */
  static InMemoryDataset withShifts(InMemoryDataset d) {
    int[][] shifts = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    int rows = d.rows();
    int side = 28;
    float[] features = new float[rows * side * side * shifts.length];
    float[] labels = new float[rows * shifts.length];
    for (int k = 0; k < shifts.length; k++) {
      for (int r = 0; r < rows; r++) {
        int dst = k * rows + r;
        labels[dst] = d.targets()[r];
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            int sy = y - shifts[k][0];
            int sx = x - shifts[k][1];
            boolean inside = sy >= 0 && sy < side && sx >= 0 && sx < side;
            features[(dst * side + y) * side + x] = inside ? d.features()[(r * side + sy) * side + sx] : 0f;
          }
        }
      }
    }
    return new InMemoryDataset(features, d.sampleShape(), labels, d.targetShape(), null);
  }

  static NetworkSpec lenet() {
    return NetworkSpec.builder()
        .input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).relu().maxPool2d(2)
        .conv2d(32, 5).relu().maxPool2d(2)
        .flatten().dense(120).relu().dense(84).relu().dense(10)
        .build();
  }

  @Test
  void lenetReachesAtLeast98PercentTestAccuracy() {
    int steps = EPOCHS * ((train.rows() + BATCH - 1) / BATCH);
    OptimizerSpec adam = OptimizerSpec.adam(1e-3).withSchedule("cosine:" + steps + ":0");
    try (Network net = Network.create(lenet(), be, DType.FLOAT32, 42);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), adam, 42)) {
      long t0 = System.nanoTime();
      List<Double> losses = trainer.fit(train, BATCH, EPOCHS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(losses.get(EPOCHS - 1) < losses.get(0) / 4, "loss fell from " + losses.get(0) + " to " + losses.get(EPOCHS - 1));
      int[] predicted = Inference.argmax(trainer.predict(test, 500), 10);
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == (int) test.targets()[i] ? 1 : 0;
      }
      double acc = 100.0 * correct / predicted.length;
      System.out.printf("MNIST LeNet: %.2f%% test accuracy after %d epochs, %.1f s of training (%.0f samples/s)%n", acc,
          EPOCHS, seconds, EPOCHS * train.rows() / seconds);
      assertTrue(acc >= 98.0, "accuracy " + acc);
    }
  }
}
