package org.sparkdl.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.onnx.proto.OnnxProto.GraphProto;
import org.sparkdl.onnx.proto.OnnxProto.ModelProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorShapeProto;
import org.sparkdl.onnx.proto.OnnxProto.ValueInfoProto;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.SpecException;

/**
 * Reads an ONNX model into a network of this library's own layers and its weights, which then
 * score, train and save like any other network.
 *
 * <p>What is read: the default-domain operators of opsets {@value #MIN_OPSET} to {@value
 * #MAX_OPSET} that PyTorch, Keras (tf2onnx) and this library's {@link OnnxExporter} emit for the
 * layers this library has; see {@link NodeMapper} for the list and how each maps. Subgraphs of
 * constants (weights transposed or scaled by the exporter) are evaluated first. The graph's batch
 * axis is its inputs' first; every other dimension must be fixed.
 *
 * <p>Errors: a file that is not a well-formed ONNX model (truncated, tensors larger than their data,
 * external data outside the model's folder, undefined values, cycles) fails with a {@link
 * ModelFileException} naming what is wrong, and a well-formed model this library cannot express
 * fails with one message listing every unsupported node (operator, node name, reason). Both happen
 * before any network is built; tensors are decoded only after the file's structure checked out,
 * and each only after its declared size was checked against the bytes present.
 */
public final class OnnxImporter {
  /** Oldest default-domain opset read. */
  public static final int MIN_OPSET = 13;
  /** Newest default-domain opset read: the newest ONNX Runtime 1.32 runs. */
  public static final int MAX_OPSET = 25;
  /** Largest number of nodes read. */
  static final int MAX_NODES = 1 << 20;
  /** Protobuf nesting limit: a graph is a few levels deep; hostile files nest deeper to exhaust the stack. */
  private static final int RECURSION_LIMIT = 64;

  /**
   * What to read.
   *
   * @param outputs the graph outputs that become the network's outputs, or empty for all
   * @param logits whether an output computed by a final softmax (or log-softmax) is read from that
   *     layer's input instead (a classifier's network outputs logits and applies softmax itself)
   * @param prefer when {@code outputs} is empty and the graph has an output of this name, only that
   *     one is read (as {@code rawPrediction} of a model this library exported); null for none
   */
  public record Options(List<String> outputs, boolean logits, String prefer) {
    /** Every output, as the graph computes it. */
    public static Options all() {
      return new Options(List.of(), false, null);
    }

    List<String> wanted(GraphProto graph) {
      List<String> all = graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
      if (!outputs.isEmpty()) {
        return outputs;
      }
      return prefer != null && all.contains(prefer) ? List.of(prefer) : all;
    }
  }

  /**
   * An imported network.
   *
   * @param network its spec and weights
   * @param inputs spec input name by graph input name
   * @param outputs spec output node by graph output name
   */
  public record Imported(OnnxNetwork network, Map<String, String> inputs, Map<String, String> outputs) {}

  private OnnxImporter() {}

