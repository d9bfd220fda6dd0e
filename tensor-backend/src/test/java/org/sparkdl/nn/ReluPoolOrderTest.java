package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.autograd.Tape;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * At inference, a ReLU read only by the max pooling after it runs after the pooling: the same
 * values bit for bit as the two layers in their own order (on a tape that records gradients), NaN
 * and signed zeros included; other pairs keep their order.
 */
class ReluPoolOrderTest {
  @Test
  void poolingBeforeTheReluGivesTheSameBits() {
    NetworkSpec spec = NetworkSpec.builder().input("image", 2, 4, 6).relu().maxPool2d(2).flatten().build();
    float[] x = new float[2 * 2 * 4 * 6];
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    // windows of only negative values, of -0.0 beside a negative, of -0.0 beside +0.0, and with a NaN
    x[0] = -1f;
    x[1] = -2f;
    x[6] = -3f;
    x[7] = -0.5f;
    x[2] = -0f;
    x[3] = -1f;
    x[8] = -2f;
    x[9] = -3f;
    x[4] = -0f;
    x[5] = 0f;
    x[10] = -0f;
    x[11] = -1f;
    x[24] = Float.NaN;
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      try (CpuBackend be = new CpuBackend(1); Network net = Network.create(spec, be, dtype, 1);
          Scope scope = be.openScope("test")) {
        assertArrayEquals(new boolean[] {true, false, false}, net.poolsFirst());
        Tensor in = scope.of(dtype, Shape.of(2, 2, 4, 6), x);
        double[] reordered = net.forward(Tape.inference(scope).constant(in)).value().toDoubleArray();
        double[] inOrder = net.forward(new Tape(scope, false, 0).constant(in)).value().toDoubleArray();
        for (int i = 0; i < inOrder.length; i++) {
          assertEquals(Double.doubleToRawLongBits(inOrder[i]), Double.doubleToRawLongBits(reordered[i]),
              dtype + ", output " + i + ": " + inOrder[i] + " vs " + reordered[i]);
        }
        assertEquals(0.0, 1 / reordered[1] > 0 ? 0.0 : 1.0, "max(-0, -1) through a ReLU is +0");
        assertEquals(Double.NaN, reordered[6], "a NaN in a window stays NaN");
      }
    }
  }

  @Test
  void onlyAReluReadByNothingButAMaxPoolingSwapsWithIt() {
    try (CpuBackend be = new CpuBackend(1)) {
      NetworkSpec average = NetworkSpec.builder().input("image", 1, 4, 4).relu().avgPool2d(2).build();
      NetworkSpec tanh = NetworkSpec.builder().input("image", 1, 4, 4).tanh().maxPool2d(2).build();
      // the ReLU's values are an output of the network too
      NetworkSpec output = NetworkSpec.builder().input("image", 1, 4, 4).relu().maxPool2d(2)
          .outputs("relu_1", "max_pool_1").build();
      for (NetworkSpec spec : new NetworkSpec[] {average, tanh, output}) {
        try (Network net = Network.create(spec, be, DType.FLOAT32, 1)) {
          assertArrayEquals(new boolean[] {false, false}, net.poolsFirst(), spec.toJson());
        }
      }
    }
  }
}
