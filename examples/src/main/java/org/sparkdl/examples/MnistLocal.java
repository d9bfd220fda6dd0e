package org.sparkdl.examples;

import java.util.List;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.train.InMemoryDataset;
import org.sparkdl.train.Inference;
import org.sparkdl.train.LocalTrainer;

/**
 * Trains a 784-128-10 ReLU network on the bundled MNIST sample in one JVM (no Spark) with Adam
 * (lr 1e-3, batch 64, 20 epochs) and prints test accuracy and time.
 */
public final class MnistLocal {
  private MnistLocal() {}

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    InMemoryDataset all = MnistIdx.load();
    InMemoryDataset train = all.slice(0, MnistIdx.TRAIN_ROWS);
    InMemoryDataset test = all.slice(MnistIdx.TRAIN_ROWS, all.rows());
    try (CpuBackend be = new CpuBackend();
        Network net = Network.create(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu"), be, DType.FLOAT32, 42);
        LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 42)) {
      long t0 = System.nanoTime();
      List<Double> losses = trainer.fit(train, 64, epochs);
      double seconds = (System.nanoTime() - t0) / 1e9;
      int[] predicted = Inference.argmax(trainer.predict(test, 1000), 10);
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == (int) test.targets()[i] ? 1 : 0;
      }
      System.out.printf("MNIST 784-128-10, local trainer, %d epochs: final loss %.4f, test accuracy %.2f%% (%d/%d), "
          + "training %.1f s (%.0f samples/s)%n", epochs, losses.get(losses.size() - 1), 100.0 * correct / predicted.length,
          correct, predicted.length, seconds, (double) train.rows() * epochs / seconds);
    }
  }
}
