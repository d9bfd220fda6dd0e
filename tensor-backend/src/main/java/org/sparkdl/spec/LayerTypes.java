package org.sparkdl.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON mapping of every layer type: its tag, its type-specific fields in canonical order, how
 * to read them and how to write them. Adding a layer type means one new record and one
 * {@link #register} call here; the other records and the reader and writer stay as they are.
 */
final class LayerTypes {
  /** Fields every layer has, in canonical order; type-specific fields follow them. */
  static final List<String> COMMON_FIELDS = List.of("type", "name", "inputs");

  /** Builds a layer from its name, resolved inputs and remaining JSON fields. */
  @FunctionalInterface
  interface Reader<L extends LayerSpec> {
    L read(String name, List<String> inputs, JsonFields fields);
  }

  /** Writes a layer's type-specific fields, in canonical order. */
  @FunctionalInterface
  interface Writer<L extends LayerSpec> {
    void write(L layer, ObjectNode out);
  }

  /** One layer type's mapping; {@code fields} are the type-specific field names, in canonical order. */
  record Entry<L extends LayerSpec>(String type, Class<L> recordClass, List<String> fields, Reader<L> reader,
      Writer<L> writer) {

    /** All fields a layer of this type may carry. */
    Set<String> allFields() {
      Set<String> all = new TreeSet<>(COMMON_FIELDS);
      all.addAll(fields);
      return all;
    }

    void writeFields(LayerSpec layer, ObjectNode out) {
      writer.write(recordClass.cast(layer), out);
    }
  }

  private static final Map<String, Entry<?>> BY_TYPE = new TreeMap<>();

  static {
    register(new Entry<>(Dense.TYPE, Dense.class, List.of("units", "bias", "init"),
        (name, inputs, f) -> new Dense(name, inputs, f.requireInt("units"), f.booleanOr("bias", true),
            f.stringOr("init", Dense.DEFAULT_INIT)),
        (layer, out) -> {
          out.put("units", layer.units());
          out.put("bias", layer.bias());
          out.put("init", layer.init());
        }));
    register(new Entry<>(Activation.TYPE, Activation.class, List.of("function", "alpha"),
        LayerTypes::readActivation,
        (layer, out) -> {
          out.put("function", layer.function());
          if (Activation.usesAlpha(layer.function())) {
            out.put("alpha", layer.alpha());
          }
        }));
    register(new Entry<>(Dropout.TYPE, Dropout.class, List.of("rate"),
        (name, inputs, f) -> new Dropout(name, inputs, f.requireDouble("rate")),
        (layer, out) -> out.put("rate", layer.rate())));
    register(new Entry<>(Add.TYPE, Add.class, List.of(),
        (name, inputs, f) -> new Add(name, inputs),
        (layer, out) -> { }));
    register(new Entry<>(Concat.TYPE, Concat.class, List.of("axis"),
        (name, inputs, f) -> new Concat(name, inputs, f.intOr("axis", Concat.DEFAULT_AXIS)),
        (layer, out) -> out.put("axis", layer.axis())));
    register(new Entry<>(Reshape.TYPE, Reshape.class, List.of("shape"),
        (name, inputs, f) -> new Reshape(name, inputs, f.requireIntList("shape")),
        (layer, out) -> {
          ArrayNode shape = out.putArray("shape");
          layer.shape().forEach(shape::add);
        }));
    register(new Entry<>(Flatten.TYPE, Flatten.class, List.of(),
        (name, inputs, f) -> new Flatten(name, inputs),
        (layer, out) -> { }));
  }

  static {
    register(new Entry<>(Conv2d.TYPE, Conv2d.class,
        List.of("filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init"),
        (name, inputs, f) -> new Conv2d(name, inputs, f.requireInt("filters"), f.requireInts("kernel"),
            f.intsOr("stride", List.of(1)), f.paddingOr("padding"), f.intsOr("dilation", List.of(1)),
            f.intOr("groups", 1), f.booleanOr("bias", true), f.stringOr("init", Conv2d.DEFAULT_INIT)),
        (layer, out) -> {
          out.put("filters", layer.filters());
          putInts(out, "kernel", layer.kernel());
          putInts(out, "stride", layer.stride());
          putPadding(out, layer.padding());
          putInts(out, "dilation", layer.dilation());
          out.put("groups", layer.groups());
          out.put("bias", layer.bias());
          out.put("init", layer.init());
        }));
    register(new Entry<>(Conv1d.TYPE, Conv1d.class,
        List.of("filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init"),
        (name, inputs, f) -> new Conv1d(name, inputs, f.requireInt("filters"), f.requireInt("kernel"),
            f.intOr("stride", 1), f.paddingOr("padding"), f.intOr("dilation", 1), f.intOr("groups", 1),
            f.booleanOr("bias", true), f.stringOr("init", Conv2d.DEFAULT_INIT)),
        (layer, out) -> {
          out.put("filters", layer.filters());
          out.put("kernel", layer.kernel());
          out.put("stride", layer.stride());
          if (layer.padding().same()) {
            out.put("padding", "same");
          } else {
            out.put("padding", layer.padding().sizes().get(0));
          }
          out.put("dilation", layer.dilation());
          out.put("groups", layer.groups());
          out.put("bias", layer.bias());
          out.put("init", layer.init());
        }));
    register(new Entry<>(MaxPool2d.TYPE, MaxPool2d.class, List.of("kernel", "stride", "padding"),
        (name, inputs, f) -> {
          List<Integer> kernel = f.requireInts("kernel");
          return new MaxPool2d(name, inputs, kernel, f.intsOr("stride", kernel), f.paddingOr("padding"));
        },
        (layer, out) -> {
          putInts(out, "kernel", layer.kernel());
          putInts(out, "stride", layer.stride());
          putPadding(out, layer.padding());
        }));
    register(new Entry<>(AvgPool2d.TYPE, AvgPool2d.class, List.of("kernel", "stride", "padding", "count_include_pad"),
        (name, inputs, f) -> {
          List<Integer> kernel = f.requireInts("kernel");
          return new AvgPool2d(name, inputs, kernel, f.intsOr("stride", kernel), f.paddingOr("padding"),
              f.booleanOr("count_include_pad", true));
        },
        (layer, out) -> {
          putInts(out, "kernel", layer.kernel());
          putInts(out, "stride", layer.stride());
          putPadding(out, layer.padding());
          out.put("count_include_pad", layer.countIncludePad());
        }));
    register(new Entry<>(GlobalAvgPool.TYPE, GlobalAvgPool.class, List.of(),
        (name, inputs, f) -> new GlobalAvgPool(name, inputs),
        (layer, out) -> { }));
    register(new Entry<>(BatchNorm.TYPE, BatchNorm.class, List.of("momentum", "epsilon"),
        (name, inputs, f) -> new BatchNorm(name, inputs, f.doubleOr("momentum", BatchNorm.DEFAULT_MOMENTUM),
            f.doubleOr("epsilon", BatchNorm.DEFAULT_EPSILON)),
        (layer, out) -> {
          out.put("momentum", layer.momentum());
          out.put("epsilon", layer.epsilon());
        }));
    register(new Entry<>(LayerNorm.TYPE, LayerNorm.class, List.of("axes", "epsilon"),
        (name, inputs, f) -> new LayerNorm(name, inputs, f.intOr("axes", 1),
            f.doubleOr("epsilon", BatchNorm.DEFAULT_EPSILON)),
        (layer, out) -> {
          out.put("axes", layer.axes());
          out.put("epsilon", layer.epsilon());
        }));
  }

  static {
    register(new Entry<>(Embedding.TYPE, Embedding.class, List.of("vocabulary_size", "dimension", "padding_index"),
        (name, inputs, f) -> new Embedding(name, inputs, f.requireInt("vocabulary_size"), f.requireInt("dimension"),
            f.has("padding_index") ? Integer.valueOf(f.requireInt("padding_index")) : null),
        (layer, out) -> {
          out.put("vocabulary_size", layer.vocabularySize());
          out.put("dimension", layer.dimension());
          if (layer.paddingIndex() != null) {
            out.put("padding_index", layer.paddingIndex());
          }
        }));
    List<String> recurrent = List.of("hidden_size", "num_layers", "bidirectional", "return_sequences");
    register(new Entry<>(Lstm.TYPE, Lstm.class, recurrent,
        (name, inputs, f) -> new Lstm(name, inputs, f.requireInt("hidden_size"), f.intOr("num_layers", 1),
            f.booleanOr("bidirectional", false), f.booleanOr("return_sequences", false)),
        (layer, out) -> putRecurrent(out, layer.hiddenSize(), layer.numLayers(), layer.bidirectional(),
            layer.returnSequences())));
    register(new Entry<>(Gru.TYPE, Gru.class, recurrent,
        (name, inputs, f) -> new Gru(name, inputs, f.requireInt("hidden_size"), f.intOr("num_layers", 1),
            f.booleanOr("bidirectional", false), f.booleanOr("return_sequences", false)),
        (layer, out) -> putRecurrent(out, layer.hiddenSize(), layer.numLayers(), layer.bidirectional(),
            layer.returnSequences())));
    register(new Entry<>(MultiHeadAttention.TYPE, MultiHeadAttention.class, List.of("heads", "causal", "bias"),
        (name, inputs, f) -> new MultiHeadAttention(name, inputs, f.requireInt("heads"), f.booleanOr("causal", false),
            f.booleanOr("bias", true)),
        (layer, out) -> {
          out.put("heads", layer.heads());
          out.put("causal", layer.causal());
          out.put("bias", layer.bias());
        }));
    register(new Entry<>(PositionalEmbedding.TYPE, PositionalEmbedding.class, List.of("init"),
        (name, inputs, f) -> new PositionalEmbedding(name, inputs, f.stringOr("init", PositionalEmbedding.DEFAULT_INIT)),
        (layer, out) -> out.put("init", layer.init())));
    register(new Entry<>(SequenceMeanPool.TYPE, SequenceMeanPool.class, List.of(),
        (name, inputs, f) -> new SequenceMeanPool(name, inputs),
        (layer, out) -> { }));
  }

  private LayerTypes() {}

  private static void putRecurrent(ObjectNode out, int hiddenSize, int numLayers, boolean bidirectional,
      boolean returnSequences) {
    out.put("hidden_size", hiddenSize);
    out.put("num_layers", numLayers);
    out.put("bidirectional", bidirectional);
    out.put("return_sequences", returnSequences);
  }

  private static void putInts(ObjectNode out, String field, List<Integer> values) {
    ArrayNode array = out.putArray(field);
    values.forEach(array::add);
  }

  /** {@code "same"}, or one size per spatial axis. */
  private static void putPadding(ObjectNode out, Padding padding) {
    if (padding.same()) {
      out.put("padding", "same");
    } else {
      putInts(out, "padding", padding.sizes());
    }
  }

  private static void register(Entry<?> entry) {
    BY_TYPE.put(entry.type(), entry);
  }

  /** The mapping for a type tag, or null if the tag is unknown. */
  static Entry<?> forType(String type) {
    return BY_TYPE.get(type);
  }

  /** The record class of every known type tag, sorted by tag. */
  static Map<String, Class<? extends LayerSpec>> recordClasses() {
    Map<String, Class<? extends LayerSpec>> out = new TreeMap<>();
    BY_TYPE.forEach((tag, entry) -> out.put(tag, entry.recordClass()));
    return Collections.unmodifiableMap(out);
  }

  /** All known type tags, sorted. */
  static List<String> knownTypes() {
    return Collections.unmodifiableList(new ArrayList<>(BY_TYPE.keySet()));
  }

  /** The canonical JSON object of a layer: common fields first, then the type's own fields. */
  static ObjectNode toJson(LayerSpec layer) {
    Entry<?> entry = BY_TYPE.get(layer.type());
    if (entry == null || !entry.recordClass().isInstance(layer)) {
      throw new IllegalStateException("No JSON mapping registered for layer type '" + layer.type() + "'.");
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("type", layer.type());
    out.put("name", layer.name());
    ArrayNode inputs = out.putArray("inputs");
    layer.inputs().forEach(inputs::add);
    entry.writeFields(layer, out);
    return out;
  }

  private static Activation readActivation(String name, List<String> inputs, JsonFields f) {
    String function = f.requireString("function");
    if (!Activation.usesAlpha(function)) {
      if (f.has("alpha") && Activation.FUNCTIONS.contains(function)) {
        throw SpecChecks.layerError(name, "function '" + function + "' takes no alpha; remove the field.");
      }
      return new Activation(name, inputs, function, 0.0);
    }
    return new Activation(name, inputs, function, f.doubleOr("alpha", Activation.defaultAlpha(function)));
  }
}
