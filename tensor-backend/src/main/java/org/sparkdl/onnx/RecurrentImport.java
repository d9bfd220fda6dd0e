package org.sparkdl.onnx;

import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;

/** {@code LSTM} and {@code GRU} nodes, and the transposes around them, as recurrent layers. */
final class RecurrentImport {
  private final NodeMapper m;

  RecurrentImport(NodeMapper m) {
    this.m = m;
  }

  /** Maps a transpose that is part of a recurrent layer's time-major layout; returns whether it was one. */
  boolean transpose(NodeProto n, Value x, long[] perm) {
    return false;
  }

  void map(NodeProto n, boolean lstm) {
    throw new Unsupported("recurrent layers are not read yet");
  }
}
