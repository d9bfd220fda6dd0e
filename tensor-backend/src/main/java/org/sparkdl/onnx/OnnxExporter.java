package org.sparkdl.onnx;

import static org.sparkdl.onnx.GraphWriter.integer;
import static org.sparkdl.onnx.GraphWriter.ints;
import static org.sparkdl.onnx.GraphWriter.real;
import static org.sparkdl.onnx.GraphWriter.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.onnx.proto.OnnxProto.GraphProto;
import org.sparkdl.onnx.proto.OnnxProto.ModelProto;
import org.sparkdl.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;
import org.sparkdl.spec.Activation;
import org.sparkdl.spec.Add;
import org.sparkdl.spec.AvgPool2d;
import org.sparkdl.spec.BatchNorm;
import org.sparkdl.spec.Concat;
import org.sparkdl.spec.Conv1d;
import org.sparkdl.spec.Conv2d;
import org.sparkdl.spec.Dense;
import org.sparkdl.spec.Dropout;
import org.sparkdl.spec.Embedding;
import org.sparkdl.spec.Flatten;
import org.sparkdl.spec.GlobalAvgPool;
import org.sparkdl.spec.Gru;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.LayerNorm;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.Lstm;
import org.sparkdl.spec.MaxPool2d;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.spec.Reshape;

/**
 * Writes a network and its weights as an ONNX model of standard operators at opset {@value
 * #OPSET}, which any ONNX runtime scores.
 *
 * <p>The graph's inputs are the spec's, each a float tensor {@code [N, width]} of the flattened
 * per-example shape (as a DataFrame's vector column holds it) reshaped inside the graph; the first may
 * be renamed (after the features column) and normalised per channel first. Its outputs are what
 * {@link Output} lists, computed from the network's single output (the logits of a classifier), or,
 * when the list is empty, the spec's outputs under their own names. Parameters and buffers are
 * initializers under their own names ({@code dense_1.weight}), except the recurrent layers', whose
 * gate blocks ONNX orders differently ({@code <layer>.W_l<k>}, {@code .R_l<k>}, {@code .B_l<k>}).
 *
 * <p>Every layer type maps to ONNX operators except multi-head attention, positional embeddings
 * and the sequence mean pool; a network holding one is refused, naming all such layers at once.
 */
public final class OnnxExporter {
  /** The opset of the written graph. */
  public static final int OPSET = 17;
  /** IR version 8, the one ONNX 1.13 (opset 17) wrote, which every runtime of opset 17 reads. */
  static final long IR_VERSION = 8;
  private final GraphWriter g;
  private final Map<String, float[]> values;
  private final Map<String, String> valueOf;

  /** What a model column of the exported graph holds. */
  public enum Kind {
    /** The network's output as it is. */
    RAW,
    /** The softmax of the network's output over its last axis. */
    SOFTMAX,
    /** The index of the network's largest output, as a double (Spark's prediction column). */
    ARGMAX,
    /** The network's one-wide output as one float per row. */
    SCALAR
  }

  /** One graph output: a name (a model's column) and what it holds. */
  public record Output(String name, Kind kind) {}

  /**
   * How the graph meets the data.
   *
   * @param featuresName the name of the graph input for the spec's first input, or null to keep the spec's
   * @param channelMean per-channel means subtracted from the first input (axis 0 of its per-example shape), or empty
   * @param channelStd per-channel deviations it is then divided by, or empty
   * @param outputs the graph outputs, or empty for the spec's outputs under their names
   */
  public record Options(String featuresName, float[] channelMean, float[] channelStd, List<Output> outputs) {
    /** The spec's inputs and outputs, by their names. */
    public static Options plain() {
      return new Options(null, new float[0], new float[0], List.of());
    }
  }

  private OnnxExporter(GraphWriter g, Map<String, float[]> values, Map<String, String> valueOf) {
    this.g = g;
    this.values = values;
    this.valueOf = valueOf;
  }

  /** The ONNX value holding spec node {@code node}: its own name, except for inputs reshaped or normalised. */
  private String v(String node) {
    return valueOf.getOrDefault(node, node);
  }

