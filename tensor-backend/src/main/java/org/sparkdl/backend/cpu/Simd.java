package org.sparkdl.backend.cpu;

/**
 * Whether the Vector API kernels ({@link SimdKernels}, {@link SimdCellKernels}) may run. A class
 * of its own, with no Vector API type in it, so that the check works in a JVM started without
 * {@code --add-modules=jdk.incubator.vector}, where loading those kernels would fail.
 */
final class Simd {
  /**
   * True when the Vector API module is in the boot layer and {@code -Dsparkdl.cpu.noSimd=true}
   * does not turn the SIMD kernels off.
   */
  static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !Boolean.getBoolean("sparkdl.cpu.noSimd");

  private Simd() {}
}
