package org.sparkdl.onnx;

import org.sparkdl.onnx.proto.OnnxProto.AttributeProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;

/** Typed reads of a node's attributes, with ONNX's defaults given by the caller. */
final class Attrs {
  private Attrs() {}

  static AttributeProto find(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long integer(NodeProto n, String name, long absent) {
    AttributeProto a = find(n, name);
    return a == null ? absent : a.getI();
  }

  static float real(NodeProto n, String name, float absent) {
    AttributeProto a = find(n, name);
    return a == null ? absent : a.getF();
  }

  static String text(NodeProto n, String name, String absent) {
    AttributeProto a = find(n, name);
    return a == null ? absent : a.getS().toStringUtf8();
  }

  /** An ints attribute, empty when absent. */
  static long[] ints(NodeProto n, String name) {
    AttributeProto a = find(n, name);
    if (a == null) {
      return new long[0];
    }
    long[] v = new long[a.getIntsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getInts(i);
    }
    return v;
  }
}