  /**
   * The ONNX model of {@code network}.
   *
   * @throws IllegalArgumentException naming every layer that has no ONNX form, or options that do
   *     not fit the network
   */
  public static ModelProto export(OnnxNetwork network, Options options, String producerVersion) {
    NetworkSpec spec = network.spec();
    List<String> unsupported = new ArrayList<>();
    for (LayerSpec ls : spec.layers()) {
      if (!exportable(ls)) {
        unsupported.add("'" + ls.name() + "' (" + ls.type() + ")");
      }
    }
    if (!unsupported.isEmpty()) {
      throw new IllegalArgumentException("The network cannot be written as ONNX: layers " + String.join(", ", unsupported)
          + " have no ONNX operator form here (supported: dense, activations, dropout, add, concat, reshape, flatten,"
          + " convolutions, pooling, normalisation, embedding, lstm, gru, the mean over a sequence's steps without"
          + " lengths).");
    }
    if (!options.outputs().isEmpty() && spec.outputs().size() != 1) {
      throw new IllegalArgumentException("Named outputs need a network of one output; this one has " + spec.outputs() + ".");
    }
    GraphProto.Builder graph = GraphProto.newBuilder().setName("spark-dl");
    GraphWriter g = new GraphWriter(graph);
    Map<String, List<Integer>> shapes = spec.inferShapes();
    spec.inputs().forEach(i -> g.reserve(i.name()));
    spec.layers().forEach(l -> g.reserve(l.name()));
    Map<String, String> valueOf = new java.util.HashMap<>();
    for (int i = 0; i < spec.inputs().size(); i++) {
      InputSpec in = spec.inputs().get(i);
      String name = in.name();
      if (i == 0 && options.featuresName() != null && !options.featuresName().equals(in.name())) {
        if (spec.layers().stream().anyMatch(l -> l.name().equals(options.featuresName()))
            || spec.inputs().stream().anyMatch(l -> l.name().equals(options.featuresName()))) {
          throw new IllegalArgumentException("The graph input cannot be named '" + options.featuresName()
              + "': a node of the network has that name.");
        }
        name = g.reserve(options.featuresName());
      }
      int width = in.shape().stream().reduce(1, (a, b) -> a * b);
      graph.addInput(GraphWriter.value(name, TensorProto.DataType.FLOAT_VALUE, List.of(width), true));
      String x = name;
      if (in.shape().size() > 1) {
        long[] dims = new long[in.shape().size() + 1];
        for (int d = 0; d < in.shape().size(); d++) {
          dims[d + 1] = in.shape().get(d);
        }
        x = g.node("Reshape", List.of(x, g.longs(in.name() + "/shape", dims)), g.fresh(in.name() + "/shaped"));
      }
      if (i == 0 && options.channelMean().length > 0) {
        x = g.node("Sub", List.of(x, perChannel(g, "channel_mean", in, options.channelMean())), g.fresh("centred"));
      }
      if (i == 0 && options.channelStd().length > 0) {
        x = g.node("Div", List.of(x, perChannel(g, "channel_std", in, options.channelStd())), g.fresh("scaled"));
      }
      valueOf.put(in.name(), x);
    }
    OnnxExporter e = new OnnxExporter(g, network.named(), valueOf);
    for (LayerSpec ls : spec.layers()) {
      e.layer(ls, shapes);
    }
    if (options.outputs().isEmpty()) {
      for (String out : spec.outputs()) {
        graph.addOutput(GraphWriter.value(out, TensorProto.DataType.FLOAT_VALUE, shapes.get(out), true));
      }
    } else {
      e.heads(spec.outputs().get(0), shapes.get(spec.outputs().get(0)), options.outputs(), graph);
    }
    return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("spark-dl").setProducerVersion(producerVersion)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(graph).build();
  }

  /** Whether {@code ls} has an ONNX form. */
  static boolean exportable(LayerSpec ls) {
    // a mean over every step is ReduceMean; over each example's valid steps (a lengths input) it has no operator form
    return !(ls instanceof org.sparkdl.spec.MultiHeadAttention || ls instanceof org.sparkdl.spec.PositionalEmbedding
        || ls instanceof org.sparkdl.spec.SequenceMeanPool p && p.inputs().size() > 1);
  }

