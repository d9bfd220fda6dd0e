package org.sparkdl.nn;

import org.sparkdl.tensor.Shape;

/**
 * The normalisation family: batch_norm and layer_norm. Each type is registered once, with its JSON
 * tag, fields, reader, writer and layer factory.
 *
 * <p>A {@link org.sparkdl.spec.LayerFamily} service provider, found by the spec through {@code
 * META-INF/services}; not meant to be called directly.
 */
public final class NormLayers extends LayerFactories.Family {
  /** Constructed by {@link java.util.ServiceLoader}. */
  public NormLayers() {}

  @Override
  void register(LayerFactories.Registry r) {
    r.type(org.sparkdl.spec.BatchNorm.TYPE, org.sparkdl.spec.BatchNorm.class, "momentum", "epsilon")
        .read((name, inputs, f) -> new org.sparkdl.spec.BatchNorm(name, inputs,
            f.doubleOr("momentum", org.sparkdl.spec.BatchNorm.DEFAULT_MOMENTUM),
            f.doubleOr("epsilon", org.sparkdl.spec.BatchNorm.DEFAULT_EPSILON)))
        .write((b, out) -> {
          out.put("momentum", b.momentum());
          out.put("epsilon", b.epsilon());
        })
        .build((b, at) -> new BatchNorm(b.name(), at.in().get(0), b.momentum(), b.epsilon()));

    r.type(org.sparkdl.spec.LayerNorm.TYPE, org.sparkdl.spec.LayerNorm.class, "axes", "epsilon")
        .read((name, inputs, f) -> new org.sparkdl.spec.LayerNorm(name, inputs, f.intOr("axes", 1),
            f.doubleOr("epsilon", org.sparkdl.spec.BatchNorm.DEFAULT_EPSILON)))
        .write((l, out) -> {
          out.put("axes", l.axes());
          out.put("epsilon", l.epsilon());
        })
        .build((l, at) -> new LayerNorm(l.name(), Shape.of(l.normalizedShape(at.in())), l.epsilon()));
  }
}
