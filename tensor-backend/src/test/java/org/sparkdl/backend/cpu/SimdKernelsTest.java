package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** The SIMD kernels compute exactly what their scalar twins compute. */
class SimdKernelsTest {
  @Test
  void simdAdamMatchesTheScalarKernelBitForBit() {
    assertTrue(Simd.AVAILABLE, "the test JVM runs with --add-modules=jdk.incubator.vector");
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      int n = 1000 + 7;   // a tail that does not fill a vector
      Tensor[] a = new Tensor[4];
      Tensor[] b = new Tensor[4];
      for (int k = 0; k < 4; k++) {
        a[k] = s.allocate(DType.FLOAT32, Shape.of(n + 3)).slice(0, 3, n + 3);   // odd offsets
        b[k] = s.allocate(DType.FLOAT32, Shape.of(n));
        be.random(a[k], Distribution.NORMAL, 0, 1, k);
        be.copy(a[k], b[k]);
      }
      be.map(org.sparkdl.backend.UnaryOp.ABS, a[3], a[3], 0);
      be.map(org.sparkdl.backend.UnaryOp.ABS, b[3], b[3], 0);
      for (boolean decoupled : new boolean[] {false, true}) {
        OptimizerKernels.Adam h = new OptimizerKernels.Adam(1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, 7, 0.5);
        SimdKernels.adam(a[0], a[1], a[2], a[3], h);
        OptimizerUpdates.adamFloat(b[0], b[1], b[2], b[3], h);
        for (int k = 0; k < 4; k++) {
          assertArrayEquals(b[k].toFloatArray(), a[k].toFloatArray());
        }
      }
    }
  }
}
