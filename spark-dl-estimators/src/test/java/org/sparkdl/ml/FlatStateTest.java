package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/** The layout every path of a fit moves the training state in: parameters, optimizer state by name, buffers beside. */
class FlatStateTest {
  private static final NetworkSpec BN = NetworkSpec.builder().input("x", 3).dense(4).batchNorm().relu().dense(2).build();

  private static Network network(NetworkSpec spec, long seed) {
    return Network.create(spec, ExecutorBackends.host(), DType.FLOAT32, seed);
  }

  @Test
  void thePartsAreTheParametersThenEachStateBufferInNameOrderAsViews() {
    try (Network net = network(BN, 1); Optimizer adam = OptimizerSpec.adam(0.1).create(net.parameters())) {
      FlatState flat = FlatState.of(net, adam);
      assertEquals(List.of("m", "v"), FlatState.stateNames(adam));
      List<Tensor> parts = flat.parts();
      assertEquals(3, parts.size());
      assertSame(net.parameters().values(), parts.get(0));
      assertSame(adam.state().get("m"), parts.get(1));
      assertSame(adam.state().get("v"), parts.get(2));
      assertEquals(List.of(parts.get(0), parts.get(1), parts.get(2), net.buffers().values()), flat.partsAndBuffers());
      assertEquals(FlatState.states(adam), parts.subList(1, 3));
    }
    try (Network plain = network(NetworkSpec.mlp(new int[] {3, 2}, "relu"), 1);
        Optimizer sgd = OptimizerSpec.sgd(0.1).create(plain.parameters())) {
      assertEquals(List.of(plain.parameters().values()), FlatState.of(plain, sgd).partsAndBuffers(), "no state, no buffers");
      assertNull(FlatState.copyBuffers(plain));
    }
  }

  @Test
  void aStateCopiedFromOneNetworkLoadsIntoAnotherBuiltAlike() {
    try (Network a = network(BN, 1); Optimizer adamA = OptimizerSpec.adam(0.1).create(a.parameters());
        Network b = network(BN, 2); Optimizer adamB = OptimizerSpec.adam(0.1).create(b.parameters())) {
      adamA.state().get("m").copyFrom(ramp(a.parameters().size(), 1));
      adamA.state().get("v").copyFrom(ramp(a.parameters().size(), 2));
      a.buffers().values().copyFrom(ramp(a.buffers().size(), 3));
      adamA.setSteps(7);
      TrainingState s = TrainingState.of(a, adamA);
      assertArrayEquals(a.parameters().values().toFloatArray(), s.params());
      s.loadInto(b, adamB);
      assertArrayEquals(a.parameters().values().toFloatArray(), b.parameters().values().toFloatArray());
      assertArrayEquals(ramp(a.parameters().size(), 1), adamB.state().get("m").toFloatArray());
      assertArrayEquals(ramp(a.parameters().size(), 2), adamB.state().get("v").toFloatArray());
      assertArrayEquals(ramp(a.buffers().size(), 3), b.buffers().values().toFloatArray());
      assertEquals(7, adamB.steps());

      FlatState.Weights w = FlatState.Weights.of(b);
      try (Network c = network(BN, 3)) {
        w.loadInto(c);
        assertArrayEquals(b.parameters().values().toFloatArray(), c.parameters().values().toFloatArray());
        assertArrayEquals(b.buffers().values().toFloatArray(), c.buffers().values().toFloatArray());
      }
    }
  }

  @Test
  void refusesAStateOfAnotherOptimizer() {
    try (Network net = network(BN, 1); Optimizer adam = OptimizerSpec.adam(0.1).create(net.parameters());
        Optimizer sgd = OptimizerSpec.sgd(0.1).create(net.parameters())) {
      float[][] parts = FlatState.of(net, adam).copyParts();
      assertEquals("The training state has 3 parts; this network and optimizer have 1 (parameters and 0 optimizer state"
          + " buffers).", assertThrows(IllegalStateException.class, () -> FlatState.of(net, sgd).loadParts(parts)).getMessage());
    }
  }

  @Test
  void theMeanOfSummedPartsDividesEachPartInFloat32() {
    float[][] mean = FlatState.mean(new double[] {2, 4, -6, 1, 0.5, 3}, 3, 2);
    assertArrayEquals(new float[][] {{1, 2}, {-3, 0.5f}, {0.25f, 1.5f}}, mean);
    assertArrayEquals(new float[] {(float) (1 / 3.0)}, FlatState.mean(new double[] {1}, 1, 3)[0]);
  }

  private static float[] ramp(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (i + 1) / n;
    }
    return v;
  }
}