  /** Per-channel constants ({@code [C, 1, ...]}, or a scalar for one) broadcast over an input's per-example shape. */
  private static String perChannel(GraphWriter g, String base, InputSpec in, float[] constants) {
    long[] dims;
    if (constants.length == 1) {
      dims = new long[0];
    } else if (constants.length == in.shape().get(0)) {
      dims = new long[in.shape().size()];
      java.util.Arrays.fill(dims, 1);
      dims[0] = constants.length;
    } else {
      throw new IllegalArgumentException("Per-channel normalisation has " + constants.length + " channels; input '"
          + in.name() + "' " + in.shape() + " has " + in.shape().get(0) + ".");
    }
    return g.floats(g.fresh(base), dims, constants);
  }

  private void heads(String out, List<Integer> shape, List<Output> outputs, GraphProto.Builder graph) {
    for (Output o : outputs) {
      String name = g.reserve(o.name());
      switch (o.kind()) {
        case RAW -> g.node("Identity", List.of(out), name);
        case SOFTMAX -> g.node("Softmax", List.of(out), name, integer("axis", -1));
        case ARGMAX -> g.node("Cast", List.of(g.node("ArgMax", List.of(out), g.fresh(name + "_index"),
            integer("axis", -1), integer("keepdims", 0))), name, integer("to", TensorProto.DataType.DOUBLE_VALUE));
        case SCALAR -> g.node("Reshape", List.of(out, g.longs(name + "_shape", -1)), name);
        default -> throw new IllegalStateException(o.kind().toString());
      }
      boolean scalar = o.kind() == Kind.ARGMAX || o.kind() == Kind.SCALAR;
      int type = o.kind() == Kind.ARGMAX ? TensorProto.DataType.DOUBLE_VALUE : TensorProto.DataType.FLOAT_VALUE;
      graph.addOutput(GraphWriter.value(name, type, scalar ? List.of() : shape, true));
    }
  }

