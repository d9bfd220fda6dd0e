package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** The SIMD kernels take over from their scalar twins only once faster, and the split call computes the same. */
class SimdWarmupTest {
  @Test
  void startsOnlyOnceTheScalarKernelHasCostTheRent() {
    SimdWarmup w = new SimdWarmup(1_000);
    assertFalse(w.split(3 * SimdWarmup.SLICE), "the scalar kernel runs alone at first");
    w.recordScalar(600);
    assertFalse(w.split(3 * SimdWarmup.SLICE));
    w.recordScalar(400);
    assertTrue(w.split(3 * SimdWarmup.SLICE), "then the warm-up starts");
    assertFalse(w.ready());
  }

  @Test
  void switchesOnlyAfterConsecutiveFasterCalls() {
    SimdWarmup w = new SimdWarmup(0);
    assertTrue(w.split(3 * SimdWarmup.SLICE));
    assertFalse(w.split(2 * SimdWarmup.SLICE), "small calls are not split");
    w.record(100, 1000, 50, 1000);   // slower per element
    w.record(10, 1000, 50, 1000);
    w.record(10, 1000, 50, 1000);
    w.record(100, 1000, 50, 1000);   // a slower call resets the run
    w.record(10, 1000, 50, 1000);
    w.record(10, 1000, 50, 1000);
    assertFalse(w.ready());
    w.record(10, 1000, 50, 1000);
    assertTrue(w.ready());
    assertFalse(w.split(10 * SimdWarmup.SLICE), "once ready, calls are whole");
  }

  @Test
  void aWarmingUpCallMatchesTheScalarKernelBitForBit() {
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      int n = 3 * SimdWarmup.SLICE + 5;
      Tensor[] a = new Tensor[4];
      Tensor[] b = new Tensor[4];
      for (int k = 0; k < 4; k++) {
        a[k] = s.allocate(DType.FLOAT32, Shape.of(n));
        b[k] = s.allocate(DType.FLOAT32, Shape.of(n));
        be.random(a[k], Distribution.NORMAL, 0, 1, k);
        be.copy(a[k], b[k]);
      }
      be.map(UnaryOp.ABS, a[3], a[3], 0);
      be.map(UnaryOp.ABS, b[3], b[3], 0);
      OptimizerKernels.Adam h = new OptimizerKernels.Adam(1e-3, 0.9, 0.999, 1e-8, 0.01, true, 3, 1.0);
      OptimizerUpdates.adamWarmingUp(a[0], a[1], a[2], a[3], h);
      OptimizerUpdates.adamFloat(b[0], b[1], b[2], b[3], h);
      for (int k = 0; k < 4; k++) {
        assertArrayEquals(b[k].toFloatArray(), a[k].toFloatArray());
      }
    }
  }
}
