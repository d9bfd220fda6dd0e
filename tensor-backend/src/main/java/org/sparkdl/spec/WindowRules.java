package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Field checks and shape rules shared by the layers that slide a window over spatial axes
 * (convolutions and pooling), so that they word their errors the same way.
 */
final class WindowRules {
  private WindowRules() {}

  /**
   * Checks a per-axis field (kernel, stride, dilation) and returns an immutable copy with one entry
   * per spatial axis; a single value is used for every axis.
   */
  static List<Integer> perAxis(String layer, String field, List<Integer> values, int rank, int min) {
    if (values == null) {
      throw SpecChecks.layerError(layer, field + " is missing.");
    }
    if (values.size() != rank && values.size() != 1) {
      throw SpecChecks.layerError(layer, field + " " + values + " must have " + rank + " entr" + (rank == 1 ? "y" : "ies")
          + " (one per spatial axis) or be a single number.");
    }
    List<Integer> out = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      Integer v = values.get(values.size() == 1 ? 0 : i);
      if (v == null || v < min) {
        throw SpecChecks.layerError(layer, field + " must be >= " + min + ", found " + values + ".");
      }
      out.add(v);
    }
    return Collections.unmodifiableList(out);
  }

  /** Checks a padding field and fixes it to {@code rank} spatial axes. */
  static Padding padding(String layer, Padding padding, int rank) {
    if (padding == null) {
      throw SpecChecks.layerError(layer, "padding is missing.");
    }
    return padding.forRank(layer, rank);
  }

  /**
   * Checks a pooling layer's padding: explicit sizes, on either side, at most half the kernel, so
   * that no window lies in the padding.
   */
  static Padding poolPadding(String layer, Padding padding, List<Integer> kernel) {
    Padding p = padding(layer, padding, kernel.size());
    for (int a = 0; a < kernel.size() && !p.same(); a++) {
      if (2L * Math.max(p.start(a), p.end(a)) > kernel.get(a)) {
        throw SpecChecks.layerError(layer, "padding " + p + " must be at most half the kernel " + kernel + ".");
      }
    }
    return p;
  }

  /**
   * The spatial output sizes for an input {@code [channels, ...spatial]}.
   *
   * @throws SpecException naming the layer and shapes when the input has the wrong rank or the
   *     kernel's span exceeds the padded input
   */
  static List<Integer> outputSizes(String layer, String type, List<Integer> in, List<Integer> kernel,
      List<Integer> stride, List<Integer> dilation, Padding padding) {
    int rank = kernel.size();
    if (in.size() != rank + 1) {
      String expected = rank == 1 ? "[channels, length]" : "[channels, height, width]";
      throw SpecChecks.layerError(layer, type + " needs an input " + expected + " (batch excluded), found " + in
          + (in.size() == 1 && rank == 2 ? "; reshape it first, e.g. to [1, height, width]." : "."));
    }
    List<Integer> out = new ArrayList<>(rank);
    List<Integer> padded = new ArrayList<>(rank);
    List<Integer> span = new ArrayList<>(rank);
    boolean fits = true;
    for (int a = 0; a < rank; a++) {
      int size = in.get(a + 1);
      int[] pad = padding.amounts(a, size, kernel.get(a), stride.get(a), dilation.get(a));
      long p = (long) size + pad[0] + pad[1];
      long s = (long) dilation.get(a) * (kernel.get(a) - 1) + 1;
      padded.add((int) Math.min(Integer.MAX_VALUE, p));
      span.add((int) Math.min(Integer.MAX_VALUE, s));
      fits &= s <= p;
      long o = Math.max(0, (p - s) / stride.get(a) + 1);
      if (fits && o > SpecChecks.MAX_ELEMENTS) {
        throw SpecChecks.layerError(layer, "output size " + o + " along spatial axis " + a + " (input " + in + ", padding "
            + padding + ") has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
      }
      out.add((int) o);
    }
    if (!fits) {
      throw SpecChecks.layerError(layer, "kernel " + kernel + " with dilation " + dilation + " spans " + span
          + ", more than the input " + in + " padded to " + padded + " (padding " + padding + ").");
    }
    return out;
  }

  /** {@code [channels, ...sizes]}, checked against the element limit. */
  static List<Integer> shape(String layer, int channels, List<Integer> sizes) {
    List<Integer> out = new ArrayList<>(sizes.size() + 1);
    out.add(channels);
    out.addAll(sizes);
    if (SpecChecks.elementCount(out) > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(layer, "output shape " + out + " has more than " + SpecChecks.MAX_ELEMENTS
          + " elements.");
    }
    return List.copyOf(out);
  }

  /** Checks an initializer name against the known ones. */
  static void checkInit(String layer, String init) {
    if (init == null || !Dense.INITS.contains(init)) {
      throw SpecChecks.layerError(layer, "unknown init '" + init + "'; known inits: " + String.join(", ", Dense.INITS)
          + ".");
    }
  }

  /** Checks that {@code groups} divides {@code filters}. */
  static void checkGroups(String layer, int filters, int groups) {
    if (filters <= 0) {
      throw SpecChecks.layerError(layer, "filters must be > 0, found " + filters + ".");
    }
    if (groups < 1 || filters % groups != 0) {
      throw SpecChecks.layerError(layer, "groups must be >= 1 and divide filters " + filters + ", found " + groups + ".");
    }
  }

  /** Checks that the input's channels divide into {@code groups}. */
  static void checkInputGroups(String layer, List<Integer> in, int groups) {
    if (in.get(0) % groups != 0) {
      throw SpecChecks.layerError(layer, "input channels " + in.get(0) + " (input shape " + in
          + ") are not divisible by groups " + groups + ".");
    }
  }
}
