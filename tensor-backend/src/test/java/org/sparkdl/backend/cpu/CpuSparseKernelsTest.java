package org.sparkdl.backend.cpu;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.SparseKernelsContractTest;

/** The sparse-row contract on the CPU backend. */
class CpuSparseKernelsTest extends SparseKernelsContractTest {
  @Override
  protected Backend createBackend() {
    return new CpuBackend(1);
  }
}
