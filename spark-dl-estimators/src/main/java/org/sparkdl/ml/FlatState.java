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
 * The one layout of a fit's training state. A network keeps its parameters in one flat buffer and
 * its buffers (batch normalisation's running statistics; most networks have none) in another; its
 * optimizer keeps each state buffer ({@code m}, {@code v}, {@code momentum}, ...) as long as the
 * parameters. Wherever a fit moves that state, it goes as the <b>parts</b> {@code [parameters |
 * state_1 | ... | state_k]}, the state in the order of its names, with the buffers beside them:
 * a barrier stage's start ({@link #partsAndBuffers}) and its averaging ({@link #parts}), the
 * per-round path's broadcast and sums ({@link TrainingState}, {@link #copyParts}, {@link #mean}),
 * the epoch a barrier stage hands to the driver, and, without the optimizer, the weights a round
 * broadcasts and the best epoch the driver keeps ({@link Weights}).
 *
 * <p>The parts are views of the network's and the optimizer's own tensors: nothing is copied
 * until {@link #copyParts} (to the heap) or {@link #loadParts} (from it).
 */
final class FlatState {
  private final List<Tensor> parts;
  private final Tensor buffers;

  private FlatState(Network network, Optimizer optimizer) {
    List<Tensor> p = new ArrayList<>();
    p.add(network.parameters().values());
    p.addAll(states(optimizer));
    this.parts = List.copyOf(p);
    this.buffers = network.buffers().size() == 0 ? null : network.buffers().values();
  }

  /** The layout of {@code network}'s parameters and buffers and {@code optimizer}'s state (built over its parameters). */
  static FlatState of(Network network, Optimizer optimizer) {
    return new FlatState(network, optimizer);
  }

  /** The optimizer's state names in layout order. */
  static List<String> stateNames(Optimizer optimizer) {
    return List.copyOf(new TreeMap<>(optimizer.state()).keySet());
  }

  /** The optimizer's state buffers in layout order, views of its own. */
  static List<Tensor> states(Optimizer optimizer) {
    Map<String, Tensor> byName = new TreeMap<>(optimizer.state());
    return List.copyOf(byName.values());
  }

  /** {@code [parameters, state_1, ..., state_k]}, each the parameters' length but for frozen parameters, which have no state. */
  List<Tensor> parts() {
    return parts;
  }

  /** The parts, then the network's buffers when it has any: all a worker needs to continue from another's state. */
  List<Tensor> partsAndBuffers() {
    if (buffers == null) {
      return parts;
    }
    List<Tensor> all = new ArrayList<>(parts);
    all.add(buffers);
    return all;
  }

  /** A heap copy of each part. */
  float[][] copyParts() {
    float[][] out = new float[parts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = parts.get(i).toFloatArray();
    }
    return out;
  }

  /**
   * Sets each part from a heap copy.
   *
   * @throws IllegalStateException when {@code values} has another number of parts (an optimizer of other settings)
   */
  void loadParts(float[][] values) {
    if (values.length != parts.size()) {
      throw new IllegalStateException("The training state has " + values.length + " parts; this network and optimizer"
          + " have " + parts.size() + " (parameters and " + (parts.size() - 1) + " optimizer state buffers).");
    }
    for (int i = 0; i < values.length; i++) {
      parts.get(i).copyFrom(values[i]);
    }
  }

  /**
   * Splits a vector laid out as these parts (summed in double) into float32 parts, each value
   * divided by {@code divisor}; the parts may differ in length (an optimizer's state leaves frozen
   * parameters out).
   */
  float[][] mean(double[] sum, double divisor) {
    float[][] out = new float[parts.size()][];
    int at = 0;
    for (int k = 0; k < out.length; k++) {
      float[] part = new float[parts.get(k).size()];
      for (int i = 0; i < part.length; i++) {
        part[i] = (float) (sum[at + i] / divisor);
      }
      at += part.length;
      out[k] = part;
    }
    if (at != sum.length) {
      throw new IllegalStateException("A summed state of " + sum.length + " values does not fit parts of " + at + ".");
    }
    return out;
  }

  /** A heap copy of the network's buffers, or null when it has none (most networks). */
  static float[] copyBuffers(Network network) {
    return network.buffers().size() == 0 ? null : network.buffers().values().toFloatArray();
  }

  /** Sets the network's buffers from a heap copy; null (a network without buffers) leaves them. */
  static void loadBuffers(Network network, float[] values) {
    if (values != null) {
      network.buffers().values().copyFrom(values);
    }
  }

  /**
   * Splits a vector of {@code count} equal parts summed in double (the per-round path's sums)
   * into float32 parts, each value divided by {@code divisor}: the mean when {@code divisor} is
   * the weight the summands were multiplied by.
   */
  static float[][] mean(double[] sum, int count, double divisor) {
    int n = sum.length / count;
    float[][] out = new float[count][n];
    for (int k = 0; k < count; k++) {
      float[] part = out[k];
      for (int i = 0; i < n; i++) {
        part[i] = (float) (sum[k * n + i] / divisor);
      }
    }
    return out;
  }

  /**
   * A network's parameters and (null when it has none) buffers, without optimizer state: what a
   * gradient or evaluation round broadcasts (each broadcast has a fixed cost of a few
   * milliseconds, so a round makes one), and the epoch snapshots the driver keeps (the best one,
   * the last one).
   */
  record Weights(float[] params, float[] buffers) implements Serializable {
    /** A heap copy of the network's weights. */
    static Weights of(Network network) {
      return new Weights(network.parameters().values().toFloatArray(), copyBuffers(network));
    }

    /** Sets the network's parameters, and its buffers when these weights have any. */
    void loadInto(Network network) {
      network.parameters().values().copyFrom(params);
      loadBuffers(network, buffers);
    }
  }
}
