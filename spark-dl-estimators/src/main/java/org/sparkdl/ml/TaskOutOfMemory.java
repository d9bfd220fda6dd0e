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
   * @param cause the memory error; an {@link Error} is not kept as the cause, because Spark ends
   *     the executor for any exception with a fatal error in its cause chain ({@code
   *     spark.executor.killOnFatalError.depth})
   */
  TaskOutOfMemory(String message, Throwable cause) {
    super(message, cause instanceof Error ? null : cause);
  }
}
