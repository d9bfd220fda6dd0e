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

  /**
   * A float attribute as the double a user wrote: ONNX keeps float32, whose nearest double
   * ({@code 9.999999747378752E-6}) is not the {@code 1e-5} of the spec it came from.
   */
  static double decimal(NodeProto n, String name, double absent) {
    AttributeProto a = find(n, name);
    return a == null ? absent : decimal(a.getF());
  }

  /** The shortest decimal that reads back as {@code f}. */
  static double decimal(float f) {
    return Double.parseDouble(Float.toString(f));
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
