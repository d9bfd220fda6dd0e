package org.sparkdl.ml;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkdl.arrow.ArrowBatch;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.tensor.Tensor;

/**
 * The network inputs of rows {@code [lo, hi)} of a training batch, by input name: the features
 * under the network's first input, and, when the batch carries them, each row's sequence length
 * under {@code lengths}. Both are views of the batch's Arrow memory.
 */
final class SequenceInputs {
  /** The name of the input that receives each row's sequence length. */
  static final String LENGTHS = "lengths";

  private SequenceInputs() {}

  static Map<String, Tensor> of(Network network, ArrowBatch batch, HostBackend host, int lo, int hi) {
    Map<String, Tensor> inputs = new LinkedHashMap<>(2);
    inputs.put(network.spec().inputs().get(0).name(), batch.features(host).slice(0, lo, hi));
    if (batch.hasLengths()) {
      inputs.put(LENGTHS, batch.lengths(host).slice(0, lo, hi));
    }
    return inputs;
  }
}
