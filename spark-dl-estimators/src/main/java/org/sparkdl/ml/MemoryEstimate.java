package org.sparkdl.ml;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.network.util.JavaUtils;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;

/**
 * The memory a fit's network takes, estimated on the driver before anything is allocated, and the
 * check that refuses a network that cannot fit (the data has its own check, {@link DataMemory}).
 *
 * <ul>
 *   <li>each training task holds the parameters, their gradients, the optimizer's buffers (and its
 *       shard of them for the sharded update), the buffers, and the activations of its share of a
 *       step's rows, forward and backward, in native memory;
 *   <li>the driver holds its own copy of the network and optimizer (native) and, on its heap, the
 *       latest epoch's parameters and optimizer state, the best epoch's parameters, and the state
 *       arriving from the tasks;
 *   <li>that state comes from the tasks in one RPC message, which Spark caps at 2 GB.
 * </ul>
 *
 * The native limit is the machine's physical memory less the heap in local mode, and the
 * executor's off-heap allowance ({@code spark.executor.memoryOverhead} and {@code
 * spark.memory.offHeap.size}) on YARN and Kubernetes, which kill a container that exceeds it;
 * elsewhere (standalone) Spark knows no limit, and only the driver's are checked.
 *
 * @param taskBytes native bytes per training task
 * @param executorBytes native bytes of the training tasks that share an executor (and, in local
 *     mode, of the driver's network, which lives in the same JVM)
 * @param driverHeapBytes heap bytes the driver holds for the epochs' state
 * @param messageBytes bytes of the state sent to the driver after each epoch
 * @param parts what the per-task figure is made of, for messages
 */
record MemoryEstimate(long taskBytes, long executorBytes, long driverHeapBytes, long messageBytes, String parts) {
  /** What Spark's RPC carries in one message. */
  static final long MAX_MESSAGE_BYTES = Integer.MAX_VALUE - (1L << 20);

  /** The estimate for {@code spec} trained by {@code tasks} tasks, {@code tasksPerExecutor} to a JVM. */
  static MemoryEstimate of(NetworkSpec spec, OptimizerSpec optimizer, int batchSize, int tasks, int tasksPerExecutor,
      boolean local) {
    tasks = Math.max(1, tasks);   // data of no partitions is refused later, naming the problem
    Network.Footprint f = Network.footprint(spec);
    long p = f.parameters();
    int slots = optimizer.stateBuffers();
    long rows = Math.max(1, (batchSize + tasks - 1) / tasks);
    long network = 4 * ((2 + slots) * p + (slots * p + tasks - 1) / tasks + 2 * f.buffers());
    long activations = 4 * 3 * rows * f.activationsPerRow();
    long task = network + activations;
    long driverNative = 4 * ((2 + slots) * p + f.buffers());
    long executor = tasksPerExecutor * task + (local ? driverNative : 0);
    long message = 4 * ((1 + slots) * p + f.buffers());
    long heap = 2 * message + 2 * 4 * (p + f.buffers());
    String parts = String.format(Locale.ROOT, "%,d parameters: values, gradients and %s's %d buffer%s, %s; activations of %d"
        + " rows, %s", p, optimizer.kind(), slots, slots == 1 ? "" : "s", size(network), rows, size(activations));
    return new MemoryEstimate(task, executor, heap, message, parts);
  }

  /**
   * Refuses the network when it cannot fit: the state message past 2 GB, the driver's heap, or the
   * native limit where one is known ({@code nativeLimit} negative: none).
   *
   * @throws IllegalArgumentException naming the estimate and the limit it exceeds
   */
  void check(String who, long driverHeap, long nativeLimit, String nativeLimitSource) {
    String what = who + ": the network does not fit in memory. ";
    String fix = " Use a smaller network (fewer or narrower layers)";
    if (messageBytes > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(what + "Its parameters and optimizer state (" + size(messageBytes) + ") must reach the"
          + " driver after every epoch in one message, and Spark's RPC carries at most 2 GB (" + parts + ")." + fix + ".");
    }
    if (driverHeapBytes > driverHeap) {
      throw new IllegalArgumentException(what + "The driver keeps about " + size(driverHeapBytes) + " of it on its heap (the"
          + " latest and the best epoch's parameters, the optimizer state), more than its " + size(driverHeap) + " (" + parts
          + ")." + fix + ", or raise spark.driver.memory.");
    }
    if (nativeLimit >= 0 && executorBytes > nativeLimit) {
      throw new IllegalArgumentException(what + "Each training task needs about " + size(taskBytes) + " of native memory ("
          + parts + "), " + size(executorBytes) + " in one executor (its tasks, and the driver's network in local mode),"
          + " more than the " + size(nativeLimit) + " of "
          + nativeLimitSource + "." + fix + ", fewer tasks per executor, or more memory.");
    }
  }

  /**
   * The native memory the training tasks of one executor may use, or -1 where Spark knows no
   * limit; {@link #limitSource} says where it comes from.
   */
  static long nativeLimit(SparkContext sc) {
    String master = sc.master();
    SparkConf conf = sc.getConf();
    if (ExecutionPlan.local(master)) {
      long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getTotalMemorySize();
      return Math.max(0, physical - Runtime.getRuntime().maxMemory());
    }
    if (master.startsWith("yarn") || master.startsWith("k8s://")) {
      long heap = JavaUtils.byteStringAsBytes(conf.get("spark.executor.memory", "1g"));
      long overhead = conf.contains("spark.executor.memoryOverhead")
          ? JavaUtils.byteStringAsBytes(conf.get("spark.executor.memoryOverhead"))
          : Math.max(384L << 20, (long) (heap * conf.getDouble("spark.executor.memoryOverheadFactor", 0.10)));
      long offHeap = conf.getBoolean("spark.memory.offHeap.enabled", false)
          ? JavaUtils.byteStringAsBytes(conf.get("spark.memory.offHeap.size", "0")) : 0;
      return overhead + offHeap;
    }
    return -1;
  }

  /** Where {@link #nativeLimit} comes from, for messages. */
  static String limitSource(SparkContext sc) {
    return ExecutionPlan.local(sc.master()) ? "this machine's physical memory beside the heap"
        : "the executor's off-heap allowance (spark.executor.memoryOverhead + spark.memory.offHeap.size)";
  }

  static String size(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
  }
}
