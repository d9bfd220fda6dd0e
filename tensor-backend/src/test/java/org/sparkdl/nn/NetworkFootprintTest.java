package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;

/** A network's forward multiply-adds per row, counted layer by layer from its spec. */
class NetworkFootprintTest {
  @Test
  void denseLayersMultiplyEveryWeightOnce() {
    assertEquals(784 * 128 + 128 * 10,
        Network.footprint(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu")).multiplyAddsPerRow());
  }

  @Test
  void convolutionsMultiplyTheirWeightsAtEveryOutputPosition() {
    NetworkSpec lenet = NetworkSpec.builder().input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 5).batchNorm().relu().maxPool2d(2).flatten().dense(256).relu().dense(10).build();
    assertEquals(16 * 25 * 28 * 28 + 32 * 16 * 25 * 10 * 10 + 800 * 256 + 256 * 10,
        Network.footprint(lenet).multiplyAddsPerRow());
  }

  @Test
  void recurrentLayersMultiplyTheirWeightsAtEveryStepAndAttentionAlsoComparesTheSteps() {
    NetworkSpec lstm = NetworkSpec.builder().input("x", 784).reshape(28, 28).lstm(128).dense(10).build();
    assertEquals(28L * 4 * 128 * (28 + 128) + 128 * 10, Network.footprint(lstm).multiplyAddsPerRow());
    NetworkSpec attention = NetworkSpec.builder().input("x", 10, 16).multiHeadAttention(4).build();
    assertEquals(10L * (4 * 16 * 16 + 2 * 10 * 16), Network.footprint(attention).multiplyAddsPerRow());
  }
}
