package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Zero padding of a convolution or pooling layer: either explicit sizes, one per spatial axis and
 * applied on both sides of it (or, with {@code after}, one size before and one after each axis), or
 * {@code "same"}.
 *
 * <p>{@code "same"} pads so that the output has {@code ceil(in / stride)} positions along each axis
 * (the input size itself at stride 1), splitting the total padding {@code max((out - 1) stride +
 * dilation (kernel - 1) + 1 - in, 0)} evenly and putting an odd element at the end, as TensorFlow
 * and ONNX's {@code SAME_UPPER} do. {@code "valid"} is explicit padding of 0.
 *
 * <p>JSON: an integer (every axis), an array of one integer per axis, an array of one {@code
 * [before, after]} pair per axis (or one pair for every axis), or {@code "same"} / {@code "valid"}.
 *
 * @param same whether this is {@code "same"} padding
 * @param sizes explicit padding per axis, each &gt;= 0 (before the axis, and after it too unless
 *     {@code after} says otherwise); empty for {@code "same"}, and for {@link #VALID} until a layer
 *     fixes its rank
 * @param after explicit padding after each axis where it differs from before it (as many sizes as
 *     {@code sizes}); empty when every axis is padded alike on both sides
 */
public record Padding(boolean same, List<Integer> sizes, List<Integer> after) {
  /** Validates and copies the sizes; {@code after} equal to {@code sizes} becomes empty. */
  public Padding {
    if (sizes == null || after == null) {
      throw new SpecException("Padding sizes are missing.");
    }
    List<Integer> copy = checked(sizes);
    List<Integer> afterCopy = checked(after);
    if (same && !(copy.isEmpty() && afterCopy.isEmpty())) {
      throw new SpecException("'same' padding takes no sizes, found " + sizes + ".");
    }
    if (!afterCopy.isEmpty() && afterCopy.size() != copy.size()) {
      throw new SpecException("Padding has " + copy.size() + " sizes before the axes and " + afterCopy.size()
          + " after them; give one [before, after] pair per axis.");
    }
    sizes = Collections.unmodifiableList(copy);
    after = afterCopy.equals(copy) ? List.of() : Collections.unmodifiableList(afterCopy);
  }

  /** Padding alike on both sides of each axis. */
  public Padding(boolean same, List<Integer> sizes) {
    this(same, sizes, List.of());
  }

  private static List<Integer> checked(List<Integer> sizes) {
    List<Integer> copy = new ArrayList<>(sizes.size());
    for (Integer s : sizes) {
      if (s == null || s < 0) {
        throw new SpecException("Padding sizes must be >= 0, found " + sizes + ".");
      }
      copy.add(s);
    }
    return copy;
  }

  /** Output size {@code ceil(in / stride)} along every axis. */
  public static final Padding SAME = new Padding(true, List.of());
  /** No padding on any axis. */
  public static final Padding VALID = new Padding(false, List.of());

  /** Explicit padding, one size per axis (or one for all axes), on both sides of it. */
  public static Padding of(int... sizes) {
    return new Padding(false, list(sizes));
  }

  /** Explicit padding of {@code before[i]} zeros before spatial axis {@code i} and {@code after[i]} after it. */
  public static Padding of(int[] before, int[] after) {
    return new Padding(false, list(before), list(after));
  }

  private static List<Integer> list(int[] sizes) {
    List<Integer> out = new ArrayList<>(sizes.length);
    for (int s : sizes) {
      out.add(s);
    }
    return out;
  }

  /** Explicit zeros before spatial axis {@code axis} (not for {@code "same"}). */
  public int start(int axis) {
    return sizes.get(axis);
  }

  /** Explicit zeros after spatial axis {@code axis} (not for {@code "same"}). */
  public int end(int axis) {
    return after.isEmpty() ? sizes.get(axis) : after.get(axis);
  }

  /** Whether each axis is padded alike on both sides ({@code "same"} splits as it must, and counts as not). */
  public boolean symmetric() {
    return !same && after.isEmpty();
  }

  /** {@code "same"}, or {@code "valid"} (explicit 0), by name; null for any other string. */
  static Padding named(String mode) {
    return switch (mode) {
      case "same" -> SAME;
      case "valid" -> VALID;
      default -> null;
    };
  }

  /**
   * This padding for a layer with {@code rank} spatial axes: a single size (or none, for {@link
   * #VALID}) is repeated for every axis.
   */
  Padding forRank(String layer, int rank) {
    if (same || sizes.size() == rank) {
      return this;
    }
    if (sizes.size() <= 1) {
      int[] before = new int[rank];
      int[] end = new int[rank];
      java.util.Arrays.fill(before, sizes.isEmpty() ? 0 : sizes.get(0));
      java.util.Arrays.fill(end, after.isEmpty() ? before[0] : after.get(0));
      return of(before, end);
    }
    throw SpecChecks.layerError(layer, "padding " + this + " must have " + rank + " size" + (rank == 1 ? "" : "s")
        + " (one per spatial axis), or be a single size, 'same' or 'valid'.");
  }

  /**
   * Zeros before and after an axis of {@code in} positions for a window of {@code kernel} taps,
   * {@code stride} and {@code dilation}.
   *
   * @param axis index into {@link #sizes()} for explicit padding
   */
  public int[] amounts(int axis, int in, int kernel, int stride, int dilation) {
    if (!same) {
      return new int[] {start(axis), end(axis)};
    }
    long out = (in + (long) stride - 1) / stride;
    long total = Math.max(0, (out - 1) * stride + (long) dilation * (kernel - 1) + 1 - in);
    return new int[] {(int) (total / 2), (int) (total - total / 2)};
  }

  /** {@code same}, {@code [1, 1]}, or {@code [[0, 1], [1, 0]]} ({@code [before, after]} per axis). */
  @Override
  public String toString() {
    if (same || after.isEmpty()) {
      return same ? "same" : sizes.toString();
    }
    List<String> pairs = new ArrayList<>(sizes.size());
    for (int i = 0; i < sizes.size(); i++) {
      pairs.add("[" + sizes.get(i) + ", " + after.get(i) + "]");
    }
    return "[" + String.join(", ", pairs) + "]";
  }
}
