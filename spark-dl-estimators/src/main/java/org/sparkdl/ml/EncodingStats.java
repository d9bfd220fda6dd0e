package org.sparkdl.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;

/**
 * What the encoding pass measures of the training rows, for {@link TrainingWatch} and {@link
 * ClassWeights}: each partition's rows per class (a classifier's, the partition's index last) and
 * the largest |value| of each feature of a {@code Vector} column, gathered by Spark accumulators
 * as the partitions are encoded and read once on the driver right after.
 */
record EncodingStats(CollectionAccumulator<long[]> classCounts, CollectionAccumulator<double[]> featureScale)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Accumulators registered with {@code sc}; no class counts for a regressor. */
  static EncodingStats register(SparkContext sc, boolean classifier) {
    return new EncodingStats(classifier ? sc.collectionAccumulator("training rows per class") : null,
        sc.collectionAccumulator("feature scale"));
  }

  /**
   * Hands the totals of every partition to {@code watch}: {@code classes} counts, the scale of
   * column {@code features}; returns the training rows per class (null for a regressor). Each
   * partition's counts are taken once, should a retried task have reported them again.
   */
  long[] report(TrainingWatch watch, int classes, String features) {
    long[] counts = null;
    if (classCounts != null) {
      counts = new long[classes];
      java.util.Set<Long> seen = new java.util.HashSet<>();
      for (long[] part : classCounts.value()) {
        if (seen.add(part[classes])) {
          for (int c = 0; c < counts.length; c++) {
            counts[c] += part[c];
          }
        }
      }
      watch.classes(counts);
    }
    List<double[]> scales = featureScale.value();
    if (!scales.isEmpty()) {
      double[] largest = new double[scales.get(0).length];
      for (double[] part : scales) {
        for (int j = 0; j < largest.length; j++) {
          largest[j] = Math.max(largest[j], part[j]);
        }
      }
      watch.featureScale(features, largest);
    }
    return counts;
  }
}
