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

  /** The parsed spec. */
  public NetworkSpec spec() {
    return NetworkSpec.fromJson(specJson);
  }
}
