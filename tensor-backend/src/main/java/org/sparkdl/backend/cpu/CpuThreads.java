package org.sparkdl.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the Java kernels of the CPU backend on up to {@link CpuBackend#threads()} threads. Like
 * OpenBLAS, it keeps one pool of daemon workers per process; each call splits its range into at
 * most {@code threads} contiguous chunks, runs the first on the calling thread and waits for the
 * rest, so a kernel never uses more threads than the backend was given (on Spark, {@code
 * spark.task.cpus}).
 */
final class CpuThreads {
  /** A chunk of a parallel loop: indices {@code [from, to)}. */
  @FunctionalInterface
  interface Range {
    void run(int from, int to);
  }

  private static final AtomicInteger WORKERS = new AtomicInteger();
  private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
      pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("sparkdl-cpu-" + WORKERS.incrementAndGet());
        t.setDaemon(true);
        return t;
      }, null, false);

  private CpuThreads() {}

  /**
   * Runs {@code body} over {@code [0, n)} in up to {@code threads} chunks, each of at least {@code
   * grain} indices (so that small loops stay on one thread, where handing work over costs more than
   * it saves). Exceptions of any chunk are rethrown here.
   */
  static void parallelFor(int threads, int n, int grain, Range body) {
    int chunks = Math.min(threads, n / Math.max(1, grain));
    if (chunks <= 1) {
      body.run(0, n);
      return;
    }
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int from = (int) ((long) n * c / chunks);
      int to = (int) ((long) n * (c + 1) / chunks);
      tasks[c - 1] = POOL.submit(() -> body.run(from, to));
    }
    try {
      body.run(0, (int) ((long) n / chunks));
    } finally {
      // wait for every chunk even when this one failed, so none is still writing after we return
      for (ForkJoinTask<?> t : tasks) {
        t.join();
      }
    }
  }
}
