package org.sparkdl.nn;

import org.sparkdl.tensor.Shape;

/** The normalisation family's factories: batch_norm and layer_norm. */
final class NormLayers {
  private NormLayers() {}

  static void register(LayerFactories.Registry r) {
    r.add(org.sparkdl.spec.BatchNorm.class, (b, at) -> new BatchNorm(b.name(), at.in().get(0), b.momentum(), b.epsilon()));
    r.add(org.sparkdl.spec.LayerNorm.class, (l, at) -> new LayerNorm(l.name(), Shape.of(l.normalizedShape(at.in())),
        l.epsilon()));
  }
}
