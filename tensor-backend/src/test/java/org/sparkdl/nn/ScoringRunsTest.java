package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.autograd.Tape;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * At inference a 2-D convolution runs as one step with the batch normalisation, ReLU and max
 * pooling after it that only it reads: a LeNet's outputs equal those of its layers run one by one
 * (a tape that records gradients), on one thread and on two, in both dtypes (float32 through the
 * CPU's direct kernels, float64 through the per-example unfolding with the pooling fused); a layer
 * whose output something else reads ends the run.
 */
class ScoringRunsTest {
  private static NetworkSpec lenet() {
    return NetworkSpec.builder().input("image", 1, 28, 28)
        .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 5).batchNorm().relu().maxPool2d(2)
        .flatten().dense(24).relu().dense(10).build();
  }

  @Test
  void aLeNetScoresAsItsLayersOneByOne() {
    for (int threads : new int[] {1, 2}) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        try (CpuBackend be = new CpuBackend(threads); Network net = Network.create(lenet(), be, dtype, 7);
            Scope scope = be.openScope("test")) {
          assertArrayEquals(new int[] {4, 0, 0, 0, 4, 0, 0, 0, 1, 1, 1, 1}, net.scoringSpans());
          // running statistics and affine parameters away from their defaults, so that folding them matters
          be.random(net.buffers().values(), Distribution.UNIFORM, 0.5, 1.5, 3);
          Tensor x = scope.allocate(dtype, Shape.of(5, 1, 28, 28));
          be.random(x, Distribution.NORMAL, 0, 1, 11);
          double[] fused = net.forward(Tape.inference(scope).constant(x)).value().toDoubleArray();
          double[] layered = net.forward(new Tape(scope, false, 0).constant(x)).value().toDoubleArray();
          double tolerance = dtype == DType.FLOAT64 ? 1e-10 : 1e-4;
          for (int i = 0; i < fused.length; i++) {
            assertEquals(layered[i], fused[i], tolerance * Math.max(1, Math.abs(layered[i])),
                dtype + ", " + threads + " threads, output " + i);
          }
        }
      }
    }
  }

  @Test
  void aLayerReadByAnotherEndsTheRun() {
    try (CpuBackend be = new CpuBackend(1)) {
      // the ReLU's values are an output too: the run ends at the ReLU, and the pooling runs on its values
      NetworkSpec output = NetworkSpec.builder().input("image", 1, 8, 8).conv2d(4, 3).batchNorm().relu().maxPool2d(2)
          .outputs("relu_1", "max_pool_1").build();
      // pooling, then the ReLU: both join
      NetworkSpec poolFirst = NetworkSpec.builder().input("image", 1, 8, 8).conv2d(4, 3).maxPool2d(2).relu().build();
      // an average pooling does not join
      NetworkSpec average = NetworkSpec.builder().input("image", 1, 8, 8).conv2d(4, 3).relu().avgPool2d(2).build();
      try (Network a = Network.create(output, be, DType.FLOAT32, 1);
          Network b = Network.create(poolFirst, be, DType.FLOAT32, 1);
          Network c = Network.create(average, be, DType.FLOAT32, 1)) {
        assertArrayEquals(new int[] {3, 0, 0, 1}, a.scoringSpans());
        assertArrayEquals(new int[] {3, 0, 0}, b.scoringSpans());
        assertArrayEquals(new int[] {2, 0, 1}, c.scoringSpans());
      }
    }
  }
}
