package org.sparkdl.collective;

/**
 * A collective call failed: a peer closed its connection or sent nothing for the timeout, sent
 * something other than what this rank expected, or the call was cancelled. The message names this
 * rank, the peer and the operation.
 */
public final class CollectiveException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
