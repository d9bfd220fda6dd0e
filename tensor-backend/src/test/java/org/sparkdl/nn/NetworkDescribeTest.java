package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.spec.NetworkSpec;

/** The layer table users print to see a network: names, types, shapes, parameter counts and the total. */
class NetworkDescribeTest {
  @Test
  void anMlpIsTabulatedLayerByLayer() {
    assertEquals(String.join("\n",
        "layer     type        output shape  parameters",
        "features  input       [784]                  0",
        "dense_1   dense       [128]            100,480",
        "relu_1    activation  [128]                  0",
        "dense_2   dense       [10]               1,290",
        "total                                  101,770") + "\n",
        Network.describe(NetworkSpec.mlp(new int[] {784, 128, 10}, "relu")));
  }

  @Test
  void buffersAreCountedApart() {
    NetworkSpec cnn = NetworkSpec.builder().input("image", 1, 8, 8).conv2d(4, 3).batchNorm().relu().flatten().dense(2)
        .build();
    String table = Network.describe(cnn);
    assertEquals("(and 8 values in buffers: batch normalisation's running statistics)",
        table.lines().reduce((a, b) -> b).orElseThrow());
  }
}
