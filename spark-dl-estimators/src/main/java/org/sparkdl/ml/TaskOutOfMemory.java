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
    if (cause == null) {
      return null;
    }
    boolean fatal = false;
    for (Throwable t = cause; t != null && !fatal; t = t.getCause() == t ? null : t.getCause()) {
      fatal = t instanceof Error;
    }
    if (!fatal) {
      return cause;
    }
    IllegalStateException s = new IllegalStateException(cause.getClass().getName() + ": " + cause.getMessage());
    s.setStackTrace(cause.getStackTrace());
    return s;
  }
}
