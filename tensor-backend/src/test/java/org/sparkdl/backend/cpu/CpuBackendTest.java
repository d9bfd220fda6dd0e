package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BackendContractTest;
import org.sparkdl.backend.BackendException;
import org.sparkdl.backend.Backends;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

class CpuBackendTest extends BackendContractTest {
  @Override
  protected Backend createBackend() {
    return new CpuBackend(2);
  }

  @Test
  void eachBackendsMatrixProductsRunOnItsOwnThreadCount() {
    try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2);
        org.sparkdl.tensor.Scope s = one.openScope("threads")) {
      assertEquals(2, org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads(), "the newest backend's count");
      Tensor a = s.zeros(DType.FLOAT32, Shape.of(4, 4));
      one.gemm(a, false, a, false, s.zeros(DType.FLOAT32, Shape.of(4, 4)), 1, 0);
      assertEquals(1, org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads(),
          "a product of the one-thread backend runs on one thread although another backend asked for two");
      assertEquals(2, two.threads());
    }
  }

  @Test
  void borrowsForeignMemoryWithoutCopyingOrFreeingIt() {
    FloatPointer foreign = new FloatPointer(4);
    try {
      foreign.put(new float[] {1, 2, 3, 4});
      Tensor t = ((CpuBackend) be).borrow(foreign.address(), DType.FLOAT32, Shape.of(2, 2));
      be.fill(t.slice(0, 1, 2), 7);
      assertEquals(7f, foreign.get(2));
      t.close();
      assertArrayEquals(new float[] {1, 2, 7, 7}, t.toFloatArray());
      assertEquals(0, be.liveBytes());
    } finally {
      Pointer.free(foreign);
    }
  }

  @Test
  void autoPicksTheCpuWhenNothingBetterLoadsAndUnknownKindsAreNamed() {
    assertEquals("cpu", Backends.provider("auto").kind());
    assertEquals("cpu", Backends.provider("CPU").kind());
    BackendException e = assertThrows(BackendException.class, () -> Backends.provider("tpu"));
    assertEquals("Backend 'tpu' is not available; known backends: auto, cpu.", e.getMessage());
  }

  @Test
  void threadCountIsValidatedAndApplied() {
    be.setThreads(1);
    assertEquals(1, be.threads());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.setThreads(0));
    assertEquals("Thread count must be >= 1, found 0.", e.getMessage());
  }
}
