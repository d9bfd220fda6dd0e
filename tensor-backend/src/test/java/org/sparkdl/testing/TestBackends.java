package org.sparkdl.testing;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Backends;

/**
 * The backend the backend-neutral suites (gradient checks of every op and layer, ONNX Runtime
 * fixtures) run on: {@code -Dsparkdl.test.backend=<kind>} ({@code cpu} by default), so that another
 * backend runs the same suites with that one flag, as it runs the kernel contracts by subclassing.
 */
public final class TestBackends {
  /** The kind the suites run on. */
  public static final String KIND = System.getProperty("sparkdl.test.backend", "cpu");

  private TestBackends() {}

  /** A new backend of {@link #KIND} with {@code threads} threads; the caller closes it. */
  public static Backend create(int threads) {
    return Backends.provider(KIND).create(threads);
  }
}
