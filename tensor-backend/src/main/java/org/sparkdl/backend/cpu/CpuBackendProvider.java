package org.sparkdl.backend.cpu;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BackendException;
import org.sparkdl.backend.BackendProvider;

/** Provides {@link CpuBackend}; available wherever OpenBLAS loads. */
public final class CpuBackendProvider implements BackendProvider {
  @Override
  public String kind() {
    return "cpu";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public String probe() {
    try {
      CpuBackend.loadBlas();
      return null;
    } catch (BackendException e) {
      return e.getMessage();
    }
  }

  @Override
  public Backend create(int device) {
    return new CpuBackend();
  }
}
