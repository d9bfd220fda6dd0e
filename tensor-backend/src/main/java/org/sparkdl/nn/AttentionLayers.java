package org.sparkdl.nn;

import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * The attention family: multi_head_attention, positional_embedding and sequence_mean_pool. Each
 * type is registered once, with its JSON tag, fields, reader, writer and layer factory.
 *
 * <p>A {@link org.sparkdl.spec.LayerFamily} service provider, found by the spec through {@code
 * META-INF/services}; not meant to be called directly.
 */
public final class AttentionLayers extends LayerFactories.Family {
  /** Constructed by {@link java.util.ServiceLoader}. */
  public AttentionLayers() {}

  @Override
  void register(LayerFactories.Registry r) {
    r.type(org.sparkdl.spec.MultiHeadAttention.TYPE, org.sparkdl.spec.MultiHeadAttention.class,
            "heads", "causal", "bias")
        .read((name, inputs, f) -> new org.sparkdl.spec.MultiHeadAttention(name, inputs, f.requireInt("heads"),
            f.booleanOr("causal", false), f.booleanOr("bias", true)))
        .write((m, out) -> {
          out.put("heads", m.heads());
          out.put("causal", m.causal());
          out.put("bias", m.bias());
        })
        .build((m, at) -> new MultiHeadAttention(m.name(), at.in().get(1), m.heads(), m.causal(), m.bias()));

    r.type(org.sparkdl.spec.PositionalEmbedding.TYPE, org.sparkdl.spec.PositionalEmbedding.class, "init")
        .read((name, inputs, f) -> new org.sparkdl.spec.PositionalEmbedding(name, inputs,
            f.stringOr("init", org.sparkdl.spec.PositionalEmbedding.DEFAULT_INIT)))
        .write((p, out) -> out.put("init", p.init()))
        .build((p, at) -> new PositionalEmbedding(p.name(), Shape.of(at.in()), Init.of(p.init())));

    r.type(org.sparkdl.spec.SequenceMeanPool.TYPE, org.sparkdl.spec.SequenceMeanPool.class)
        .read((name, inputs, f) -> new org.sparkdl.spec.SequenceMeanPool(name, inputs))
        .write((p, out) -> { })
        .build((p, at) -> new SequenceMeanPool(p.name()));
  }
}
