package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.sparkdl.spec.LayerFamily;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.LayerType;

/**
 * How each layer of a spec becomes a layer. Every family of this package ({@link CoreLayers},
 * {@link ConvLayers}, {@link NormLayers}, {@link RecurrentLayers}, {@link AttentionLayers})
 * registers each of its types once, with its JSON mapping and its factory together; the spec finds
 * the mappings as {@link LayerFamily} service providers and {@link Network} finds the factories
 * here, from the same providers. A new layer type is one more registration in its family.
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

  /**
   * A family of this package: registers, one block per type, the tag, fields, reader, writer and
   * factory. The spec sees the JSON part through {@link #layerTypes()}, {@link Network} the factories.
   */
  abstract static class Family implements LayerFamily {
    /** Registers each type of the family: one {@link Registry#type} block per type. */
    abstract void register(Registry r);

    @Override
    public final List<LayerType<?>> layerTypes() {
      Registry r = new Registry();
      register(r);
      return List.copyOf(r.types);
    }
  }

  /** What a family registers its types with. */
  static final class Registry {
    private final List<LayerType<?>> types = new ArrayList<>();
    private final Map<Class<?>, Factory<LayerSpec>> byRecord = new HashMap<>();

    /** Starts registering the type {@code tag}, whose own JSON fields are {@code fields}, in canonical order. */
    <L extends LayerSpec> Definition<L> type(String tag, Class<L> record, String... fields) {
      return new Definition<>(this, tag, record, List.of(fields));
    }

    @SuppressWarnings("unchecked")
    private <L extends LayerSpec> void add(LayerType<L> type, Factory<L> factory) {
      types.add(type);
      if (byRecord.put(type.recordClass(), (spec, site) -> factory.build((L) spec, site)) != null) {
        throw new IllegalStateException(type.recordClass().getSimpleName() + " has two factories.");
      }
    }
  }

  /**
   * One type's registration, read as {@code type(...).read(...).write(...).build(...)}; {@link
   * #build} completes it.
   */
  static final class Definition<L extends LayerSpec> {
    private final Registry registry;
    private final String tag;
    private final Class<L> record;
    private final List<String> fields;
    private LayerType.Reader<L> reader;
    private LayerType.Writer<L> writer;

    private Definition(Registry registry, String tag, Class<L> record, List<String> fields) {
      this.registry = registry;
      this.tag = tag;
      this.record = record;
      this.fields = fields;
    }

    /** How the record is read from its JSON fields. */
    Definition<L> read(LayerType.Reader<L> read) {
      this.reader = read;
      return this;
    }

    /** How the record's fields are written, in the order given to {@link Registry#type}. */
    Definition<L> write(LayerType.Writer<L> write) {
      this.writer = write;
      return this;
    }

    /** How the layer is built from the record at its site; registers the type. */
    void build(Factory<L> factory) {
      registry.add(new LayerType<>(tag, record, fields, reader, writer), factory);
    }
  }

  private LayerFactories() {}

  /** The factories of every family, found once, by the same providers and class loader as the spec's. */
  private static final class Loaded {
    static final Map<Class<?>, Factory<LayerSpec>> BY_RECORD = load();

    private static Map<Class<?>, Factory<LayerSpec>> load() {
      Map<Class<?>, Factory<LayerSpec>> all = new HashMap<>();
      for (LayerFamily family : ServiceLoader.load(LayerFamily.class, LayerFamily.class.getClassLoader())) {
        if (family instanceof Family ours) {
          Registry r = new Registry();
          ours.register(r);
          r.byRecord.forEach((record, factory) -> {
            if (all.put(record, factory) != null) {
              throw new IllegalStateException(record.getSimpleName() + " has two factories.");
            }
          });
        }
      }
      return Map.copyOf(all);
    }
  }

  /** The layer of {@code spec} at {@code site}. */
  static Layer build(LayerSpec spec, Site site) {
    Factory<LayerSpec> f = Loaded.BY_RECORD.get(spec.getClass());
    if (f == null) {
      throw new IllegalArgumentException("Layer '" + spec.name() + "' of type '" + spec.type() + "' has no implementation.");
    }
    return f.build(spec, site);
  }

  /** The spec records that have a factory. */
  static Set<Class<?>> records() {
    return Set.copyOf(Loaded.BY_RECORD.keySet());
  }
}
