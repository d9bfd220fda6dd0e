package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/** Validation shared by the spec records, so every record words its errors the same way. */
final class SpecChecks {
  /** Highest rank of a per-example shape (the batch dimension is not counted). */
  static final int MAX_RANK = 8;
  /** Longest node name; names become weight keys, so they are kept short and plain. */
  static final int MAX_NAME_LENGTH = 128;
  /** Most elements in one example; tensors are indexed by int. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*");

  private SpecChecks() {}

  /** An error prefixed with the layer it concerns. */
  static SpecException layerError(String layer, String message) {
    return new SpecException("Layer '" + layer + "': " + message);
  }

  /**
   * Checks a node name. Names are restricted to a safe character set because they are used as
   * keys in weight files and in error messages.
   *
   * @param kind "Layer" or "Input", for the message
   */
  static void checkName(String kind, String name) {
    if (name == null) {
      throw new SpecException(kind + " has no name.");
    }
    if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
      throw new SpecException(kind + " name '" + name + "' is invalid; names use letters, digits, '_', '.', '/'"
          + " and '-', do not start with '.', '/' or '-', and have at most " + MAX_NAME_LENGTH + " characters.");
    }
  }

  /** Checks a layer's input list against the number of inputs its type reads and returns an immutable copy. */
  static List<String> checkInputs(String layer, String type, List<String> inputs, int min, int max) {
    if (inputs == null) {
      throw layerError(layer, "inputs are missing.");
    }
    List<String> copy = new ArrayList<>(inputs.size());
    for (String input : inputs) {
      if (input == null) {
        throw layerError(layer, "inputs contain null.");
      }
      copy.add(input);
    }
    int n = copy.size();
    if (min == max && n != min) {
      throw layerError(layer, type + " reads exactly " + min + " input" + (min == 1 ? "" : "s") + ", found " + n + ".");
    }
    if (n < min) {
      throw layerError(layer, type + " needs at least " + min + " inputs, found " + n + ".");
    }
    if (n > max) {
      throw layerError(layer, type + " reads at most " + max + " inputs, found " + n + ".");
    }
    return Collections.unmodifiableList(copy);
  }

  /**
   * Checks a concrete shape (rank 1 to {@link #MAX_RANK}, every dimension &gt; 0, at most
   * {@link #MAX_ELEMENTS} elements) and returns an immutable copy.
   *
   * @param prefix message prefix naming the owner, e.g. {@code "Input 'x': "}
   */
  static List<Integer> checkShape(String prefix, List<Integer> shape) {
    List<Integer> copy = copyDims(prefix, shape);
    for (int d : copy) {
      if (d <= 0) {
        throw new SpecException(prefix + "shape dims must be > 0, found " + copy + ".");
      }
    }
    if (elementCount(copy) > MAX_ELEMENTS) {
      throw new SpecException(prefix + "shape " + copy + " has more than " + MAX_ELEMENTS + " elements.");
    }
    return copy;
  }

  /** Copies a dimension list, rejecting null elements and ranks outside 1 to {@link #MAX_RANK}. */
  static List<Integer> copyDims(String prefix, List<Integer> shape) {
    if (shape == null) {
      throw new SpecException(prefix + "shape is missing.");
    }
    List<Integer> copy = new ArrayList<>(shape.size());
    for (Integer d : shape) {
      if (d == null) {
        throw new SpecException(prefix + "shape contains null.");
      }
      copy.add(d);
    }
    if (copy.isEmpty() || copy.size() > MAX_RANK) {
      throw new SpecException(prefix + "shape must have rank 1 to " + MAX_RANK + ", found " + copy + ".");
    }
    return Collections.unmodifiableList(copy);
  }

  /**
   * Product of the dimensions, saturating just above {@link #MAX_ELEMENTS} so that eight large
   * dimensions cannot overflow a long.
   */
  static long elementCount(List<Integer> shape) {
    long n = 1;
    for (int d : shape) {
      n *= Math.abs((long) d);
      if (n > MAX_ELEMENTS) {
        return MAX_ELEMENTS + 1;
      }
    }
    return n;
  }

  /**
   * Checks that {@code shapes} holds one valid shape (rank 1 to {@link #MAX_RANK}, dims &gt; 0, at
   * most {@link #MAX_ELEMENTS} elements) per input of {@code layer}, so that shape rules can rely on it.
   */
  static void checkShapeCount(LayerSpec layer, List<List<Integer>> shapes) {
    int expected = layer.inputs().size();
    int actual = shapes == null ? 0 : shapes.size();
    if (shapes == null || actual != expected) {
      throw layerError(layer.name(), "expected " + expected + " input shape" + (expected == 1 ? "" : "s")
          + ", got " + actual + ".");
    }
    for (List<Integer> s : shapes) {
      boolean valid = s != null && !s.isEmpty() && s.size() <= MAX_RANK;
      if (valid) {
        for (Integer d : s) {
          valid &= d != null && d > 0;
        }
      }
      if (!valid || elementCount(s) > MAX_ELEMENTS) {
        throw layerError(layer.name(), "input shape " + s + " is invalid; shapes have rank 1 to " + MAX_RANK
            + ", dims > 0 and at most " + MAX_ELEMENTS + " elements.");
      }
    }
  }
}
