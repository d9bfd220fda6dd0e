package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The vector exponential of the SIMD cells over its whole range, and the cells' saturation at
 * extreme pre-activations; their agreement with plain loops is in {@code SequenceKernelsContractTest}.
 */
class SimdCellKernelsTest {
  private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

  @Test
  void expIsWithinAFewUlpOverTheNormalRange() {
    assertTrue(Simd.AVAILABLE, "the test JVM runs with --add-modules=jdk.incubator.vector");
    int n = 400_000 / LANES * LANES;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (-87 + 175.0 * i / (n - 1));
    }
    float[] y = x.clone();
    SimdCellKernels.exp(y, 0, n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double e = Math.exp(x[i]);
      worst = Math.max(worst, Math.abs(y[i] - e) / e);
    }
    assertTrue(worst < 3e-7, "relative error " + worst);
  }

  @Test
  void gatesSaturateAtExtremePreActivations() {
    int hid = LANES;
    try (CpuBackend be = new CpuBackend(1); Scope s = be.openScope("t")) {
      float[] pre = new float[4 * hid];
      for (int j = 0; j < pre.length; j++) {
        pre[j] = j % 2 == 0 ? -1e30f : 1e30f;
      }
      Tensor gates = s.of(DType.FLOAT32, Shape.of(1, 4 * hid), pre);
      Tensor zero = s.zeros(DType.FLOAT32, Shape.of(1, hid));
      Tensor c = s.allocate(DType.FLOAT32, Shape.of(1, hid));
      Tensor h = s.allocate(DType.FLOAT32, Shape.of(1, hid));
      Tensor scratch = s.of(DType.FLOAT32, Shape.of(1, 4 * hid), pre);
      Tensor hStep = s.allocate(DType.FLOAT32, Shape.of(1, hid));
      SimdCellKernels.lstmCell(scratch, null, zero, zero, null, c, hStep, null, false);
      for (float v : hStep.toFloatArray()) {
        assertTrue(Float.isFinite(v), "h at inference " + v);
      }
      SimdCellKernels.lstmCell(gates, null, zero, zero, null, c, h, null, true);
      float[] expected = new float[4 * hid];
      for (int j = 0; j < expected.length; j++) {
        boolean tanh = j >= 2 * hid && j < 3 * hid;
        expected[j] = j % 2 == 0 ? (tanh ? -1f : 0f) : 1f;
      }
      assertArrayEquals(expected, gates.toFloatArray(), 1e-38f);
      for (float v : h.toFloatArray()) {
        assertTrue(Float.isFinite(v), "h " + v);
      }
    }
  }
}
