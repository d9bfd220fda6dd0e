package org.sparkdl.ml.scoring;

import java.io.Serializable;
import java.util.UUID;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;

/**
 * What a fitted model carries to the executors: the network spec (JSON), the flat float32
 * parameters in the order the network lists them, the flat non-trainable buffers (batch
 * normalisation's running statistics, {@link Network#buffers()}) in their order, and an id that
 * names this exact set of weights in executor caches. Immutable; the arrays are never modified
 * after construction.
 *
 * @param buffers the buffers' values, or an empty array for the values a new network starts with
 *     (running mean 0, running variance 1); always empty for a network without buffers
 */
public record ModelData(String specJson, float[] weights, float[] buffers, String id, int inputWidth, int outputWidth)
    implements Serializable {

  /** Data for {@code spec} and {@code weights}, its buffers at their initial values, with a fresh id. */
  public static ModelData of(NetworkSpec spec, float[] weights) {
    return of(spec, weights, new float[0]);
  }

  /** Data for {@code spec}, {@code weights} and {@code buffers} (empty for their initial values), with a fresh id. */
  public static ModelData of(NetworkSpec spec, float[] weights, float[] buffers) {
    int in = spec.inputs().get(0).shape().stream().reduce(1, (a, b) -> a * b);
    int out = spec.outputShape().stream().reduce(1, (a, b) -> a * b);
    return new ModelData(spec.toJson(), weights, buffers, UUID.randomUUID().toString(), in, out);
  }

  /**
   * No network: what a model made by its uid constructor holds (Spark's stage convention, and what
   * Spark Connect's ServiceLoader discovery instantiates). Such a model scores nothing.
   */
  public static ModelData empty() {
    return new ModelData("", new float[0], new float[0], "empty", 0, 0);
  }

  /** Whether this is {@link #empty()}. */
  public boolean isEmpty() {
    return specJson.isEmpty();
  }

  /**
   * @throws IllegalStateException when this is {@link #empty()}, naming the model {@code uid}
   */
  public void requireNetwork(String uid) {
    if (isEmpty()) {
      throw new IllegalStateException("Model " + uid + " holds no network: it was made by its uid constructor. Fit an"
          + " estimator or load a saved model instead.");
    }
  }

  /** The parsed spec. */
  public NetworkSpec spec() {
    return NetworkSpec.fromJson(specJson);
  }

  /**
   * Copies the parameters and, when this data holds them, the buffers into {@code network}.
   *
   * @throws IllegalArgumentException when the buffers do not fit the network's
   */
  public void loadInto(Network network) {
    network.parameters().values().copyFrom(weights);
    if (buffers.length > 0) {
      if (buffers.length != network.buffers().size()) {
        throw new IllegalArgumentException("The model holds " + buffers.length + " buffer values; its network "
            + network.buffers().names() + " has " + network.buffers().size() + ".");
      }
      network.buffers().values().copyFrom(buffers);
    }
  }
}