  /**
   * Imports the model in {@code bytes}, named {@code fileName} in messages, reading any external
   * tensors through {@code external}.
   *
   * @throws ModelFileException for a malformed model, or one holding nodes this library cannot express
   */
  public static Imported read(byte[] bytes, String fileName, OnnxTensors.ExternalData external, Options options)
      throws IOException {
    ModelProto model = parse(bytes, fileName);
    checkOpsets(model, fileName);
    if (!model.hasGraph()) {
      throw new ModelFileException(fileName, "holds no graph.");
    }
    GraphProto graph = model.getGraph();
    if (graph.getNodeCount() > MAX_NODES) {
      throw new ModelFileException(fileName, "has " + graph.getNodeCount() + " nodes; at most " + MAX_NODES + " are read.");
    }
    List<String> wanted = options.wanted(graph);
    List<NodeProto> order = order(graph, fileName, wanted);
    Map<String, Const> consts = new HashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      if (consts.put(t.getName(), OnnxTensors.decode(fileName, t, external)) != null) {
        throw new ModelFileException(fileName, "defines initializer '" + OnnxTensors.clip(t.getName()) + "' twice.");
      }
    }
    order = ElementwiseFusion.fuse(order, Map.copyOf(consts), consumers(order, wanted));
    Map<String, List<NodeProto>> readers = new HashMap<>();
    for (NodeProto n : order) {
      n.getInputList().forEach(in -> readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n));
    }
    NodeMapper mapper = new NodeMapper(fileName, consts, consumers(order, wanted), readers);
    Map<String, String> inputNames = new LinkedHashMap<>();
    for (ValueInfoProto in : graph.getInputList()) {
      if (!consts.containsKey(in.getName())) {
        inputNames.put(in.getName(), mapper.input(in.getName(), perExampleShape(fileName, in)));
      }
    }
    for (NodeProto n : order) {
      mapper.map(n);
    }
    mapper.failIfUnsupported();
    Map<String, String> outputs = new LinkedHashMap<>();
    for (String out : wanted) {
      outputs.put(out, mapper.output(out, options.logits()));
    }
    try {
      List<InputSpec> inputs = mapper.inputs();
      NetworkSpec spec = new NetworkSpec(inputs, mapper.layers(), List.copyOf(new java.util.LinkedHashSet<>(outputs.values())));
      Map<String, float[]> weights = mapper.weights();
      for (org.sparkdl.nn.Network.Slot slot : org.sparkdl.nn.Network.layout(spec)) {
        float[] v = weights.get(slot.name());
        if (v == null || v.length != slot.size()) {
          throw new ModelFileException(fileName, "the tensor of '" + slot.name() + "' holds " + (v == null ? "no"
              : v.length) + " values; the layer needs " + slot.size() + " (shape " + java.util.Arrays.toString(slot.shape())
              + ").");
        }
      }
      return new Imported(OnnxNetwork.of(spec, weights), inputNames, outputs);
    } catch (SpecException e) {
      throw new ModelFileException(fileName, "does not make a valid network: " + e.getMessage(), e);
    }
  }

  private static ModelProto parse(byte[] bytes, String fileName) throws ModelFileException {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setRecursionLimit(RECURSION_LIMIT);
      return ModelProto.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
    } catch (IOException e) {
      throw new ModelFileException(fileName, "is not a readable ONNX model (truncated or damaged?): " + e.getMessage(), e);
    }
  }

  private static void checkOpsets(ModelProto model, String fileName) throws ModelFileException {
    Integer version = null;
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        version = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
      }
    }
    if (version == null) {
      throw new ModelFileException(fileName, "imports no default-domain opset; opsets " + MIN_OPSET + " to " + MAX_OPSET
          + " are read.");
    }
    if (version < MIN_OPSET || version > MAX_OPSET) {
      throw new ModelFileException(fileName, "uses opset " + version + "; opsets " + MIN_OPSET + " to " + MAX_OPSET
          + " are read (convert it with onnx.version_converter).");
    }
  }

  /** The per-example shape of a graph input: its dims after the first (the batch), each fixed and > 0. */
  private static List<Integer> perExampleShape(String fileName, ValueInfoProto in) throws ModelFileException {
    String name = OnnxTensors.clip(in.getName());
    if (!in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
      throw new ModelFileException(fileName, "input '" + name + "' is not a tensor of known rank.");
    }
    int type = in.getType().getTensorType().getElemType();
    if (type != TensorProto.DataType.FLOAT_VALUE && type != TensorProto.DataType.DOUBLE_VALUE
        && type != TensorProto.DataType.INT64_VALUE && type != TensorProto.DataType.INT32_VALUE) {
      throw new ModelFileException(fileName, "input '" + name + "' has element type "
          + TensorProto.DataType.forNumber(type) + "; float, double and integer inputs are read.");
    }
    List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
    if (dims.size() < 2) {
      throw new ModelFileException(fileName, "input '" + name + "' has rank " + dims.size() + "; inputs are [batch, ...]"
          + " with at least one dimension per example.");
    }
    List<Integer> shape = new ArrayList<>();
    for (int i = 1; i < dims.size(); i++) {
      TensorShapeProto.Dimension d = dims.get(i);
      if (!d.hasDimValue() || d.getDimValue() <= 0 || d.getDimValue() > Integer.MAX_VALUE) {
        throw new ModelFileException(fileName, "input '" + name + "' has dimension " + i + " "
            + (d.hasDimParam() ? "'" + OnnxTensors.clip(d.getDimParam()) + "'" : d.hasDimValue() ? d.getDimValue() : "unknown")
            + "; every dimension but the first (the batch) must be fixed and > 0.");
      }
      shape.add((int) d.getDimValue());
    }
    return shape;
  }

  /**
   * The nodes that compute {@code outputs} (all graph outputs when empty), in an order where each
   * comes after the nodes it reads; refuses values defined twice, read but never defined, and cycles.
   */
  private static List<NodeProto> order(GraphProto graph, String fileName, List<String> wanted) throws ModelFileException {
    Set<String> defined = new HashSet<>();
    graph.getInitializerList().forEach(t -> defined.add(t.getName()));
    graph.getInputList().forEach(v -> defined.add(v.getName()));
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      for (String out : graph.getNode(i).getOutputList()) {
        if (out.isEmpty()) {
          continue;
        }
        if (defined.contains(out) || producer.put(out, i) != null) {
          throw new ModelFileException(fileName, "defines value '" + OnnxTensors.clip(out) + "' twice (node '"
              + OnnxTensors.clip(graph.getNode(i).getName()) + "').");
        }
      }
    }
    if (wanted.isEmpty()) {
      throw new ModelFileException(fileName, "declares no outputs.");
    }
    Set<String> graphOutputs = new HashSet<>(graph.getOutputList().stream().map(ValueInfoProto::getName).toList());
    // iterative depth-first search: 0 unseen, 1 on the stack, 2 done
    int[] state = new int[graph.getNodeCount()];
    List<NodeProto> order = new ArrayList<>();
    Deque<int[]> stack = new ArrayDeque<>();
    for (String out : wanted) {
      if (!graphOutputs.contains(out)) {
        throw new ModelFileException(fileName, "has no output '" + OnnxTensors.clip(out) + "'; its outputs are "
            + graph.getOutputList().stream().map(v -> OnnxTensors.clip(v.getName())).toList() + ".");
      }
      Integer start = producer.get(out);
      if (start == null) {
        if (!defined.contains(out)) {
          throw new ModelFileException(fileName, "output '" + OnnxTensors.clip(out) + "' is computed by no node.");
        }
        continue;
      }
      if (state[start] == 2) {
        continue;
      }
      stack.push(new int[] {start, 0});
      state[start] = 1;
      while (!stack.isEmpty()) {
        int[] top = stack.peek();
        NodeProto n = graph.getNode(top[0]);
        if (top[1] < n.getInputCount()) {
          String in = n.getInput(top[1]++);
          if (in.isEmpty()) {
            continue;
          }
          Integer p = producer.get(in);
          if (p == null) {
            if (!defined.contains(in)) {
              throw new ModelFileException(fileName, "node '" + OnnxTensors.clip(n.getName()) + "' (" + n.getOpType()
                  + ") reads '" + OnnxTensors.clip(in) + "', which no node, input or initializer defines.");
            }
          } else if (state[p] == 1) {
            throw new ModelFileException(fileName, "has a cycle: node '" + OnnxTensors.clip(n.getName()) + "' reads '"
                + OnnxTensors.clip(in) + "', which depends on its own output.");
          } else if (state[p] == 0) {
            state[p] = 1;
            stack.push(new int[] {p, 0});
          }
        } else {
          state[top[0]] = 2;
          order.add(n);
          stack.pop();
        }
      }
    }
    return order;
  }

  /** How many times each value is read by the nodes of {@code order} and the wanted outputs. */
  private static Map<String, Integer> consumers(List<NodeProto> order, List<String> wanted) {
    Map<String, Integer> count = new HashMap<>();
    for (NodeProto n : order) {
      for (String in : n.getInputList()) {
        count.merge(in, 1, Integer::sum);
      }
    }
    wanted.forEach(o -> count.merge(o, 1, Integer::sum));
    return count;
  }
}
