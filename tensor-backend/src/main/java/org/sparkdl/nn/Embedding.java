package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.SequenceOps;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.IndexOutOfRangeException;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * A lookup table of learned vectors, as PyTorch's {@code Embedding}: {@code y[t, :] = weight[x[t], :]}.
 *
 * <p><b>Arguments:</b> {@code vocabularySize} V, the number of rows; {@code dimension} D, the
 * vector width; {@code paddingIndex} (default none), a row that starts at zero and never gets a
 * gradient, so that padding tokens stay a constant vector.
 *
 * <p><b>Shapes:</b> input {@code [B, T]} of token ids stored as floats, each an integer in {@code
 * [0, V)}; output {@code [B, T, D]}. Parameter: {@code <name>.weight [V, D]}, drawn from N(0, 1) as
 * in PyTorch (the padding row then set to zero).
 *
 * <pre>{@code new Embedding("embedding_1", 10000, 64, 0)}</pre>
 */
public final class Embedding implements Layer {
  private final String name;
  private final int vocabularySize;
  private final Integer paddingIndex;
  private final Parameter weight;

  /**
   * @param paddingIndex the padding row in {@code [0, vocabularySize)}, or null for none
   * @throws IllegalArgumentException for sizes below 1 or a padding row outside the table
   */
  public Embedding(String name, int vocabularySize, int dimension, Integer paddingIndex) {
    if (vocabularySize < 1 || dimension < 1) {
      throw new IllegalArgumentException("Layer '" + name + "': vocabulary size and dimension must be >= 1; found "
          + vocabularySize + " and " + dimension + ".");
    }
    if (paddingIndex != null && (paddingIndex < 0 || paddingIndex >= vocabularySize)) {
      throw new IllegalArgumentException("Layer '" + name + "': padding index " + paddingIndex + " is outside [0, "
          + vocabularySize + ").");
    }
    this.name = name;
    this.vocabularySize = vocabularySize;
    this.paddingIndex = paddingIndex;
    this.weight = new Parameter(name + ".weight", Shape.of(vocabularySize, dimension), Init.STANDARD_NORMAL,
        vocabularySize, dimension);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  /** Zeroes the padding row, as PyTorch does at construction. */
  @Override
  public void afterInitialise() {
    if (paddingIndex != null) {
      Backend.of(weight.value()).fill(weight.value().slice(0, paddingIndex, paddingIndex + 1), 0);
    }
  }

  /**
   * @throws IllegalArgumentException naming this layer, the example (batch row), the step and the id
   *     when an id is not an integer in {@code [0, V)}
   */
  @Override
  public Var forward(List<Var> inputs) {
    Var ids = inputs.get(0);
    if (ids.shape().rank() != 2) {
      throw new IllegalArgumentException("Layer '" + name + "' expects token ids [batch, steps]; found " + ids.shape()
          + ".");
    }
    try {
      return SequenceOps.embedding(ids, weight.on(ids.tape()), paddingIndex);
    } catch (IndexOutOfRangeException e) {
      int steps = ids.shape().dim(1);
      throw new IllegalArgumentException("Layer '" + name + "': token id " + e.value() + " in example "
          + e.position() / steps + " (step " + e.position() % steps + ") is not an integer in [0, " + vocabularySize
          + "), the vocabulary.", e);
    }
  }
}
