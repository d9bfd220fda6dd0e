package org.sparkdl.spec;

/**
 * Thrown when a network spec is invalid: malformed JSON, an unknown layer type or field, a bad
 * field value, a reference to a missing node, or shapes that do not fit together. The message
 * names the offending layer or input and, for shape errors, the shapes involved.
 */
public class SpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An error with the given message. */
  public SpecException(String message) {
    super(message);
  }

  /** An error with the given message, caused by {@code cause} (e.g. a JSON parse error). */
  public SpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
