package org.sparkdl.backend.cpu;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.SequenceKernelsContractTest;

/** The embedding and recurrent-cell contract on the CPU backend (SIMD float32 cells where the rows fit). */
class CpuSequenceKernelsTest extends SequenceKernelsContractTest {
  @Override
  protected Backend createBackend() {
    return new CpuBackend(1);
  }
}
