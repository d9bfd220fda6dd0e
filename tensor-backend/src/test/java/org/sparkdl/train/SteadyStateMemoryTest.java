package org.sparkdl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** A long training loop neither leaks tensors nor asks the OS for memory after its first steps. */
class SteadyStateMemoryTest {
  @Test
  void trainingStepsFreeWhatTheyAllocateAndReuseTheSameNativeBlocks() {
    try (CpuBackend be = new CpuBackend(1)) {
      NetworkSpec spec = NetworkSpec.builder().input("features", 20).dense(32).relu().dropout(0.2).dense(16).gelu().dense(4).build();
      try (Network net = Network.create(spec, be, DType.FLOAT32, 1);
          LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adamW(1e-3, 0.01).withClipNorm(1), 1);
          Scope data = be.openScope("data")) {
        Tensor x = data.allocate(DType.FLOAT32, Shape.of(16, 20));
        Tensor y = data.allocate(DType.FLOAT32, Shape.of(16));
        be.random(x, Distribution.NORMAL, 0, 1, 3);
        be.fill(y, 2);
        for (int i = 0; i < 5; i++) {
          trainer.trainBatch(x, y, null);
        }
        long live = be.liveBytes();
        long mallocs = be.nativeAllocations();
        long nativeBytes = be.nativeBytes();
        for (int i = 0; i < 300; i++) {
          trainer.trainBatch(x, y, null);
          assertEquals(live, be.liveBytes(), "live bytes after step " + i);
        }
        assertEquals(mallocs, be.nativeAllocations(), "native allocations in steady state");
        assertEquals(nativeBytes, be.nativeBytes(), "native bytes in steady state");
      }
      assertEquals(0, be.liveBytes());
    }
  }
}
