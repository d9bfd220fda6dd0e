package org.sparkdl.it;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassifier;

/**
 * Runs out of heap in a fit, then fits again in the same session, in a JVM whose heap (-Xmx480m,
 * given by {@link MemoryErrorsIT}) cannot hold one 256 MB encoded batch and its copy: 90,000 rows
 * of 784 features in one partition make one such batch. Prints {@code FIRST <message>} for the
 * failed fit and {@code SECOND rows=<n> loss=<l>} for the fit that follows with 16 MB batches:
 * the encoding holds one batch at a time, so a partition of 280 MB of encoded rows (560 MB as the
 * rows' doubles) encodes in this heap, and the tasks, allowed half the heap, train from local disk.
 */
public final class OutOfMemoryMain {
  private OutOfMemoryMain() {}

  public static void main(String[] args) {
    SparkSession spark = Sessions.builder("local[1]", "out-of-memory")
        // Spark asks for a heap of 450 MB; this JVM has less on purpose
        .config("spark.testing.memory", String.valueOf(512L << 20))
        .getOrCreate();
    try {
      Dataset<Row> data = spark.range(0, 90_000, 1, 1).selectExpr("cast(id % 10 as double) as label",
          "array_repeat(cast(id % 10 as double) / 10, 784) as f")
          .withColumn("features", org.apache.spark.ml.functions.array_to_vector(col("f"))).drop("f");
      NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(784, 16, 10).setMaxEpochs(1).setSeed(3);
      try {
        clf.fit(data);
        System.out.println("FIRST no error");
      } catch (RuntimeException e) {
        System.out.println("FIRST " + e.getClass().getSimpleName() + ": " + e.getMessage().replace('\n', ' '));
      }
      spark.conf().set("spark.sparkdl.encode.batchBytes", "16m");
      org.sparkdl.ml.scoring.TrainingSummary s = clf.fit(data).summary();
      System.out.println("SECOND rows=" + s.trainingRows() + " loss=" + s.lossHistory().get(0));
    } finally {
      spark.stop();
    }
  }
}
