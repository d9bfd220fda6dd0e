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

  /**
   * The fewest multiply-adds a task's share of a training step (forward and backward) should hold
   * for the task to pay for its place in the step's allreduce: about half a millisecond of one
   * core. A 784-128-10 network at 64 rows a step (19.5 million) trains faster as one task than as
   * two that synchronise every step (first fit of a fresh JVM on 8,000 digits in {@code local[2]}:
   * 2.0-2.2 s against 2.4-3.2 s; its allreduce took 55-69% of the two tasks' time); a LeNet (350
   * million) or a 784-1024-1024-10 network (360 million) shares its steps among all the slots.
   */
  static final long MIN_TASK_STEP_MULTIPLY_ADDS = 25_000_000L;

  /**
   * Spark conf (or session conf): the multiply-adds a task's share of a training step should hold in
   * gradient mode ({@link #MIN_TASK_STEP_MULTIPLY_ADDS} by default); 0 gives every fit all the task
   * slots the data can fill, as when {@code numWorkers} is set.
   */
  static final String TASK_WORK_CONF = "spark.sparkdl.train.taskMultiplyAdds";

  /** The value of {@link #TASK_WORK_CONF} ({@code null}: not set). */
  static long minTaskMultiplyAdds(String conf) {
    if (conf == null) {
      return MIN_TASK_STEP_MULTIPLY_ADDS;
    }
    try {
      long v = Long.parseLong(conf.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(TASK_WORK_CONF + " is '" + conf + "'; expected a number of multiply-adds >= 0.");
  }

  /** The plan for data of {@code partitions} partitions on {@code sc}, with the session's {@code mode}. */
  static ExecutionPlan choose(SparkContext sc, int partitions, String mode) {
    return choose(sc.getConf(), sc.master(), slots(sc), partitions, mode);
  }

  /** {@link #choose(SparkConf, String, int, int, String, long, long)} with as many tasks as the data and slots allow. */
  static ExecutionPlan choose(SparkConf conf, String master, int slots, int partitions, String mode) {
    return choose(conf, master, slots, partitions, mode, -1, MIN_TASK_STEP_MULTIPLY_ADDS);
  }

  /**
   * How many tasks can share a training step of {@code stepMultiplyAdds} (forward and backward, at
   * the fit's batch size), each holding at least {@code taskMultiplyAdds} (&gt; 0); at least 1.
   */
  static int worthwhileTasks(long stepMultiplyAdds, long taskMultiplyAdds) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, stepMultiplyAdds / taskMultiplyAdds));
  }

  /**
   * The multiply-adds of a training step: the forward pass's {@code multiplyAddsPerRow} three times
   * (the backward pass takes about twice the forward's) for each of {@code batchSize} rows.
   */
  static long stepMultiplyAdds(long multiplyAddsPerRow, int batchSize) {
    return 3 * multiplyAddsPerRow * batchSize;
  }

  /**
   * The decision itself, from the facts: the conf (dynamic allocation), the master, the task slots
   * the executors offer now, the input's partitions, the requested mode, and the work of a training
   * step ({@code stepMultiplyAdds}; negative when it does not limit the tasks: the user chose their
   * number, average mode, or a {@code taskMultiplyAdds} of 0), which caps the tasks at {@link
   * #worthwhileTasks}.
   */
  static ExecutionPlan choose(SparkConf conf, String master, int slots, int partitions, String mode,
      long stepMultiplyAdds, long taskMultiplyAdds) {
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
    int worthwhile = stepMultiplyAdds < 0 ? Integer.MAX_VALUE : worthwhileTasks(stepMultiplyAdds, taskMultiplyAdds);
    if (worthwhile < Math.min(partitions, slots)) {
      return new ExecutionPlan(true, worthwhile, String.format(java.util.Locale.ROOT, "one barrier stage of %d task%s:"
          + " a training step of this network is %.1f million multiply-adds, too little to share among more tasks (each"
          + " should hold %.1f million, %s; numWorkers chooses the number)", worthwhile, worthwhile == 1 ? "" : "s",
          stepMultiplyAdds / 1e6, taskMultiplyAdds / 1e6, TASK_WORK_CONF));
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
