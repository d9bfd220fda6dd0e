package org.sparkdl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
  void zeroingAContiguousSliceTouchesOnlyTheSliceAndNegativeZeroKeepsItsSign() {
    try (CpuBackend be = new CpuBackend(1); org.sparkdl.tensor.Scope s = be.openScope("fill")) {
      for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        Tensor t = s.allocate(dt, Shape.of(3, 5));
        be.fill(t, 2);
        be.fill(t.slice(0, 1, 2), 0);   // contiguous: the memset path
        be.fill(t.slice(1, 4, 5), 0);   // strided column: the loop
        assertArrayEquals(new double[] {2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0}, t.toDoubleArray(), dt.toString());
        be.fill(t, -0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(t.toDoubleArray()[7]), dt.toString());
      }
    }
  }

  @Test
  void theOptimizerKernelsRunInAJvmWithoutTheVectorApiModule() throws Exception {
    String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path"), ScalarOnlyMain.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertEquals(true, out.contains("adam ok"), out);
  }

  /** Run by the test above in a JVM started without {@code --add-modules=jdk.incubator.vector}. */
  public static final class ScalarOnlyMain {
    public static void main(String[] args) {
      try (CpuBackend be = new CpuBackend(1); org.sparkdl.tensor.Scope s = be.openScope("adam")) {
        if (Simd.AVAILABLE) {
          throw new IllegalStateException("the Vector API module is present; this JVM should have been started without it");
        }
        int n = 3 * SimdWarmup.SLICE + 7;
        Tensor[] t = new Tensor[4];
        for (int i = 0; i < 4; i++) {
          t[i] = s.allocate(DType.FLOAT32, Shape.of(n));
          be.fill(t[i], i == 1 ? 1 : 0);
        }
        be.adamStep(t[0], t[1], t[2], t[3], new org.sparkdl.backend.OptimizerKernels.Adam(0.1, 0.9, 0.999, 1e-8, 0, false, 1, 1));
        float p = t[0].toFloatArray()[n - 1];
        if (Math.abs(p + 0.1f) > 1e-5f) {
          throw new IllegalStateException("the first Adam step moved the parameter to " + p + ", not -0.1");
        }
        System.out.println("adam ok");
      }
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
