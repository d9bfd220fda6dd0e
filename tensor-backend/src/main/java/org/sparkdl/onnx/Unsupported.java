package org.sparkdl.onnx;

/** Why one node cannot be imported; collected per node into one message by {@link OnnxImporter}. */
final class Unsupported extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Unsupported(String reason) {
    super(reason, null, false, false);
  }
}
