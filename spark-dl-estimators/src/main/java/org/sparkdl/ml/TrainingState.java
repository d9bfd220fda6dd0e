package org.sparkdl.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.tensor.Tensor;

/**
 * Everything a worker needs to continue a fit from where the driver is: parameters, the
 * optimizer's state buffers (by name, in name order) and step count, and the network's buffers
 * (null when it has none, as most networks). The driver broadcasts one at the start of a round
 * (average mode) or of an epoch (barrier stages); a barrier stage's rank 0 sends one back.
 */
record TrainingState(float[] params, List<String> stateNames, float[][] state, long steps, float[] buffers)
    implements Serializable {

  /** The state of a network and its optimizer, copied to the heap. */
  static TrainingState of(Network network, Optimizer optimizer) {
    Map<String, Tensor> opt = new TreeMap<>(optimizer.state());
    List<String> names = new ArrayList<>(opt.keySet());
    float[][] state = new float[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      state[i] = opt.get(names.get(i)).toFloatArray();
    }
    return new TrainingState(network.parameters().values().toFloatArray(), names, state, optimizer.steps(),
        DistributedTrainer.buffersOf(network));
  }

  /** Sets a network and its optimizer (built from the same spec and settings) to this state. */
  void loadInto(Network network, Optimizer optimizer) {
    network.parameters().values().copyFrom(params);
    Map<String, Tensor> opt = optimizer.state();
    for (int i = 0; i < stateNames.size(); i++) {
      opt.get(stateNames.get(i)).copyFrom(state[i]);
    }
    optimizer.setSteps(steps);
    if (buffers != null) {
      network.buffers().values().copyFrom(buffers);
    }
  }

  /** Floats of the parameters and the optimizer state together, as average-mode rounds sum them. */
  int vectorLength() {
    return params.length * (1 + stateNames.size());
  }
}
