package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.train.Inference;

/** The scorer's one-row path and its network cache, without Spark: what predictRaw and every scoring task rely on. */
class NetworkScorerTest {
  private static final NetworkSpec SPEC = NetworkSpec.mlp(new int[] {3, 5, 2}, "tanh");

  @Test
  void oneRowPredictsWhatTheNetworkComputesAndChecksTheWidth() {
    ModelData data = ModelData.of(SPEC, ScoringFixtures.weights(SPEC, 5));
    float[] x = {0.5f, -1f, 2f};
    float[] expected;
    try (Network n = Network.uninitialised(SPEC, ExecutorBackends.host(), DType.FLOAT32)) {
      data.loadInto(n);
      expected = Inference.predict(n, x, n.inputShape(), 1);
    }
    assertArrayEquals(expected, NetworkScorer.predictOne(data, "cpu", x));
    assertEquals("Features have 2 values; the input layer expects 3.", assertThrows(IllegalArgumentException.class,
        () -> NetworkScorer.predictOne(data, "cpu", new float[2])).getMessage());
  }

  @Test
  void aModelsNetworkIsBuiltOnceAndLentAgain() {
    ModelData data = ModelData.of(SPEC, ScoringFixtures.weights(SPEC, 6));
    Network first;
    try (ExecutorCache.Lease<Network> lease = NetworkScorer.network(data, ExecutorBackends.host())) {
      first = lease.get();
    }
    try (ExecutorCache.Lease<Network> again = NetworkScorer.network(data, ExecutorBackends.host())) {
      assertSame(first, again.get(), "the idle network of the same model on the same backend is reused");
      assertArrayEquals(data.weights(), again.get().parameters().values().toFloatArray());
    }
    ModelData other = ModelData.of(SPEC, ScoringFixtures.weights(SPEC, 7));
    try (ExecutorCache.Lease<Network> lease = NetworkScorer.network(other, ExecutorBackends.host())) {
      assertArrayEquals(other.weights(), lease.get().parameters().values().toFloatArray(), "another model, its own weights");
    }
  }

  @Test
  void aScoringBatchHoldsAboutFourMegabytesOfItsWorkingSetWithinItsBounds() {
    // 784-256-128-10: 778 values a row, so the largest batch
    assertEquals(1024, NetworkScorer.scoringBatch(NetworkSpec.mlp(new int[] {784, 256, 128, 10}, "relu")));
    // an LSTM over 28 steps works on one step's gates and states at a time: 768 values, 1,690 with the
    // reshaped input and the layers' outputs (6.8 KB) a row, where training keeps every step's (22,426 values)
    assertEquals(512, NetworkScorer.scoringBatch(NetworkSpec.builder().input("x", 784).reshape(28, 28).lstm(128).dense(10)
        .build()));
    // a LeNet: its convolutions run with the batch normalisation, ReLU and pooling after them one example at a
    // time, so only the pooled maps and the dense layers' outputs count, 5,258 values (21 KB) a row
    assertEquals(128, NetworkScorer.scoringBatch(NetworkSpec.builder().input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(org.sparkdl.spec.Padding.of(2))).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 5).batchNorm().relu().maxPool2d(2).flatten().dense(256).relu().dense(10).build()));
    // rows larger than the target still go eight at a time
    assertEquals(NetworkScorer.MIN_SCORING_BATCH, NetworkScorer.scoringBatch(NetworkSpec.builder().input("image", 3, 224, 224)
        .conv2d(64, 3).relu().flatten().dense(2).build()));
  }
}
