package org.sparkdl.nn;

import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/** The core family's factories: dense, activation, dropout, add, concat, reshape and flatten. */
final class CoreLayers {
  private CoreLayers() {}

  static void register(LayerFactories.Registry r) {
    r.add(org.sparkdl.spec.Dense.class, (d, at) -> at.sparse()
        ? Dense.byInput(d.name(), at.in().get(0), d.units(), d.bias(), Init.of(d.init()))
        : new Dense(d.name(), at.in().get(at.in().size() - 1), d.units(), d.bias(), Init.of(d.init())));
    r.add(org.sparkdl.spec.Activation.class, (a, at) -> new Activation(a.name(), a.function(), a.alpha()));
    r.add(org.sparkdl.spec.Dropout.class, (d, at) -> new Dropout(d.name(), d.rate()));
    r.add(org.sparkdl.spec.Add.class, (a, at) -> Merge.add(a.name()));
    r.add(org.sparkdl.spec.Concat.class, (c, at) -> Merge.concat(c.name(), c.axis()));
    r.add(org.sparkdl.spec.Reshape.class, (s, at) -> new Reshape(s.name(), Shape.of(at.out())));
    r.add(org.sparkdl.spec.Flatten.class, (s, at) -> new Reshape(s.name(), Shape.of(at.out())));
  }
}
