package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Zero padding of a convolution or pooling layer: either explicit sizes, one per spatial axis and
 * applied on both sides of it, or {@code "same"}.
 *
 * <p>{@code "same"} pads so that the output has {@code ceil(in / stride)} positions along each axis
 * (the input size itself at stride 1), splitting the total padding {@code max((out - 1) stride +
 * dilation (kernel - 1) + 1 - in, 0)} evenly and putting an odd element at the end, as TensorFlow
 * and ONNX's {@code SAME_UPPER} do. {@code "valid"} is explicit padding of 0.
 *
 * <p>JSON: an integer (every axis), an array of one integer per axis, or {@code "same"} / {@code
 * "valid"}.
 *
 * @param same whether this is {@code "same"} padding
 * @param sizes explicit padding per axis, each &gt;= 0; empty for {@code "same"}, and for {@link
 *     #VALID} until a layer fixes its rank
 */
public record Padding(boolean same, List<Integer> sizes) {
  /** Validates and copies the sizes. */
  public Padding {
    if (sizes == null) {
      throw new SpecException("Padding sizes are missing.");
    }
    List<Integer> copy = new ArrayList<>(sizes.size());
    for (Integer s : sizes) {
      if (s == null || s < 0) {
        throw new SpecException("Padding sizes must be >= 0, found " + sizes + ".");
      }
      copy.add(s);
    }
    if (same && !copy.isEmpty()) {
      throw new SpecException("'same' padding takes no sizes, found " + sizes + ".");
    }
    sizes = Collections.unmodifiableList(copy);
  }

  /** Output size {@code ceil(in / stride)} along every axis. */
  public static final Padding SAME = new Padding(true, List.of());
  /** No padding on any axis. */
  public static final Padding VALID = new Padding(false, List.of());

  /** Explicit padding, one size per axis (or one for all axes), on both sides of it. */
  public static Padding of(int... sizes) {
    List<Integer> list = new ArrayList<>(sizes.length);
    for (int s : sizes) {
      list.add(s);
    }
    return new Padding(false, list);
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
      int[] all = new int[rank];
      java.util.Arrays.fill(all, sizes.isEmpty() ? 0 : sizes.get(0));
      return of(all);
    }
    throw SpecChecks.layerError(layer, "padding " + sizes + " must have " + rank + " size" + (rank == 1 ? "" : "s")
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
      return new int[] {sizes.get(axis), sizes.get(axis)};
    }
    long out = (in + (long) stride - 1) / stride;
    long total = Math.max(0, (out - 1) * stride + (long) dilation * (kernel - 1) + 1 - in);
    return new int[] {(int) (total / 2), (int) (total - total / 2)};
  }

  @Override
  public String toString() {
    return same ? "same" : sizes.toString();
  }
}
