package org.sparkdl.ml.scoring;

import java.io.Serializable;
import java.util.UUID;
import org.sparkdl.spec.NetworkSpec;

/**
 * What a fitted model carries to the executors: the network spec (JSON), the flat float32
 * parameters in the order the network lists them, and an id that names this exact set of weights
 * in executor caches. Immutable; the weights array is never modified after construction.
 */
public record ModelData(String specJson, float[] weights, String id, int inputWidth, int outputWidth)
    implements Serializable {

  /** Data for {@code spec} and {@code weights}, with a fresh id. */
  public static ModelData of(NetworkSpec spec, float[] weights) {
    int in = spec.inputs().get(0).shape().stream().reduce(1, (a, b) -> a * b);
    int out = spec.outputShape().stream().reduce(1, (a, b) -> a * b);
    return new ModelData(spec.toJson(), weights, UUID.randomUUID().toString(), in, out);
  }

  /**
   * No network: what a model made by its uid constructor holds (Spark's stage convention, and what
   * Spark Connect's ServiceLoader discovery instantiates). Such a model scores nothing.
   */
  public static ModelData empty() {
    return new ModelData("", new float[0], "empty", 0, 0);
  }

  /** Whether this is {@link #empty()}. */
  public boolean isEmpty() {
    return specJson.isEmpty();
  }

  /**
   * @throws IllegalStateException when this is {@link #empty()}, naming the model {@code uid}
   */
  void requireNetwork(String uid) {
    if (isEmpty()) {
      throw new IllegalStateException("Model " + uid + " holds no network: it was made by its uid constructor. Fit an"
          + " estimator or load a saved model instead.");
    }
  }

  /** The parsed spec. */
  public NetworkSpec spec() {
    return NetworkSpec.fromJson(specJson);
  }
}
