package org.sparkdl.backend;

/**
 * A backend could not allocate memory for a tensor: the process (or its container) has no more
 * native memory to give. Distinct from other backend failures so that a fit can say which setting
 * to change.
 */
public class OutOfNativeMemoryException extends BackendException {
  private static final long serialVersionUID = 1L;

  public OutOfNativeMemoryException(String message) {
    super(message);
  }
}
