package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.spec.JsonFields;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * The core family: dense, activation, dropout, add, concat, reshape and flatten. Each type is
 * registered once, with its JSON tag, fields, reader, writer and layer factory.
 *
 * <p>A {@link org.sparkdl.spec.LayerFamily} service provider, found by the spec through {@code
 * META-INF/services}; not meant to be called directly.
 */
public final class CoreLayers extends LayerFactories.Family {
  /** Constructed by {@link java.util.ServiceLoader}. */
  public CoreLayers() {}

  @Override
  void register(LayerFactories.Registry r) {
    r.type(org.sparkdl.spec.Dense.TYPE, org.sparkdl.spec.Dense.class, "units", "bias", "init")
        .read((name, inputs, f) -> new org.sparkdl.spec.Dense(name, inputs, f.requireInt("units"),
            f.booleanOr("bias", true), f.stringOr("init", org.sparkdl.spec.Dense.DEFAULT_INIT)))
        .write((d, out) -> {
          out.put("units", d.units());
          out.put("bias", d.bias());
          out.put("init", d.init());
        })
        .build((d, at) -> at.sparse()
            ? Dense.byInput(d.name(), at.in().get(0), d.units(), d.bias(), Init.of(d.init()))
            : new Dense(d.name(), at.in().get(at.in().size() - 1), d.units(), d.bias(), Init.of(d.init())));

    r.type(org.sparkdl.spec.Activation.TYPE, org.sparkdl.spec.Activation.class, "function", "alpha")
        .read(CoreLayers::readActivation)
        .write((a, out) -> {
          out.put("function", a.function());
          if (org.sparkdl.spec.Activation.usesAlpha(a.function())) {
            out.put("alpha", a.alpha());
          }
        })
        .build((a, at) -> new Activation(a.name(), a.function(), a.alpha()));

    r.type(org.sparkdl.spec.Dropout.TYPE, org.sparkdl.spec.Dropout.class, "rate")
        .read((name, inputs, f) -> new org.sparkdl.spec.Dropout(name, inputs, f.requireDouble("rate")))
        .write((d, out) -> out.put("rate", d.rate()))
        .build((d, at) -> new Dropout(d.name(), d.rate()));

    r.type(org.sparkdl.spec.Add.TYPE, org.sparkdl.spec.Add.class)
        .read((name, inputs, f) -> new org.sparkdl.spec.Add(name, inputs))
        .write((a, out) -> { })
        .build((a, at) -> Merge.add(a.name()));

    r.type(org.sparkdl.spec.Concat.TYPE, org.sparkdl.spec.Concat.class, "axis")
        .read((name, inputs, f) -> new org.sparkdl.spec.Concat(name, inputs,
            f.intOr("axis", org.sparkdl.spec.Concat.DEFAULT_AXIS)))
        .write((c, out) -> out.put("axis", c.axis()))
        .build((c, at) -> Merge.concat(c.name(), c.axis()));

    r.type(org.sparkdl.spec.Reshape.TYPE, org.sparkdl.spec.Reshape.class, "shape")
        .read((name, inputs, f) -> new org.sparkdl.spec.Reshape(name, inputs, f.requireIntList("shape")))
        .write((s, out) -> out.putInts("shape", s.shape()))
        .build((s, at) -> new Reshape(s.name(), Shape.of(at.out())));

    r.type(org.sparkdl.spec.Flatten.TYPE, org.sparkdl.spec.Flatten.class)
        .read((name, inputs, f) -> new org.sparkdl.spec.Flatten(name, inputs))
        .write((s, out) -> { })
        .build((s, at) -> new Reshape(s.name(), Shape.of(at.out())));
  }

  /** Alpha is written only for functions that have one, and refused in JSON for those that do not. */
  private static org.sparkdl.spec.Activation readActivation(String name, List<String> inputs, JsonFields f) {
    String function = f.requireString("function");
    if (!org.sparkdl.spec.Activation.usesAlpha(function)) {
      if (f.has("alpha") && org.sparkdl.spec.Activation.FUNCTIONS.contains(function)) {
        throw f.error("function '" + function + "' takes no alpha; remove the field.");
      }
      return new org.sparkdl.spec.Activation(name, inputs, function, 0.0);
    }
    return new org.sparkdl.spec.Activation(name, inputs, function,
        f.doubleOr("alpha", org.sparkdl.spec.Activation.defaultAlpha(function)));
  }
}
