package org.sparkdl.ml;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * How a fit will run, decided on the driver before any job: as one barrier stage (the default)
 * of as many tasks as the data has partitions, or as the task slots there are when it has more
 * (each task then trains on several partitions), or as one job per round where barrier stages
 * cannot run. Checked up front so a fit never waits for slots that will not come.
 *
 * @param barrier whether the fit runs as a barrier stage
 * @param tasks the barrier stage's tasks (at most the partitions, at most the slots)
 * @param reason one line for the log: what was chosen and why
 */
record ExecutionPlan(boolean barrier, int tasks, String reason) {
  /** Spark conf (or session conf): {@code auto} (default), {@code barrier}, or {@code rounds} to force one way. */
  static final String MODE_CONF = "spark.sparkdl.execution";

  /** The plan for data of {@code partitions} partitions on {@code sc}, with the session's {@code mode}. */
  static ExecutionPlan choose(SparkContext sc, int partitions, String mode) {
    return choose(sc.getConf(), sc.master(), slots(sc), partitions, mode);
  }

  /**
   * The decision itself, from the facts: the conf (dynamic allocation), the master, the task slots
   * the executors offer now, the input's partitions, and the requested mode.
   */
  static ExecutionPlan choose(SparkConf conf, String master, int slots, int partitions, String mode) {
    if (!mode.equals("auto") && !mode.equals("barrier") && !mode.equals("rounds")) {
      throw new IllegalArgumentException(MODE_CONF + " is '" + mode + "'; expected auto, barrier or rounds.");
    }
    if (mode.equals("rounds")) {
      return new ExecutionPlan(false, partitions, "one job per round, as " + MODE_CONF + "=rounds asks");
    }
    if (dynamicAllocation(conf, master)) {
      return new ExecutionPlan(false, partitions, "one job per round: dynamic allocation is on"
          + " (spark.dynamicAllocation.enabled), and a barrier stage needs all of its tasks running at once");
    }
    if (slots < 1) {
      return new ExecutionPlan(false, partitions, "one job per round: no executor offers a task slot yet");
    }
    if (partitions > slots) {
      return new ExecutionPlan(true, slots, "one barrier stage of " + slots + " tasks, one per task slot the executors offer,"
          + " each training on several of the " + partitions + " partitions");
    }
    return new ExecutionPlan(true, partitions, "one barrier stage of " + partitions + " tasks" + (partitions < slots
        ? " (the input has " + partitions + " partitions for " + slots + " task slots; numWorkers=" + slots + " uses them all)"
        : ""));
  }

  /**
   * Into how many encoded partitions each of the input's {@code partitions} is dealt so that the
   * fit uses the {@code slots} the executors offer: {@code slots / partitions} when the input has
   * fewer partitions than slots, else 1; always 1 when the user chose {@code numWorkers} (which
   * repartitions the input itself).
   */
  static int slices(int partitions, int slots, int numWorkers) {
    return numWorkers > 0 || partitions < 1 || partitions >= slots ? 1 : slots / partitions;
  }

  /** Whether {@code master} runs the executor inside the driver's JVM ({@code local} or {@code local[...]}). */
  static boolean local(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  /** How many of a stage's {@code tasks} run in one executor JVM at most (all of them in local mode). */
  static int tasksPerExecutor(SparkContext sc, int tasks) {
    int executors = local(sc.master()) ? 1 : Math.max(1, sc.getExecutorMemoryStatus().size() - 1);
    return Math.max(1, (tasks + executors - 1) / executors);
  }

  /** As Spark decides it: on, except in local mode unless testing asks for it. */
  private static boolean dynamicAllocation(SparkConf conf, String master) {
    boolean local = local(master);
    return conf.getBoolean("spark.dynamicAllocation.enabled", false)
        && (!local || conf.getBoolean("spark.dynamicAllocation.testing", false));
  }

  /** Tasks the executors can run at once (what Spark checks a barrier stage against). */
  static int slots(SparkContext sc) {
    try {
      return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    } catch (LinkageError e) {
      // a Spark without this internal method: its default parallelism is the slot count in local and standalone mode
      return sc.defaultParallelism();
    }
  }
}
