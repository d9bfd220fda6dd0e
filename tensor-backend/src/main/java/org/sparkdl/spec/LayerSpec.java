package org.sparkdl.spec;

import java.util.List;

/**
 * One layer of a {@link NetworkSpec}: a named node that reads one or more earlier nodes (inputs or
 * layers) and produces one value.
 *
 * <p>Every implementation is an immutable record whose canonical constructor validates its own
 * fields (names, counts, ranges) and throws {@link SpecException}; checks that depend on the shapes
 * of its inputs happen in {@link #outputShape}. Shapes never include the batch dimension.
 *
 * <p>The set of layer types is closed so that code compiling a spec can handle every case; a new
 * type is added as a new record here plus one registration in the {@link LayerFamily} that owns it
 * (its JSON tag, fields, reader and writer, and the factory of its layer), without touching the
 * others.
 */
public sealed interface LayerSpec permits Dense, Activation, Dropout, Add, Concat, Reshape, Flatten, Conv1d, Conv2d,
    MaxPool2d, AvgPool2d, GlobalAvgPool, BatchNorm, LayerNorm,
    Embedding, Lstm, Gru, MultiHeadAttention, PositionalEmbedding, SequenceMeanPool {

  /** Unique name of this layer within the network; other layers and the outputs refer to it by name. */
  String name();

  /** Names of the nodes this layer reads, in order; each is an input or an earlier layer. */
  List<String> inputs();

  /** The JSON {@code "type"} tag of this layer, e.g. {@code "dense"}. */
  String type();

  /**
   * The shape this layer produces from the shapes of its inputs (one per entry of {@link #inputs()},
   * in the same order, batch dimension excluded).
   *
   * @throws SpecException naming this layer and the offending shapes when they do not fit
   */
  List<Integer> outputShape(List<List<Integer>> inputShapes);
}
