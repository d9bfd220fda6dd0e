package org.sparkdl.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Repeated measurements of one figure (milliseconds, unless a caller says otherwise), sorted: the
 * median is the figure reported, the smallest and largest show the noise.
 */
record Spread(double[] sorted) {
  Spread {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("A spread needs at least one measurement.");
    }
    sorted = sorted.clone();
    Arrays.sort(sorted);
  }

  static Spread of(double... values) {
    return new Spread(values);
  }

  static Spread of(List<Double> values) {
    return new Spread(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The measurements after the first {@code skip} (a warm-up kept in the same series). */
  static Spread after(int skip, double[] values) {
    return new Spread(Arrays.copyOfRange(values, skip, values.length));
  }

  int count() {
    return sorted.length;
  }

  double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  double min() {
    return sorted[0];
  }

  double max() {
    return sorted[sorted.length - 1];
  }

  /** {@code "median (min .. max)"} in {@code format}. */
  String text(String format) {
    return String.format(Locale.ROOT, format + " (" + format + " .. " + format + ")", median(), min(), max());
  }

  /** {@code "name":median,"name_min":min,"name_max":max,"name_n":count}, for a JSON object. */
  String json(String name) {
    return String.format(Locale.ROOT, "\"%s\":%.4f,\"%s_min\":%.4f,\"%s_max\":%.4f,\"%s_n\":%d", name, median(), name, min(), name,
        max(), name, count());
  }
}
