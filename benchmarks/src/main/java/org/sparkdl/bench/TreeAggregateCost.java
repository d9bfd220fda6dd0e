package org.sparkdl.bench;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The cost of one bare {@code treeAggregate} of a float vector over a cached 2-partition RDD: what
 * a job-per-round trainer pays each round for moving its gradients, with no compute. Each
 * partition contributes a vector with a single 1, the driver gets their sum.
 */
final class TreeAggregateCost {
  private TreeAggregateCost() {}

  /** Milliseconds per call of {@code timed} calls after {@code warmup}, for a vector of {@code floats}. */
  static Spread measure(JavaSparkContext jsc, int floats, int warmup, int timed) {
    JavaRDD<Integer> parts = jsc.parallelize(Arrays.asList(0, 1), 2).cache();
    parts.count();
    double[] ms = new double[warmup + timed];
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      float[] out = parts.treeAggregate(new float[floats], (acc, p) -> {
        float[] v = new float[floats];
        v[p] = 1;
        return v;
      }, (a, b) -> {
        for (int j = 0; j < a.length; j++) {
          a[j] += b[j];
        }
        return a;
      }, 2);
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (out.length != floats || out[0] != 1 || out[1] != 1) {
        throw new IllegalStateException("treeAggregate returned a wrong sum.");
      }
    }
    parts.unpersist(true);
    return Spread.after(warmup, ms);
  }
}
