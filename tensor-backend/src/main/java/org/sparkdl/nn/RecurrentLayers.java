package org.sparkdl.nn;

/** The recurrent family's factories: embedding, lstm and gru. */
final class RecurrentLayers {
  private RecurrentLayers() {}

  static void register(LayerFactories.Registry r) {
    r.add(org.sparkdl.spec.Embedding.class, (e, at) -> new Embedding(e.name(), e.vocabularySize(), e.dimension(),
        e.paddingIndex()));
    r.add(org.sparkdl.spec.Lstm.class, (l, at) -> new Lstm(l.name(), at.in().get(1), l.hiddenSize(), l.numLayers(),
        l.bidirectional(), l.returnSequences()));
    r.add(org.sparkdl.spec.Gru.class, (g, at) -> new Gru(g.name(), at.in().get(1), g.hiddenSize(), g.numLayers(),
        g.bidirectional(), g.returnSequences()));
  }
}
