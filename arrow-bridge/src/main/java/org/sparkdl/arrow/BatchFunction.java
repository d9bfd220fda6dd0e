package org.sparkdl.arrow;

import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.Tensor;

/**
 * What a {@link BatchScorer} runs on each batch of rows: typically a network's forward pass.
 *
 * <p><b>Lifecycle.</b> Both tensors are borrowed views of buffers the scorer owns and reuses for
 * the next batch; they are valid only during the call, and using them (or views of them) afterwards
 * throws {@link IllegalStateException}. Neither is to be closed. A function runs on the thread
 * consuming the scorer's iterator and needs no synchronization of its own.
 */
@FunctionalInterface
public interface BatchFunction {
  /**
   * Computes one batch.
   *
   * @param features {@code [rows, featureWidth]} float32, row-major, one row per input row
   * @param output {@code [rows, outputWidth]} float32 host memory to fill completely; its contents
   *     on entry are undefined. A device backend copies its result here, e.g. through {@code
   *     output.storage().hostBuffer()}.
   */
  void apply(Tensor features, Tensor output);

  /**
   * Computes one batch of sequences whose rows also give their lengths, for a network with a
   * {@code lengths} input ({@link FeatureInput#lengths()}). A function for such a network
   * overrides this; the default serves functions of features alone.
   *
   * @param lengths {@code [rows, 1]} float32, each row's number of steps, or null when the scorer
   *     reads no lengths
   * @throws IllegalStateException from the default, when given lengths it cannot use
   */
  default void apply(Tensor features, Tensor lengths, Tensor output) {
    if (lengths != null) {
      throw new IllegalStateException("This batch function reads features only; the scorer gives sequence lengths too."
          + " Override apply(features, lengths, output).");
    }
    apply(features, output);
  }

  /**
   * Computes one batch of sparse rows, for a network whose input is sparse ({@link
   * FeatureInput#isSparse()}). A function for such a network overrides this.
   *
   * @param features {@code [rows, featureWidth]} as CSR rows, views valid only during the call
   * @throws IllegalStateException from the default, which reads dense features only
   */
  default void applySparse(CsrMatrix features, Tensor output) {
    throw new IllegalStateException("This batch function reads dense features; the scorer gives sparse rows."
        + " Override applySparse(features, output).");
  }
}
