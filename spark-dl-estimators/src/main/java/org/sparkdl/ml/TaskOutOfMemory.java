package org.sparkdl.ml;

/**
 * A task of a fit ran out of heap or native memory. Raised in place of the {@link
 * OutOfMemoryError}, which Spark would answer by ending the executor (in local mode, the
 * application); the message names the stage, the partition and the setting to change, and the
 * driver shows it on top of Spark's job failure.
 */
final class TaskOutOfMemory extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * @param cause the memory failure; an {@link Error} (or an exception caused by one) is not kept
   *     as the cause, because Spark ends the executor for any exception with a fatal error in its
   *     cause chain ({@code spark.executor.killOnFatalError.depth}): its message and stack trace
   *     are kept on a stand-in exception instead, so the log still shows where memory ran out
   */
  TaskOutOfMemory(String message, Throwable cause) {
    super(message, standIn(cause));
  }

  private static Throwable standIn(Throwable cause) {
    if (cause == null || inChain(cause, t -> t instanceof Error) == null) {
      return cause;
    }
    IllegalStateException s = new IllegalStateException(cause.getClass().getName() + ": " + cause.getMessage());
    s.setStackTrace(cause.getStackTrace());
    return s;
  }

  /**
   * The first throwable of {@code e}'s cause chain ({@code e} included) that {@code test} accepts,
   * or null. At most {@link #CHAIN_DEPTH} deep, so that causes set into a cycle cannot loop.
   */
  static Throwable inChain(Throwable e, java.util.function.Predicate<Throwable> test) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < CHAIN_DEPTH; depth++, t = t.getCause()) {
      if (test.test(t)) {
        return t;
      }
    }
    return null;
  }

  /** Causes looked through by {@link #inChain}: far more than any real chain has. */
  private static final int CHAIN_DEPTH = 64;
}
