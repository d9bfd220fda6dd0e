package org.sparkdl.ml;

import java.io.Serializable;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.Optimizer;

/**
 * Everything a worker needs to continue a fit from where the driver is, copied to the heap: the
 * {@link FlatState} parts (parameters, then the optimizer's state buffers in name order), the
 * optimizer's step count, and the network's buffers (null when it has none, as most networks).
 * The driver broadcasts one at the start of a round (average mode) or of an epoch (barrier
 * stages); a barrier stage's rank 0 sends one back.
 */
record TrainingState(float[][] parts, long steps, float[] buffers) implements Serializable {

  /** The state of a network and its optimizer, copied to the heap. */
  static TrainingState of(Network network, Optimizer optimizer) {
    return new TrainingState(FlatState.of(network, optimizer).copyParts(), optimizer.steps(), FlatState.copyBuffers(network));
  }

  /** Sets a network and its optimizer (built from the same spec and settings) to this state. */
  void loadInto(Network network, Optimizer optimizer) {
    FlatState.of(network, optimizer).loadParts(parts);
    optimizer.setSteps(steps);
    FlatState.loadBuffers(network, buffers);
  }

  /** The parameters: the first part. */
  float[] params() {
    return parts[0];
  }
}
