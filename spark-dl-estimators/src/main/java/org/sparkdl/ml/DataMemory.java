package org.sparkdl.ml;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.network.util.JavaUtils;

/**
 * Whether the training tasks of a barrier stage hold their encoded data decoded in memory for the
 * whole fit (the fast way, when it fits) or keep it in files on the executors' local disk and
 * decode one batch of each partition at a time, reading the next window's ahead (see {@link
 * SpillFiles});
 * decided on the driver from the encoded batches' sizes before the stage starts, so that a fit
 * that cannot hold even the batches it needs at once fails before training, saying how much memory
 * it needs.
 *
 * @param spill whether the tasks keep their batches on disk
 * @param reason one line for the log
 */
record DataMemory(boolean spill, String reason) {
  /**
   * Spark conf (or session conf): the most bytes of decoded training and validation batches one
   * training task holds in memory; beyond it the task keeps its batches on local disk. Default:
   * half of an executor's heap ({@code spark.executor.memory}, the driver's heap in local mode),
   * shared by the training tasks that run in one executor.
   */
  static final String CONF = "spark.sparkdl.train.memoryBytes";

  /** One encoded batch, as the driver learns it from the encoding job. */
  record Batch(int partition, boolean validation, int index, int rows, long bytes) implements java.io.Serializable {}

  /**
   * The decision for {@code batches} trained by {@code tasks} tasks (partition p goes to task
   * {@code p mod tasks}), each allowed {@code budget} bytes.
   *
   * @throws IllegalArgumentException when even keeping the batches on disk a task would need more
   *     than {@code budget}
   */
  static DataMemory plan(List<Batch> batches, int tasks, long budget) {
    Map<Integer, Long> total = new HashMap<>();
    Map<Integer, Long> trainBytes = new HashMap<>();
    Map<Integer, Long> trainLargest = new HashMap<>();
    Map<Integer, Long> validBytes = new HashMap<>();
    Map<Integer, Long> validLargest = new HashMap<>();
    for (Batch b : batches) {
      total.merge(b.partition() % tasks, b.bytes(), Long::sum);
      (b.validation() ? validBytes : trainBytes).merge(b.partition(), b.bytes(), Long::sum);
      (b.validation() ? validLargest : trainLargest).merge(b.partition(), b.bytes(), Math::max);
    }
    long most = total.values().stream().mapToLong(Long::longValue).max().orElse(0);
    if (most <= budget) {
      return new DataMemory(false, "each task holds its batches in memory (at most " + mb(most) + " of " + mb(budget)
          + " allowed, " + CONF + ")");
    }
    // on disk, a task holds two batches of each training partition (the window it trains on and the next, read ahead)
    // and, while it evaluates, a validation batch and the next
    Map<Integer, Long> need = new HashMap<>();
    trainBytes.forEach((p, bytes) -> need.merge(p % tasks, Math.min(bytes, 2 * trainLargest.get(p)), Long::sum));
    Map<Integer, Long> validNeed = new HashMap<>();
    validBytes.forEach((p, bytes) -> validNeed.merge(p % tasks, Math.min(bytes, 2 * validLargest.get(p)), Math::max));
    validNeed.forEach((t, bytes) -> need.merge(t, bytes, Long::sum));
    long needed = need.values().stream().mapToLong(Long::longValue).max().orElse(0);
    if (needed > budget) {
      throw new IllegalArgumentException("The training data does not fit: a training task needs at least " + mb(needed)
          + " of memory for the batches it trains on at a time (two batches per partition: one to train on, the next read"
          + " ahead), even with"
          + " the rest on local disk, and may hold " + mb(budget) + " (" + CONF + "). Raise " + CONF + " or the executors'"
          + " memory, or lower " + DistributedTrainer.BATCH_BYTES_CONF + " to make the batches smaller.");
    }
    return new DataMemory(true, "each task keeps its batches on local disk and reads them a window at a time (up to "
        + mb(most) + " per task, more than the " + mb(budget) + " allowed by " + CONF + "; " + mb(needed) + " held at once)");
  }

  /**
   * The bytes each of {@code tasks} training tasks may hold: {@code configured} when set, else
   * half of an executor's heap over the tasks that share an executor.
   */
  static long budget(SparkContext sc, String configured, int tasks) {
    if (configured != null && !configured.isBlank()) {
      return JavaUtils.byteStringAsBytes(configured);
    }
    long heap = ExecutionPlan.local(sc.master()) ? Runtime.getRuntime().maxMemory()
        : JavaUtils.byteStringAsBytes(sc.getConf().get("spark.executor.memory", "1g"));
    return heap / 2 / ExecutionPlan.tasksPerExecutor(sc, tasks);
  }

  private static String mb(long bytes) {
    return bytes < 1 << 20 ? String.format(java.util.Locale.ROOT, "%,d bytes", bytes)
        : String.format(java.util.Locale.ROOT, "%,d MB", (bytes + (1 << 20) - 1) >> 20);
  }
}
