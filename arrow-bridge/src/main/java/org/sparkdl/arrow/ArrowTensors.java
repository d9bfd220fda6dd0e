package org.sparkdl.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Float32 tensors viewing Arrow memory without copying.
 *
 * <p><b>Ownership.</b> A tensor from {@link #borrow} owns nothing: closing it does nothing, and the
 * Arrow buffer stays with whoever allocated it. It must not outlive that buffer. The owner of the
 * buffer calls {@link #revoke} before releasing it, after which any use of the tensor, or of views
 * made from it, throws {@link IllegalStateException} instead of reading freed memory.
 */
public final class ArrowTensors {
  private ArrowTensors() {}

  /**
   * A row-major float32 tensor of {@code shape} over the first bytes of {@code buf}.
   *
   * @throws IllegalArgumentException when {@code buf} is smaller than the tensor
   */
  public static Tensor borrow(HostBackend backend, ArrowBuf buf, Shape shape) {
    long bytes = 4L * shape.size();
    if (bytes > buf.capacity()) {
      throw new IllegalArgumentException(
          "A float32 tensor of shape " + shape + " needs " + bytes + " bytes; the Arrow buffer has " + buf.capacity() + ".");
    }
    return backend.borrow(buf.memoryAddress(), DType.FLOAT32, shape);
  }

  /**
   * Ends a borrowed tensor's access to its memory: from now on, using it or any view of it throws
   * {@link IllegalStateException}. Idempotent.
   *
   * @throws IllegalArgumentException when {@code tensor} owns its memory (close it instead)
   */
  public static void revoke(Tensor tensor) {
    if (!tensor.storage().isBorrowed()) {
      throw new IllegalArgumentException("Tensor " + tensor + " owns its memory; close it instead of revoking it.");
    }
    tensor.storage().markFreed();
  }
}
