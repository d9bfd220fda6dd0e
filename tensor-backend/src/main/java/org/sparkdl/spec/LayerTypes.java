package org.sparkdl.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry of layer types: the {@link LayerType} of every tag and record, collected from the
 * {@link LayerFamily} service providers on first use, plus what all types share (the common fields
 * and the layer object's frame). The reader and writer look types up here; no type is spelled out.
 */
final class LayerTypes {
  /** Fields every layer has, in canonical order; type-specific fields follow them. */
  static final List<String> COMMON_FIELDS = List.of("type", "name", "inputs");

  /** One registered type and the family that registered it. */
  record Entry<L extends LayerSpec>(LayerType<L> type, LayerFamily family) {

    Class<L> recordClass() {
      return type.recordClass();
    }

    LayerType.Reader<L> reader() {
      return type.reader();
    }

    /** All fields a layer of this type may carry. */
    Set<String> allFields() {
      Set<String> all = new TreeSet<>(COMMON_FIELDS);
      all.addAll(type.fields());
      return all;
    }

    void writeFields(LayerSpec layer, JsonFields out) {
      type.writer().write(recordClass().cast(layer), out);
    }
  }

  /** The loaded registry; built once, under the class lock, by the first thread that needs it. */
  private static volatile Registry registry;

  private LayerTypes() {}

  /** The mapping for a type tag, or null if the tag is unknown. */
  static Entry<?> forType(String type) {
    return registry().forType(type);
  }

  /** The record class of every known type tag, sorted by tag. */
  static Map<String, Class<? extends LayerSpec>> recordClasses() {
    Map<String, Class<? extends LayerSpec>> out = new TreeMap<>();
    registry().byTag.forEach((tag, entry) -> out.put(tag, entry.recordClass()));
    return Collections.unmodifiableMap(out);
  }

  /** The type-specific fields of every known type tag, in canonical order, sorted by tag. */
  static Map<String, List<String>> fields() {
    Map<String, List<String>> out = new TreeMap<>();
    registry().byTag.forEach((tag, entry) -> out.put(tag, entry.type().fields()));
    return Collections.unmodifiableMap(out);
  }

  /** All known type tags, sorted. */
  static List<String> knownTypes() {
    return Collections.unmodifiableList(new ArrayList<>(registry().byTag.keySet()));
  }

  /** The canonical JSON object of a layer: common fields first, then the type's own fields. */
  static ObjectNode toJson(LayerSpec layer) {
    return registry().toJson(layer);
  }

  private static Registry registry() {
    Registry loaded = registry;
    if (loaded == null) {
      synchronized (LayerTypes.class) {
        loaded = registry;
        if (loaded == null) {
          loaded = Registry.load();
          registry = loaded;
        }
      }
    }
    return loaded;
  }

  /** Every registered type, by tag and by record class. */
  static final class Registry {
    private static boolean loading;

    private final Map<String, Entry<?>> byTag = new TreeMap<>();
    private final Map<Class<?>, Entry<?>> byRecord = new HashMap<>();

    /**
     * The families visible to the spec's own class loader, which on a Spark executor is the one
     * that loaded the library jar (the thread's context loader may be another), covering every
     * layer record.
     */
    private static Registry load() {
      if (loading) {
        throw new IllegalStateException("A layer family read or wrote a spec while the layer types were being "
            + "registered; families must only describe their types.");
      }
      loading = true;
      try {
        Registry r = of(ServiceLoader.load(LayerFamily.class, LayerFamily.class.getClassLoader()));
        r.checkComplete();
        return r;
      } finally {
        loading = false;
      }
    }

    /** The types of {@code families}; a tag or a record registered twice is an error naming both families. */
    static Registry of(Iterable<? extends LayerFamily> families) {
      Registry r = new Registry();
      for (LayerFamily family : families) {
        for (LayerType<?> type : family.layerTypes()) {
          r.add(new Entry<>(type, family));
        }
      }
      return r;
    }

    private void add(Entry<?> entry) {
      String tag = entry.type().tag();
      Entry<?> sameTag = byTag.putIfAbsent(tag, entry);
      if (sameTag != null) {
        throw new IllegalStateException("Layer type '" + tag + "' is registered twice, by "
            + sameTag.family().getClass().getName() + " and by " + entry.family().getClass().getName() + ".");
      }
      Entry<?> sameRecord = byRecord.putIfAbsent(entry.recordClass(), entry);
      if (sameRecord != null) {
        throw new IllegalStateException("Layer record " + entry.recordClass().getName() + " is registered twice, as '"
            + sameRecord.type().tag() + "' by " + sameRecord.family().getClass().getName() + " and as '" + tag
            + "' by " + entry.family().getClass().getName() + ".");
      }
    }

    /** A record without a type means the service file lost a family, e.g. in a jar shaded without merging them. */
    void checkComplete() {
      List<String> missing = new ArrayList<>();
      for (Class<?> record : LayerSpec.class.getPermittedSubclasses()) {
        if (!byRecord.containsKey(record)) {
          missing.add(record.getSimpleName());
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("No layer family registers the layer records " + missing + "; the services "
            + "file META-INF/services/" + LayerFamily.class.getName() + " of the spark-dl jar is missing or "
            + "incomplete (families found: " + byRecord.values().stream().map(e -> e.family().getClass().getName())
                .distinct().sorted().toList()
            + "). A shaded jar must merge service files.");
      }
    }

    Entry<?> forType(String tag) {
      return byTag.get(tag);
    }

    /** The canonical JSON object of a layer: common fields first, then the type's own fields. */
    ObjectNode toJson(LayerSpec layer) {
      Entry<?> entry = byTag.get(layer.type());
      if (entry == null || !entry.recordClass().isInstance(layer)) {
        throw new IllegalStateException("No JSON mapping registered for layer type '" + layer.type() + "'.");
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("type", layer.type());
      out.put("name", layer.name());
      ArrayNode inputs = out.putArray("inputs");
      layer.inputs().forEach(inputs::add);
      entry.writeFields(layer, new JsonFields(out, "Layer '" + layer.name() + "'"));
      checkCanonical(entry, out);
      return out;
    }

    /** A writer must put only its declared fields, in their declared order, or the JSON stops being canonical. */
    private static void checkCanonical(Entry<?> entry, ObjectNode out) {
      Iterator<String> written = out.fieldNames();
      for (int i = 0; i < COMMON_FIELDS.size(); i++) {
        written.next();
      }
      Iterator<String> declared = entry.type().fields().iterator();
      while (written.hasNext()) {
        String field = written.next();
        boolean found = false;
        while (!found && declared.hasNext()) {
          found = declared.next().equals(field);
        }
        if (!found) {
          throw new IllegalStateException("The writer of layer type '" + entry.type().tag() + "' ("
              + entry.family().getClass().getName() + ") wrote field '" + field + "' outside its declared fields "
              + entry.type().fields() + " or out of their order.");
        }
      }
    }
  }
}
