package org.sparkdl.nn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.spec.LayerSpec;

/**
 * How each layer of a spec becomes a layer: one factory per spec record, registered by the family
 * that owns the layer ({@link CoreLayers}, {@link ConvLayers}, {@link NormLayers}, {@link
 * RecurrentLayers}, {@link AttentionLayers}). A new layer adds its factory to its family; {@link
 * Network} finds it here, and a test checks that every type the spec reads has one.
 */
final class LayerFactories {
  /**
   * Where a layer sits: the shape of its first input, of its own output (batch excluded), and
   * whether its first input is a sparse network input.
   */
  record Site(List<Integer> in, List<Integer> out, boolean sparse) {}

  /** Builds the layer of one spec record. */
  @FunctionalInterface
  interface Factory<L extends LayerSpec> {
    Layer build(L spec, Site site);
  }

  /** What a family registers its factories with. */
  static final class Registry {
    private final Map<Class<?>, Factory<LayerSpec>> byRecord = new HashMap<>();

    @SuppressWarnings("unchecked")
    <L extends LayerSpec> Registry add(Class<L> record, Factory<L> factory) {
      if (byRecord.put(record, (spec, site) -> factory.build((L) spec, site)) != null) {
        throw new IllegalStateException(record.getSimpleName() + " has two factories.");
      }
      return this;
    }
  }

  private static final Registry ALL = new Registry();

  static {
    CoreLayers.register(ALL);
    ConvLayers.register(ALL);
    NormLayers.register(ALL);
    RecurrentLayers.register(ALL);
    AttentionLayers.register(ALL);
  }

  private LayerFactories() {}

  /** The layer of {@code spec} at {@code site}. */
  static Layer build(LayerSpec spec, Site site) {
    Factory<LayerSpec> f = ALL.byRecord.get(spec.getClass());
    if (f == null) {
      throw new IllegalArgumentException("Layer '" + spec.name() + "' of type '" + spec.type() + "' has no implementation.");
    }
    return f.build(spec, site);
  }

  /** The spec records that have a factory. */
  static Set<Class<?>> records() {
    return Set.copyOf(ALL.byRecord.keySet());
  }
}
