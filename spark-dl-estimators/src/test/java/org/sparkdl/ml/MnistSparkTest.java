package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.testing.MnistData;
import org.sparkdl.testkit.MnistFrames;
import org.sparkdl.testkit.SharedSpark;
import org.sparkdl.train.InMemoryDataset;
import org.sparkdl.train.Inference;
import org.sparkdl.train.LocalTrainer;

/**
 * The classifier on real digits in local[2] (first 8000 rows train, last 2000 test): 784-128-10,
 * Adam lr 1e-3, batch 64, 20 epochs, fixed seed, in both synchronisation modes, against the same
 * network trained by the local trainer; and with nothing but the layers and a seed set.
 */
@ExtendWith(SharedSpark.class)
class MnistSparkTest {

  static double accuracy(NeuralNetworkClassificationModel model, Dataset<Row> test) {
    List<Row> rows = model.transform(test).select("label", "prediction").collectAsList();
    return 100.0 * rows.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count() / rows.size();
  }

  @Test
  void gradientModeMatchesTheLocalTrainerAndBeatsMllib(SparkSession spark) throws Exception {
    Dataset<Row> train = MnistFrames.train(spark).cache();
    Dataset<Row> test = MnistFrames.test(spark).cache();
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setLayers(784, 128, 10).setMaxEpochs(20)
        .setBatchSize(64).setLearningRate(1e-3).setSeed(42).fit(train);
    double spark20 = accuracy(model, test);
    double local = localAccuracy();
    System.out.printf("MNIST 784-128-10 gradient mode: local[2] %.2f%%, local trainer %.2f%%, %d rounds in %.1f s%n", spark20,
        local, model.summary().rounds(), model.summary().seconds());
    assertTrue(spark20 >= 94.5, "accuracy " + spark20);
    assertTrue(Math.abs(spark20 - local) <= 0.5, "local[2] " + spark20 + " vs local trainer " + local);
    assertEquals(20, model.summary().epochs());
  }

  /**
   * The defaults' final-epoch accuracy moves by about a point with the seed and the partitioning
   * (13 draws: 94.35-95.85%, mean 95.4%), so the claim is checked over three seeds against the
   * target the defaults were chosen for: MLlib's MLP (93.80% here) plus a point, on average.
   */
  @Test
  void theDefaultsBeatMllibByAPointOverThreeSeeds(SparkSession spark) {
    Dataset<Row> train = MnistFrames.train(spark).cache();
    Dataset<Row> test = MnistFrames.test(spark).cache();
    double sum = 0;
    for (long seed : new long[] {42, 1, 2}) {
      NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setLayers(784, 128, 10).setSeed(seed).fit(train);
      double acc = accuracy(model, test);
      System.out.printf("MNIST 784-128-10 with the default settings, seed %d (%d epochs, %d steps): %.2f%% in %.1f s%n", seed,
          model.summary().epochs(), model.summary().rounds(), acc, model.summary().seconds());
      assertEquals(10, model.summary().epochs());
      assertTrue(acc >= 94.0, "seed " + seed + ": accuracy " + acc);
      sum += acc;
    }
    assertTrue(sum / 3 >= 93.80 + 1, "mean accuracy " + sum / 3);
  }

  @Test
  void averageModeReaches94Percent(SparkSession spark) {
    Dataset<Row> train = MnistFrames.train(spark).cache();
    Dataset<Row> test = MnistFrames.test(spark).cache();
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setLayers(784, 128, 10).setMaxEpochs(20)
        .setBatchSize(64).setLearningRate(1e-3).setSyncMode("average").setLocalSteps(8).setSeed(42).fit(train);
    double acc = accuracy(model, test);
    System.out.printf("MNIST 784-128-10 average mode (8 local steps): %.2f%%, %d rounds in %.1f s%n", acc,
        model.summary().rounds(), model.summary().seconds());
    assertTrue(acc >= 94.0, "accuracy " + acc);
  }

  static double localAccuracy() throws Exception {
    InMemoryDataset all = MnistData.all();
    InMemoryDataset tr = all.slice(0, MnistData.TRAIN);
    InMemoryDataset te = all.slice(MnistData.TRAIN, all.rows());
    try (CpuBackend be = new CpuBackend(2);
        Network net = Network.create(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu"), be, DType.FLOAT32, 42);
        LocalTrainer t = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), 42)) {
      t.fit(tr, 64, 20);
      int[] p = Inference.argmax(t.predict(te, 500), 10);
      int correct = 0;
      for (int i = 0; i < p.length; i++) {
        correct += p[i] == (int) te.targets()[i] ? 1 : 0;
      }
      return 100.0 * correct / p.length;
    }
  }
}
