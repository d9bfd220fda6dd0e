package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.autograd.Tape;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.LocalTrainer;

/**
 * At inference, on a tape that records no gradients, a convolution folds the batch normalisation
 * after it into its weights and bias: the same outputs as the two layers run one after the other
 * (on an inference tape that records gradients), after training has moved the running statistics,
 * gamma and beta away from their starting values.
 */
class BatchNormFoldTest {
  private static NetworkSpec cnn(boolean bias) {
    return NetworkSpec.builder().input("image", 2, 9, 9)
        .conv2d(4, 3, c -> c.withPadding(Padding.of(1)).withBias(bias)).batchNorm().relu().maxPool2d(2)
        .conv2d(3, 3).batchNorm().flatten().dense(5).build();
  }

  @Test
  void foldedConvolutionsGiveTheOutputsOfConvolutionThenBatchNormalisation() {
    for (boolean bias : new boolean[] {true, false}) {
      for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        try (CpuBackend be = new CpuBackend(1); Network net = Network.create(cnn(bias), be, dtype, 3);
            LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.05), 4);
            Scope scope = be.openScope("test")) {
          assertArrayEquals(new boolean[] {true, false, false, false, true, false, false, false}, net.foldsNext());
          for (int step = 0; step < 5; step++) {
            try (Scope s = scope.child("step")) {
              Tensor x = s.allocate(dtype, Shape.of(8, 2, 9, 9));
              be.random(x, Distribution.NORMAL, 1, 2, step);
              Tensor y = s.of(dtype, Shape.of(8), new float[] {0, 1, 2, 3, 4, 0, 1, 2});
              trainer.trainBatch(x, y, null);
            }
          }
          Tensor x = scope.allocate(dtype, Shape.of(6, 2, 9, 9));
          be.random(x, Distribution.NORMAL, 0.5, 1.5, 99);
          double[] folded = net.forward(Tape.inference(scope).constant(x)).value().toDoubleArray();
          double[] layered = net.forward(new Tape(scope, false, 0).constant(x)).value().toDoubleArray();
          double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
          for (int i = 0; i < folded.length; i++) {
            assertEquals(layered[i], folded[i], tolerance * Math.max(1, Math.abs(layered[i])),
                dtype + ", bias " + bias + ", output " + i);
          }
        }
      }
    }
  }

  @Test
  void onlyAConvolutionReadByNothingButTheBatchNormalisationAfterItFolds() {
    try (CpuBackend be = new CpuBackend(1)) {
      // the last two layers of a network fold as any others
      NetworkSpec both = NetworkSpec.builder().input("image", 1, 5, 5).conv2d(2, 3).batchNorm().build();
      try (Network net = Network.create(both, be, DType.FLOAT32, 1)) {
        assertArrayEquals(new boolean[] {true, false}, net.foldsNext());
      }
      // batch norm not directly after the convolution
      NetworkSpec apart = NetworkSpec.builder().input("image", 1, 5, 5).conv2d(2, 3).relu().batchNorm().build();
      try (Network net = Network.create(apart, be, DType.FLOAT32, 1)) {
        assertArrayEquals(new boolean[] {false, false, false}, net.foldsNext());
      }
    }
  }
}
