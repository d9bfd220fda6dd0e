package org.sparkdl.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sparkdl.onnx.proto.OnnxProto.AttributeProto;
import org.sparkdl.onnx.proto.OnnxProto.GraphProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorShapeProto;
import org.sparkdl.onnx.proto.OnnxProto.TypeProto;
import org.sparkdl.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * Appends nodes, initializers, inputs and outputs to an ONNX graph under construction, choosing
 * unique value names. Not thread-safe; one per export.
 */
final class GraphWriter {
  /** The symbolic name of the batch dimension in inputs and outputs. */
  static final String BATCH = "N";
  private final GraphProto.Builder graph;
  private final Set<String> names = new HashSet<>();

  GraphWriter(GraphProto.Builder graph) {
    this.graph = graph;
  }

  /** Reserves {@code name} (a spec node or a weight), which later fresh names avoid. */
  String reserve(String name) {
    names.add(name);
    return name;
  }

  /** A value name not used yet, {@code base} or {@code base_2}, {@code base_3}, ... */
  String fresh(String base) {
    String n = base;
    for (int i = 2; names.contains(n); i++) {
      n = base + "_" + i;
    }
    names.add(n);
    return n;
  }

  /** Adds a node {@code op} reading {@code inputs}, writing {@code output}, named after it; returns the output. */
  String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
    nodeMulti(op, inputs, List.of(output), attributes);
    return output;
  }

  /** Adds a node with several (or optional, empty-named) outputs, named after its first output. */
  void nodeMulti(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    named(outputs.get(0), op, inputs, outputs, attributes);
  }

  /** Adds a node named {@code name}. */
  void named(String name, String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs)
        .addAllOutput(outputs);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
  }

  /** Adds a float initializer named {@code name} (reserved here); returns the name. */
  String floats(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    graph.addInitializer(TensorProto.newBuilder().setName(reserve(name)).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(boxed(shape)).setRawData(ByteString.copyFrom(b.array())));
    return name;
  }

  /** Adds a float scalar initializer with a fresh name from {@code base}. */
  String scalar(String base, float value) {
    return floats(fresh(base), new long[0], new float[] {value});
  }

  /** Adds an int64 vector initializer with a fresh name from {@code base}. */
  String longs(String base, long... values) {
    String name = fresh(base);
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(values.length).addAllInt64Data(boxed(values)));
    return name;
  }

  /** Declares a graph input or output of element type {@code type} and shape {@code [N, dims...]}. */
  static ValueInfoProto value(String name, int type, List<Integer> dims, boolean batch) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    if (batch) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
    }
    for (int d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
  }

  static AttributeProto ints(String name, List<Integer> values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    values.forEach(v -> a.addInts(v));
    return a.build();
  }

  static AttributeProto integer(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto real(String name, double value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) value)
        .build();
  }

  static AttributeProto text(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  private static List<Long> boxed(long[] v) {
    return java.util.Arrays.stream(v).boxed().toList();
  }
}
