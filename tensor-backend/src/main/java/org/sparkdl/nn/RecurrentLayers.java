package org.sparkdl.nn;

import org.sparkdl.spec.JsonFields;

/**
 * The recurrent family: embedding, lstm and gru. Each type is registered once, with its JSON tag,
 * fields, reader, writer and layer factory.
 *
 * <p>A {@link org.sparkdl.spec.LayerFamily} service provider, found by the spec through {@code
 * META-INF/services}; not meant to be called directly.
 */
public final class RecurrentLayers extends LayerFactories.Family {
  /** Constructed by {@link java.util.ServiceLoader}. */
  public RecurrentLayers() {}

  @Override
  void register(LayerFactories.Registry r) {
    r.type(org.sparkdl.spec.Embedding.TYPE, org.sparkdl.spec.Embedding.class,
            "vocabulary_size", "dimension", "padding_index")
        .read((name, inputs, f) -> new org.sparkdl.spec.Embedding(name, inputs, f.requireInt("vocabulary_size"),
            f.requireInt("dimension"), f.has("padding_index") ? Integer.valueOf(f.requireInt("padding_index")) : null))
        .write((e, out) -> {
          out.put("vocabulary_size", e.vocabularySize());
          out.put("dimension", e.dimension());
          if (e.paddingIndex() != null) {
            out.put("padding_index", e.paddingIndex());
          }
        })
        .build((e, at) -> new Embedding(e.name(), e.vocabularySize(), e.dimension(), e.paddingIndex()));

    r.type(org.sparkdl.spec.Lstm.TYPE, org.sparkdl.spec.Lstm.class,
            "hidden_size", "num_layers", "bidirectional", "return_sequences")
        .read((name, inputs, f) -> new org.sparkdl.spec.Lstm(name, inputs, f.requireInt("hidden_size"),
            f.intOr("num_layers", 1), f.booleanOr("bidirectional", false), f.booleanOr("return_sequences", false)))
        .write((l, out) -> putRecurrent(out, l.hiddenSize(), l.numLayers(), l.bidirectional(), l.returnSequences()))
        .build((l, at) -> new Lstm(l.name(), at.in().get(1), l.hiddenSize(), l.numLayers(), l.bidirectional(),
            l.returnSequences()));

    r.type(org.sparkdl.spec.Gru.TYPE, org.sparkdl.spec.Gru.class,
            "hidden_size", "num_layers", "bidirectional", "return_sequences")
        .read((name, inputs, f) -> new org.sparkdl.spec.Gru(name, inputs, f.requireInt("hidden_size"),
            f.intOr("num_layers", 1), f.booleanOr("bidirectional", false), f.booleanOr("return_sequences", false)))
        .write((g, out) -> putRecurrent(out, g.hiddenSize(), g.numLayers(), g.bidirectional(), g.returnSequences()))
        .build((g, at) -> new Gru(g.name(), at.in().get(1), g.hiddenSize(), g.numLayers(), g.bidirectional(),
            g.returnSequences()));
  }

  private static void putRecurrent(JsonFields out, int hiddenSize, int numLayers, boolean bidirectional,
      boolean returnSequences) {
    out.put("hidden_size", hiddenSize);
    out.put("num_layers", numLayers);
    out.put("bidirectional", bidirectional);
    out.put("return_sequences", returnSequences);
  }
}
