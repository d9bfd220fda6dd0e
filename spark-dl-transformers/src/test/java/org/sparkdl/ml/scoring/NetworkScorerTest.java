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
}
