package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.Var;

/**
 * A node of a network: a differentiable function of one or more batched inputs, with the
 * parameters it owns. Layers are built from the network spec with their input shapes known, so a
 * forward pass only checks what the data can get wrong (the batch size).
 *
 * <p>Layers hold no tensors of their own: parameters are views into the network's flat buffers,
 * and everything a forward pass allocates belongs to the tape's scope.
 */
public interface Layer {
  /** The node's name in the spec, e.g. {@code "dense_1"}. */
  String name();

  /** Parameters in a fixed order; empty for parameter-free layers. */
  default List<Parameter> parameters() {
    return List.of();
  }

  /**
   * Non-trainable state in a fixed order ({@linkplain Parameter#buffer buffers}, e.g. running
   * statistics): saved with the model, never given a gradient or touched by an optimizer, and
   * updated by the forward pass itself where the layer does so. Empty for most layers.
   */
  default List<Parameter> buffers() {
    return List.of();
  }

  /**
   * Values per example that a forward pass allocates besides its output, for an input shaped
   * {@code input} (batch excluded): a convolution's unfolded columns, a recurrent layer's gates and
   * states at every step. Sizes a training task's memory estimate; 0 for layers that allocate only
   * their output.
   */
  default long workspacePerRow(List<Integer> input) {
    return 0;
  }

  /**
   * Multiply-adds of a forward pass per example, for an input shaped {@code input} (batch
   * excluded): the products of the weights with the input, what the step's time grows with (a
   * backward pass takes about twice as many). 0 for layers whose work is a pass over their values
   * (activations, pooling, normalisation) or a lookup (embeddings).
   */
  default long multiplyAddsPerRow(List<Integer> input) {
    return 0;
  }

  /**
   * The part of {@link #workspacePerRow} a forward pass works on at one time, which sizes scoring
   * batches to the caches: all of it for a convolution's columns, one step's gates and states for a
   * recurrent layer, which walks the rest step by step.
   */
  default long liveWorkspacePerRow(List<Integer> input) {
    return workspacePerRow(input);
  }

  /**
   * Finishes initialisation once the network has drawn every parameter from its initialiser, for
   * what an initialiser cannot express (an embedding's padding row starts at zero). Nothing by
   * default; not called when weights are loaded instead.
   */
  default void afterInitialise() {}

  /** The output for the given inputs (first dimension is the batch), recorded on their tape. */
  Var forward(List<Var> inputs);
}
