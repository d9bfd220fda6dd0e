package org.sparkdl.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.spec.LayerSpec;

/**
 * A layer being imported: its spec (replaced when a later node folds into it, such as a bias added
 * after a {@code MatMul}) and its weights by parameter suffix ({@code weight}, {@code bias},
 * {@code running_mean}, ...). Mutable; used by one import only.
 */
final class Draft {
  LayerSpec spec;
  final Map<String, float[]> weights = new LinkedHashMap<>();
  /** For a per-channel scale and shift made of constant arithmetic: the axis mode and values, else null. */
  Affine affine;

  Draft(LayerSpec spec) {
    this.spec = spec;
  }

  Draft put(String suffix, float[] values) {
    weights.put(suffix, values);
    return this;
  }

  String name() {
    return spec.name();
  }

  /**
   * {@code y = x scale + shift} along one axis of each example: the channel axis (0) of a rank-2 or
   * rank-3 example, or the last axis; made a depthwise 1x1 convolution or a diagonal dense layer.
   */
  record Affine(boolean channel, float[] scale, float[] shift) {}

  /** A value of the network being imported: the spec node that computes it and its per-example shape. */
  record Value(String node, List<Integer> shape, Draft producer) {}
}