  private String weight(String name, int... shape) {
    long[] dims = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i];
    }
    return g.floats(name, dims, values.get(name));
  }

  private String param(String name, List<Integer> shape) {
    return weight(name, shape.stream().mapToInt(Integer::intValue).toArray());
  }

  private void layer(LayerSpec ls, Map<String, List<Integer>> shapes) {
    String name = ls.name();
    List<String> inputs = ls.inputs().stream().map(this::v).toList();
    String x = inputs.get(0);
    List<Integer> in = shapes.get(ls.inputs().get(0));
    if (ls instanceof Dense d) {
      int width = in.get(in.size() - 1);
      String w = weight(name + ".weight", d.units(), width);
      if (in.size() == 1) {
        List<String> args = d.bias() ? List.of(x, w, weight(name + ".bias", d.units())) : List.of(x, w);
        g.node("Gemm", args, name, integer("transB", 1));
      } else {
        String wt = g.node("Transpose", List.of(w), g.fresh(name + "/weight_t"), ints("perm", List.of(1, 0)));
        String y = g.node("MatMul", List.of(x, wt), d.bias() ? g.fresh(name + "/matmul") : name);
        if (d.bias()) {
          g.node("Add", List.of(y, weight(name + ".bias", d.units())), name);
        }
      }
    } else if (ls instanceof Activation a) {
      activation(a, x);
    } else if (ls instanceof Dropout) {
      g.node("Identity", List.of(x), name);
    } else if (ls instanceof Add) {
      g.node(inputs.size() == 2 ? "Add" : "Sum", inputs, name);
    } else if (ls instanceof Concat c) {
      g.node("Concat", inputs, name, integer("axis", c.axis() < 0 ? c.axis() : c.axis() + 1));
    } else if (ls instanceof Reshape r) {
      long[] dims = new long[r.shape().size() + 1];
      for (int i = 0; i < r.shape().size(); i++) {
        dims[i + 1] = r.shape().get(i);
      }
      g.node("Reshape", List.of(x, g.longs(name + "_shape", dims)), name);
    } else if (ls instanceof Flatten) {
      g.node("Flatten", List.of(x), name, integer("axis", 1));
    } else if (ls instanceof Conv2d c) {
      conv(name, x, c.kernel(), c.stride(), c.dilation(), c.padding(), c.groups(), c.bias(), in.get(0) / c.groups(),
          c.filters());
    } else if (ls instanceof Conv1d c) {
      conv(name, x, List.of(c.kernel()), List.of(c.stride()), List.of(c.dilation()), c.padding(), c.groups(), c.bias(),
          in.get(0) / c.groups(), c.filters());
    } else if (ls instanceof MaxPool2d p) {
      g.node("MaxPool", List.of(x), name, window(p.kernel(), p.stride(), p.padding()));
    } else if (ls instanceof AvgPool2d p) {
      List<org.sparkdl.onnx.proto.OnnxProto.AttributeProto> attrs = new ArrayList<>(List.of(window(p.kernel(), p.stride(),
          p.padding())));
      attrs.add(integer("count_include_pad", p.countIncludePad() ? 1 : 0));
      g.node("AveragePool", List.of(x), name, attrs.toArray(new org.sparkdl.onnx.proto.OnnxProto.AttributeProto[0]));
    } else if (ls instanceof GlobalAvgPool) {
      g.node("GlobalAveragePool", List.of(x), name);
    } else if (ls instanceof org.sparkdl.spec.SequenceMeanPool) {
      g.node("ReduceMean", List.of(x), name, ints("axes", List.of(1)), integer("keepdims", 0));
    } else if (ls instanceof BatchNorm b) {
      int c = in.get(0);
      g.node("BatchNormalization", List.of(x, weight(name + ".weight", c), weight(name + ".bias", c),
          weight(name + ".running_mean", c), weight(name + ".running_var", c)), name, real("epsilon", b.epsilon()),
          real("momentum", 1 - b.momentum()));
    } else if (ls instanceof LayerNorm n) {
      List<Integer> normalized = in.subList(in.size() - n.axes(), in.size());
      g.node("LayerNormalization", List.of(x, param(name + ".weight", normalized), param(name + ".bias", normalized)),
          name, integer("axis", -n.axes()), real("epsilon", n.epsilon()));
    } else if (ls instanceof Embedding e) {
      String ids = g.node("Cast", List.of(x), g.fresh(name + "/ids"), integer("to", TensorProto.DataType.INT64_VALUE));
      g.node("Gather", List.of(weight(name + ".weight", e.vocabularySize(), e.dimension()), ids), name, integer("axis", 0));
    } else if (ls instanceof Lstm l) {
      new RecurrentExport(g, values).write(name, inputs, in.get(1), l.hiddenSize(), l.numLayers(), l.bidirectional(),
          l.returnSequences(), true);
    } else if (ls instanceof Gru r) {
      new RecurrentExport(g, values).write(name, inputs, in.get(1), r.hiddenSize(), r.numLayers(), r.bidirectional(),
          r.returnSequences(), false);
    } else {
      throw new IllegalStateException("No ONNX form for " + ls.type());
    }
  }

  private void activation(Activation a, String x) {
    String name = a.name();
    switch (a.function()) {
      case "relu" -> g.node("Relu", List.of(x), name);
      case "leaky_relu" -> g.node("LeakyRelu", List.of(x), name, real("alpha", a.alpha()));
      case "elu" -> g.node("Elu", List.of(x), name, real("alpha", a.alpha()));
      case "sigmoid" -> g.node("Sigmoid", List.of(x), name);
      case "tanh" -> g.node("Tanh", List.of(x), name);
      case "softmax" -> g.node("Softmax", List.of(x), name, integer("axis", -1));
      case "log_softmax" -> g.node("LogSoftmax", List.of(x), name, integer("axis", -1));
      case "identity" -> g.node("Identity", List.of(x), name);
      case "gelu" -> {
        // the tanh form this library computes: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        String cube = g.node("Mul", List.of(g.node("Mul", List.of(x, x), g.fresh(name + "/x2")), x), g.fresh(name + "/x3"));
        String inner = g.node("Add", List.of(x, g.node("Mul", List.of(cube, g.scalar(name + "/c", 0.044715f)),
            g.fresh(name + "/cx3"))), g.fresh(name + "/inner"));
        String t = g.node("Tanh", List.of(g.node("Mul", List.of(inner, g.scalar(name + "/k", (float) Math.sqrt(2 / Math.PI))),
            g.fresh(name + "/scaled"))), g.fresh(name + "/tanh"));
        String onePlus = g.node("Add", List.of(t, g.scalar(name + "/one", 1f)), g.fresh(name + "/one_plus"));
        String half = g.node("Mul", List.of(x, g.scalar(name + "/half", 0.5f)), g.fresh(name + "/half_x"));
        g.node("Mul", List.of(half, onePlus), name);
      }
      case "gelu_erf" -> {
        // PyTorch's own export of nn.GELU(), which the importer fuses back: x (1 + erf(x / sqrt 2)) 0.5
        String scaled = g.node("Div", List.of(x, g.scalar(name + "/sqrt2", (float) Math.sqrt(2))), g.fresh(name + "/div"));
        String erf = g.node("Erf", List.of(scaled), g.fresh(name + "/erf"));
        String onePlus = g.node("Add", List.of(erf, g.scalar(name + "/one", 1f)), g.fresh(name + "/one_plus"));
        String product = g.node("Mul", List.of(x, onePlus), g.fresh(name + "/x_one_plus"));
        g.node("Mul", List.of(product, g.scalar(name + "/half", 0.5f)), name);
      }
      case "relu6" -> g.node("Clip", List.of(x, g.scalar(name + "/min", 0f), g.scalar(name + "/max", 6f)), name);
      case "hard_sigmoid" -> g.node("HardSigmoid", List.of(x), name, real("alpha", 1.0 / 6), real("beta", 0.5));
      case "hard_swish" -> g.node("HardSwish", List.of(x), name);
      case "softplus" -> g.node("Softplus", List.of(x), name);
      case "selu" -> g.node("Selu", List.of(x), name, real("alpha", UnaryOp.SELU_ALPHA), real("gamma", UnaryOp.SELU_SCALE));
      case "mish" -> {
        // as torch.onnx writes nn.Mish() before opset 18's Mish, which the importer fuses back
        String sp = g.node("Softplus", List.of(x), g.fresh(name + "/softplus"));
        g.node("Mul", List.of(x, g.node("Tanh", List.of(sp), g.fresh(name + "/tanh"))), name);
      }
      case "silu" -> {
        // PyTorch's own export of nn.SiLU() (Swish is an operator only from opset 24), which the importer fuses back
        String s = g.node("Sigmoid", List.of(x), g.fresh(name + "/sigmoid"));
        g.node("Mul", List.of(x, s), name);
      }
      default -> throw new IllegalStateException("No ONNX form for activation " + a.function());
    }
  }

  private void conv(String name, String x, List<Integer> kernel, List<Integer> stride, List<Integer> dilation,
      Padding padding, int groups, boolean bias, int inPerGroup, int filters) {
    int[] wShape = new int[2 + kernel.size()];
    wShape[0] = filters;
    wShape[1] = inPerGroup;
    for (int i = 0; i < kernel.size(); i++) {
      wShape[2 + i] = kernel.get(i);
    }
    String w = weight(name + ".weight", wShape);
    List<String> args = bias ? List.of(x, w, weight(name + ".bias", filters)) : List.of(x, w);
    List<org.sparkdl.onnx.proto.OnnxProto.AttributeProto> attrs = new ArrayList<>();
    attrs.add(ints("kernel_shape", kernel));
    attrs.add(ints("strides", stride));
    attrs.add(ints("dilations", dilation));
    attrs.add(integer("group", groups));
    attrs.add(pads(padding, kernel.size()));
    g.node("Conv", args, name, attrs.toArray(new org.sparkdl.onnx.proto.OnnxProto.AttributeProto[0]));
  }

  private static org.sparkdl.onnx.proto.OnnxProto.AttributeProto[] window(List<Integer> kernel, List<Integer> stride,
      Padding padding) {
    return new org.sparkdl.onnx.proto.OnnxProto.AttributeProto[] {ints("kernel_shape", kernel), ints("strides", stride),
        pads(padding, kernel.size())};
  }

  private static org.sparkdl.onnx.proto.OnnxProto.AttributeProto pads(Padding padding, int rank) {
    if (padding.same()) {
      return text("auto_pad", "SAME_UPPER");
    }
    // ONNX's order: the starts of every axis, then the ends
    List<Integer> both = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < rank; i++) {
        both.add(padding.sizes().isEmpty() ? 0 : k == 0 ? padding.start(i) : padding.end(i));
      }
    }
    return ints("pads", both);
  }
}
