package org.sparkdl.backend;

import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * A backend whose tensors live in host memory the JVM can address, so that it can view memory
 * someone else owns (an Arrow buffer) as a tensor without copying. The data plane (Arrow batches,
 * scoring, training input) reads through this type, never through a concrete backend: batches are
 * decoded on the host, and a device backend receives them by {@link Backend#copy}.
 */
public abstract class HostBackend extends Backend {
  /**
   * Wraps host memory that someone else owns (e.g. an Arrow buffer) as a tensor without copying.
   * The tensor frees nothing and must not outlive the memory.
   */
  public abstract Tensor borrow(long address, DType dtype, Shape shape);
}
