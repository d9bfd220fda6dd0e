package org.sparkdl.tensor;

/**
 * What tensors need of the memory they live in: allocation, freeing, element transfers to and from
 * the heap, fills and copies. A {@code org.sparkdl.backend.Backend} is a device with kernels; this
 * package sees only this narrow view, so that tensors do not depend on the kernel SPI (which
 * depends on them). Code that runs kernels on a tensor's memory gets its backend with {@code
 * Backend.of(tensor)}.
 */
public interface Device {
  /** Short name, e.g. {@code "cpu"} or {@code "cuda:0"}. */
  String name();

  /** Allocates {@code bytes} of device memory; called by {@link Scope}. */
  Storage allocate(long bytes);

  /** Frees storage once; later calls do nothing. Called by the owning tensor. */
  void free(Storage s);

  /** Copies host values (row-major) into {@code dst}, converting to its dtype. */
  void copyIn(Tensor dst, float[] src);

  /** Copies host values (row-major) into {@code dst}, converting to its dtype. */
  void copyIn(Tensor dst, double[] src);

  /** Copies {@code src}'s elements (row-major, any layout) into a host array. */
  void copyOut(Tensor src, float[] dst);

  /** Copies {@code src}'s elements (row-major, any layout) into a host array. */
  void copyOut(Tensor src, double[] dst);

  /** {@code dst = src}, any strides on either side, converting dtype if they differ. */
  void copy(Tensor src, Tensor dst);

  /** Sets every element to {@code value}. */
  void fill(Tensor t, double value);

  /** Fills {@code t} with seeded draws from U(lo, hi), the same on every device for one seed. */
  void uniform(Tensor t, double lo, double hi, long seed);

  /** Fills {@code t} with seeded draws from N(mean, std^2), the same on every device for one seed. */
  void normal(Tensor t, double mean, double std, long seed);
}
