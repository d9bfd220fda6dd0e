package org.sparkdl.nn;

import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/** The attention family's factories: multi_head_attention, positional_embedding and sequence_mean_pool. */
final class AttentionLayers {
  private AttentionLayers() {}

  static void register(LayerFactories.Registry r) {
    r.add(org.sparkdl.spec.MultiHeadAttention.class, (m, at) -> new MultiHeadAttention(m.name(), at.in().get(1), m.heads(),
        m.causal(), m.bias()));
    r.add(org.sparkdl.spec.PositionalEmbedding.class, (p, at) -> new PositionalEmbedding(p.name(), Shape.of(at.in()),
        Init.of(p.init())));
    r.add(org.sparkdl.spec.SequenceMeanPool.class, (p, at) -> new SequenceMeanPool(p.name()));
  }
}
