package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * A learned vector per token id: {@code y[t, :] = weight[x[t], :]}, as PyTorch's {@code Embedding}.
 *
 * <p>Shapes: input {@code [T]} of token ids stored as floats (each an integer in {@code [0,
 * vocabulary_size)}, checked on every batch), output {@code [T, dimension]}. Parameter: {@code
 * weight [vocabulary_size, dimension]}, drawn from N(0, 1); the padding row, if any, starts at zero
 * and never gets a gradient.
 *
 * <p>JSON: {@code {"type": "embedding", "vocabulary_size": 10000, "dimension": 64,
 * "padding_index": 0}}; {@code padding_index} is left out for none.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param vocabularySize number of rows (token ids {@code 0 .. vocabularySize - 1}), &gt; 0
 * @param dimension vector width, &gt; 0
 * @param paddingIndex the padding token's row in {@code [0, vocabularySize)}, or null for none
 */
public record Embedding(String name, List<String> inputs, int vocabularySize, int dimension, Integer paddingIndex)
    implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "embedding";

  /** Validates the fields. */
  public Embedding {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    if (vocabularySize <= 0 || dimension <= 0) {
      throw SpecChecks.layerError(name, "vocabulary_size and dimension must be > 0, found " + vocabularySize + " and "
          + dimension + ".");
    }
    if ((long) vocabularySize * dimension > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "weight [" + vocabularySize + ", " + dimension + "] has more than "
          + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    if (paddingIndex != null && (paddingIndex < 0 || paddingIndex >= vocabularySize)) {
      throw SpecChecks.layerError(name, "padding_index must be in [0, " + vocabularySize + "), the vocabulary; found "
          + paddingIndex + ".");
    }
  }

  /** An embedding without a padding row. */
  public Embedding(String name, String input, int vocabularySize, int dimension) {
    this(name, Collections.singletonList(input), vocabularySize, dimension, null);
  }

  /** This layer with a padding row ({@code null} for none). */
  public Embedding withPaddingIndex(Integer paddingIndex) {
    return new Embedding(name, inputs, vocabularySize, dimension, paddingIndex);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [T] -> [T, dimension]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    if (in.size() != 1) {
      throw SpecChecks.layerError(name, "embedding reads token ids of shape [steps]; found input shape " + in + " ('"
          + inputs.get(0) + "').");
    }
    if ((long) in.get(0) * dimension > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "output shape [" + in.get(0) + ", " + dimension + "] has more than "
          + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    return List.of(in.get(0), dimension);
  }
}
