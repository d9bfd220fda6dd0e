package org.sparkdl.backend.cpu;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.WindowKernelsContractTest;

class CpuWindowKernelsTest extends WindowKernelsContractTest {
  @Override
  protected Backend createBackend() {
    return new CpuBackend(2);
  }
}
