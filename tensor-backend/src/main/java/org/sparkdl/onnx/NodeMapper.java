package org.sparkdl.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.spec.Activation;
import org.sparkdl.spec.Add;
import org.sparkdl.spec.BatchNorm;
import org.sparkdl.spec.Concat;
import org.sparkdl.spec.Conv1d;
import org.sparkdl.spec.Conv2d;
import org.sparkdl.spec.Dense;
import org.sparkdl.spec.Embedding;
import org.sparkdl.spec.Flatten;
import org.sparkdl.spec.GlobalAvgPool;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.LayerNorm;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.Reshape;
import org.sparkdl.spec.SpecException;

/**
 * Maps the nodes of an ONNX graph, in dependency order, to layers of this library.
 *
 * <p>Nodes whose inputs are all constants are evaluated ({@link ConstFolder}). Of the others:
 * {@code Gemm}, and {@code MatMul} by a constant (with a following constant {@code Add} as its
 * bias), become dense layers; {@code Conv} a 1-D or 2-D convolution (a following constant {@code Add}
 * folds into its bias, and a zero {@code Pad} into the padding of the convolutions or poolings that
 * read it: {@link WindowImport#pad}); {@code MaxPool}, {@code AveragePool}, {@code
 * GlobalAveragePool}, {@code ReduceMean} over a sequence's steps or the spatial axes, {@code
 * BatchNormalization} (inference), {@code LayerNormalization} (also spelled out before opset 17:
 * {@link ElementwiseFusion}), {@code Flatten}, {@code Concat}, {@code Gather} of a constant table
 * (an embedding), {@code Sum} and {@code Add} of two computed values, and the activation operators
 * as {@link ActivationImport} reads them their layers; {@code Reshape}, {@code Squeeze}, {@code Unsqueeze} and {@code Transpose} that keep the batch axis and the order of the
 * elements a reshape; {@code Identity}, {@code Dropout} and {@code Cast}
 * pass their input on; {@code Add}, {@code Sub}, {@code Mul} and {@code Div} by a constant that is
 * one value or one per channel a per-channel scale and shift (a depthwise 1x1 convolution, or a
 * diagonal dense layer on the last axis); {@code LSTM} and {@code GRU}, one layer per node, with
 * the transposes around them ({@link RecurrentImport}); {@code Shape} and the arithmetic that
 * makes its batch size a {@code Reshape}'s first size ({@link ShapeImport}). A node that cannot be mapped is recorded
 * with its reason, and mapping goes on so that one message lists them all.
 */
final class NodeMapper {
  private final String file;
  private final Map<String, Const> consts;
  private final Map<String, Integer> consumers;
  private final Map<String, Value> values = new HashMap<>();
  private final Map<String, FoldedPad> folded = new HashMap<>();
  /** Values that are zeros of a shape known only at run time (read only as recurrent initial states). */
  private final Set<String> runtimeZeros = new HashSet<>();
  private final List<InputSpec> inputs = new ArrayList<>();
  private final List<Draft> drafts = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final Set<String> poisoned = new HashSet<>();
  private final List<String> unsupported = new ArrayList<>();
  private final RecurrentImport recurrent;
  private final ShapeImport shapes;
  private final Map<String, List<NodeProto>> readers;

  NodeMapper(String file, Map<String, Const> consts, Map<String, Integer> consumers, Map<String, List<NodeProto>> readers) {
    this.readers = readers;
    this.file = file;
    this.consts = consts;
    this.consumers = consumers;
    this.recurrent = new RecurrentImport(this);
    this.shapes = new ShapeImport(this);
  }

  /** Declares a graph input; returns its spec name. */
  String input(String graphName, List<Integer> shape) {
    String name = unique(graphName);
    inputs.add(new InputSpec(name, shape, false));
    values.put(graphName, new Value(name, shape, null));
    return name;
  }

  List<InputSpec> inputs() {
    return inputs;
  }

  void map(NodeProto n) {
    String op = n.getOpType();
    boolean standard = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    try {
      if (!standard) {
        throw new Unsupported("operators of domain '" + OnnxTensors.clip(n.getDomain()) + "' are not read");
      }
      if (n.getInputList().stream().anyMatch(poisoned::contains)) {
        if (!ConstFolder.OPS.contains(op) && !NodeMapper.OPS.contains(op)) {
          throw new Unsupported("no layer computes " + op);
        }
        poison(n);
        return;
      }
      checkRuntimeZeros(n, op);
      if (shapes.handles(n)) {
        return;
      }
      List<String> real = n.getInputList().stream().filter(s -> !s.isEmpty()).toList();
      if (!real.isEmpty() && real.stream().allMatch(consts::containsKey)) {
        List<Const> in = real.stream().map(consts::get).toList();
        consts.put(n.getOutput(0), ConstFolder.eval(n, in));
        return;
      }
      if (op.equals("Constant")) {
        consts.put(n.getOutput(0), constant(n));
        return;
      }
      mapComputed(n, op);
    } catch (Unsupported e) {
      unsupported.add(op + " node '" + OnnxTensors.clip(n.getName()) + "' (output '" + OnnxTensors.clip(first(n)) + "'): "
          + e.getMessage());
      poison(n);
    } catch (SpecException e) {
      unsupported.add(op + " node '" + OnnxTensors.clip(n.getName()) + "' (output '" + OnnxTensors.clip(first(n)) + "'): "
          + e.getMessage());
      poison(n);
    } catch (IndexOutOfBoundsException | ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
      // a damaged node: too few inputs, or attributes and constants that contradict each other
      unsupported.add(op + " node '" + OnnxTensors.clip(n.getName()) + "' (output '" + OnnxTensors.clip(first(n))
          + "'): its inputs, outputs or attributes do not fit " + op + " (" + e.getClass().getSimpleName() + ": "
          + OnnxTensors.clip(String.valueOf(e.getMessage())) + ")");
      poison(n);
    }
  }

  /** The operators mapped on computed values, the activations among them ({@link ActivationImport#OPS}). */
  static final Set<String> OPS = Stream.concat(ActivationImport.OPS.stream(), Stream.of("Gemm", "MatMul", "Conv", "MaxPool",
      "AveragePool", "GlobalAveragePool", "ReduceMean", "BatchNormalization", "LayerNormalization", "Flatten", "Concat",
      "Gather", "Sum", "Add", "Sub", "Mul", "Div", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity", "Dropout",
      "Cast", "LSTM", "GRU", "Constant", "Shape", "Pad")).collect(Collectors.toUnmodifiableSet());

  private static String first(NodeProto n) {
    return n.getOutputCount() == 0 ? "" : n.getOutput(0);
  }

  /**
   * Stands in for the outputs of a node that could not be mapped, so that the nodes after it are
   * still checked (and reported too): a value of its first input's shape, exact for elementwise
   * operators. Nothing is built from it, since the import fails at the end.
   */
  private void poison(NodeProto n) {
    Value in = n.getInputCount() == 0 ? null : values.get(n.getInput(0));
    for (String out : n.getOutputList()) {
      if (in != null) {
        values.put(out, new Value(in.node(), in.shape(), null));
      } else {
        poisoned.add(out);
      }
    }
  }

  /** Throws the one message that lists every node that could not be mapped, if any. */
  void failIfUnsupported() throws ModelFileException {
    if (!unsupported.isEmpty()) {
      throw new ModelFileException(file, unsupported.size() + " node" + (unsupported.size() == 1 ? "" : "s")
          + " cannot be expressed with this library's layers:\n  " + String.join("\n  ", unsupported));
    }
  }

  private Const constant(NodeProto n) {
    var a = Attrs.find(n, "value");
    if (a == null || !a.hasT()) {
      throw new Unsupported("only Constant nodes with a tensor 'value' are read");
    }
    try {
      return OnnxTensors.decode(file, a.getT(), OnnxTensors.ExternalData.NONE);
    } catch (java.io.IOException e) {
      throw new Unsupported(e.getMessage());
    }
  }

  // ---- helpers used by the mapping and by RecurrentImport

  Value value(String name) {
    Value v = values.get(name);
    if (v == null) {
      throw new Unsupported("'" + OnnxTensors.clip(name) + "' must be computed from the inputs, but is a constant");
    }
    return v;
  }

  Value valueOrNull(String name) {
    return values.get(name);
  }

  /**
   * The full dims of {@code name} when it is the time-major transpose of a sequence read by a
   * recurrent layer ({@code [T, batch, F]}, the batch as {@code batch}), else null: what a {@code
   * Shape} node reading it gives.
   */
  long[] timeMajorDims(String name, long batch) {
    return recurrent.timeMajorDims(name, batch);
  }

  /** The node reading {@code value} when it is read once (and is no graph output), or null. */
  NodeProto onlyReader(String value) {
    List<NodeProto> r = readers.getOrDefault(value, List.of());
    return r.size() == 1 && consumers.getOrDefault(value, 0) == 1 ? r.get(0) : null;
  }

  /** The operators of the nodes that read {@code value}. */
  List<String> consumerOps(String value) {
    return readers.getOrDefault(value, List.of()).stream().map(NodeProto::getOpType).toList();
  }

  /** Whether {@code value} is read, and only by nodes of operator {@code op} (not as a graph output). */
  boolean readOnlyBy(String value, String op) {
    List<String> r = consumerOps(value);
    return !r.isEmpty() && r.stream().allMatch(op::equals) && consumers.getOrDefault(value, 0) == r.size();
  }

  /**
   * A zero {@code Pad} left out of the network, to be folded into the convolutions or poolings that
   * read it: the value it pads and the zeros it adds before and after each spatial axis.
   */
  record FoldedPad(Value input, int[][] ends) {}

  /** Records {@code output} as {@code pad}, for the layers reading it ({@link #foldedPad}). */
  void fold(String output, FoldedPad pad) {
    folded.put(output, pad);
  }

  /** The folded pad computing {@code value}, or null. */
  FoldedPad foldedPad(String value) {
    return folded.get(value);
  }

  /** Records {@code value} as the constant {@code name}, computed by a node that is folded away. */
  void defineConstant(String name, Const value) {
    consts.put(name, value);
  }

  /** Records {@code name} as zeros whose shape follows the batch size ({@link #isRuntimeZeros}). */
  void defineRuntimeZeros(String name) {
    runtimeZeros.add(name);
  }

  /**
   * Whether {@code name} holds zeros shaped by the batch size at run time, as PyTorch's export of an
   * LSTM or GRU makes its initial state: a zero state, which the recurrent layers start from anyway.
   */
  boolean isRuntimeZeros(String name) {
    return runtimeZeros.contains(name);
  }

  /** Such zeros may only be an LSTM's or GRU's initial state (inputs 5 and 6). */
  private void checkRuntimeZeros(NodeProto n, String op) {
    for (int i = 0; i < n.getInputCount(); i++) {
      if (runtimeZeros.contains(n.getInput(i)) && !((op.equals("LSTM") || op.equals("GRU")) && (i == 5 || i == 6))) {
        throw new Unsupported("it reads '" + OnnxTensors.clip(n.getInput(i)) + "', zeros shaped by the batch size at"
            + " run time (a ConstantOfShape), which are read only as an LSTM's or GRU's initial state");
      }
    }
  }

  Const constOrNull(String name) {
    return name.isEmpty() ? null : consts.get(name);
  }

  Const constant(NodeProto n, int input, String what) {
    Const c = n.getInputCount() > input ? constOrNull(n.getInput(input)) : null;
    if (c == null) {
      throw new Unsupported(what + " (input " + input + ") must be a constant");
    }
    return c;
  }

  boolean used(NodeProto n, int output) {
    return n.getOutputCount() > output && !n.getOutput(output).isEmpty() && consumers.getOrDefault(n.getOutput(output), 0) > 0;
  }

  boolean singleUse(String value) {
    return consumers.getOrDefault(value, 0) == 1;
  }

  /** Adds {@code spec} (named by {@link #unique}) as the layer computing {@code output}. */
  Draft add(String output, LayerSpec spec) {
    List<List<Integer>> in = spec.inputs().stream().map(this::shapeOf).toList();
    List<Integer> shape = spec.outputShape(in);
    Draft d = new Draft(spec);
    drafts.add(d);
    values.put(output, new Value(spec.name(), shape, d));
    return d;
  }

  void alias(String output, Value v) {
    values.put(output, v);
  }

  void alias(String output, Value v, List<Integer> shape) {
    values.put(output, new Value(v.node(), shape, v.producer()));
  }

  private List<Integer> shapeOf(String node) {
    for (InputSpec i : inputs) {
      if (i.name().equals(node)) {
        return i.shape();
      }
    }
    for (Value v : values.values()) {
      if (v.node().equals(node)) {
        return v.shape();
      }
    }
    throw new IllegalStateException(node);
  }

  /** A valid, unused spec name made from an ONNX value name. */
  String unique(String raw) {
    String s = raw.replaceAll("[^A-Za-z0-9_./-]", "_").replaceFirst("^[./-]+", "");
    if (s.isEmpty()) {
      s = "node";
    }
    if (s.length() > 120) {
      s = s.substring(0, 120);
    }
    String n = s;
    for (int i = 2; names.contains(n); i++) {
      n = s + "_" + i;
    }
    names.add(n);
    return n;
  }

  // ---- the mapping of computed values

  private void mapComputed(NodeProto n, String op) {
    if (recurrent.handles(n)) {
      return;
    }
    if (ActivationImport.OPS.contains(op)) {
      ActivationImport.Function f = ActivationImport.of(n, this);
      activation(n, f.name(), f.alpha());
      return;
    }
    String out = n.getOutput(0);
    switch (op) {
      case "Identity", "Cast" -> alias(out, value(n.getInput(0)));
      case "Dropout" -> {
        if (used(n, 1)) {
          throw new Unsupported("its mask output is used");
        }
        alias(out, value(n.getInput(0)));
      }
      case "Gemm" -> gemm(n);
      case "MatMul" -> matmul(n);
      case "Add", "Sub", "Mul", "Div" -> arithmetic(n, op);
      case "Sum" -> add(out, new Add(unique(out), n.getInputList().stream().map(i -> value(i).node()).toList()));
      case "Conv" -> WindowImport.conv(this, n);
      case "Pad" -> WindowImport.pad(this, n);
      case "MaxPool", "AveragePool" -> WindowImport.pool(this, n);
      case "GlobalAveragePool" -> add(out, new GlobalAvgPool(unique(out), List.of(value(n.getInput(0)).node())));
      case "ReduceMean" -> WindowImport.reduceMean(this, n);
      case "BatchNormalization" -> batchNorm(n);
      case "LayerNormalization" -> layerNorm(n);
      case "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose" -> reshape(n, op);
      case "Concat" -> {
        Value x = value(n.getInput(0));
        int axis = Shapes.axis(Attrs.integer(n, "axis", 0), x.shape().size() + 1);
        if (axis == 0) {
          throw new Unsupported("concatenation along the batch axis");
        }
        add(out, new Concat(unique(out), n.getInputList().stream().map(i -> value(i).node()).toList(), axis - 1));
      }
      case "Gather" -> {
        Const table = constant(n, 0, "the embedding table");
        Value ids = value(n.getInput(1));
        if (Attrs.integer(n, "axis", 0) != 0 || table.rank() != 2) {
          throw new Unsupported("only a gather of rows (axis 0) of a 2-D constant table is an embedding");
        }
        add(out, new Embedding(unique(out), List.of(ids.node()), (int) table.dims()[0], (int) table.dims()[1], null))
            .put("weight", table.asFloats());
      }
      case "LSTM", "GRU" -> recurrent.map(n, op.equals("LSTM"));
      default -> throw new Unsupported("no layer computes " + op);
    }
  }

  private void activation(NodeProto n, String function, double alpha) {
    Value x = value(n.getInput(0));
    String out = n.getOutput(0);
    add(out, new Activation(unique(out), List.of(x.node()), function, Activation.usesAlpha(function) ? alpha : 0));
  }

  private void gemm(NodeProto n) {
    Value x = value(n.getInput(0));
    Const b = constant(n, 1, "B");
    if (Attrs.integer(n, "transA", 0) != 0) {
      throw new Unsupported("transA=1 transposes the batch");
    }
    if (x.shape().size() != 1 || b.rank() != 2) {
      throw new Unsupported("Gemm of a " + (x.shape().size() + 1) + "-D input and a " + b.rank() + "-D weight");
    }
    boolean transB = Attrs.integer(n, "transB", 0) != 0;
    Const w = transB ? b : ConstFolder.transpose(b, new long[] {1, 0});
    int units = (int) w.dims()[0];
    int in = (int) w.dims()[1];
    if (in != x.shape().get(0)) {
      throw new Unsupported("weight " + Arrays.toString(b.dims()) + " does not fit input width " + x.shape().get(0));
    }
    float alpha = Attrs.real(n, "alpha", 1f);
    float[] weight = scaled(w.asFloats(), alpha);
    Const c = n.getInputCount() > 2 ? constOrNull(n.getInput(2)) : null;
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && c == null) {
      throw new Unsupported("C must be a constant");
    }
    String out = n.getOutput(0);
    Draft d = add(out, new Dense(unique(out), List.of(x.node()), units, c != null, Dense.DEFAULT_INIT)).put("weight", weight);
    if (c != null) {
      d.put("bias", scaled(along(c, List.of(units), 0, "C"), Attrs.real(n, "beta", 1f)));
    }
  }

  private void matmul(NodeProto n) {
    Value x = value(n.getInput(0));
    Const b = constant(n, 1, "the second operand");
    if (b.rank() != 2 || b.dims()[0] != x.shape().get(x.shape().size() - 1)) {
      throw new Unsupported("MatMul of " + x.shape() + " per example by a constant " + Arrays.toString(b.dims())
          + "; a dense layer needs a 2-D constant whose first dimension is the input's last");
    }
    String out = n.getOutput(0);
    add(out, new Dense(unique(out), List.of(x.node()), (int) b.dims()[1], false, Dense.DEFAULT_INIT))
        .put("weight", ConstFolder.transpose(b, new long[] {1, 0}).asFloats());
  }

  private void arithmetic(NodeProto n, String op) {
    String out = n.getOutput(0);
    Const c0 = constOrNull(n.getInput(0));
    Const c1 = constOrNull(n.getInput(1));
    if (c0 == null && c1 == null) {
      if (!op.equals("Add")) {
        throw new Unsupported(op + " of two computed values; only their sum is a layer");
      }
      add(out, new Add(unique(out), List.of(value(n.getInput(0)).node(), value(n.getInput(1)).node())));
      return;
    }
    boolean constFirst = c0 != null;
    Value x = value(n.getInput(constFirst ? 1 : 0));
    Const c = constFirst ? c0 : c1;
    if (constFirst && op.equals("Div")) {
      throw new Unsupported("a constant divided by a computed value");
    }
    // a bias after a dense layer or convolution that only this node reads
    if ((op.equals("Add") || op.equals("Sub")) && x.producer() != null && singleUse(n.getInput(constFirst ? 1 : 0))
        && !(constFirst && op.equals("Sub"))) {
      Value folded = Bias.fold(this, x, c, op.equals("Sub"), out);
      if (folded != null) {
        alias(out, folded);
        return;
      }
    }
    List<Integer> shape = x.shape();
    int rank = shape.size();
    boolean channel = rank >= 2 && rank <= 3 && variesAlong(c, shape) != rank - 1;
    int axis = channel ? 0 : rank - 1;
    int width = shape.get(axis);
    float[] v = along(c, shape, axis, "the constant");
    float[] scale = new float[width];
    float[] shift = new float[width];
    for (int i = 0; i < width; i++) {
      switch (op) {
        case "Add" -> { scale[i] = 1; shift[i] = v[i]; }
        case "Sub" -> { scale[i] = constFirst ? -1 : 1; shift[i] = constFirst ? v[i] : -v[i]; }
        case "Mul" -> { scale[i] = v[i]; shift[i] = 0; }
        default -> { scale[i] = 1 / v[i]; shift[i] = 0; }
      }
    }
    Draft p = x.producer();
    if (p != null && p.affine != null && p.affine.channel() == channel && singleUse(n.getInput(constFirst ? 1 : 0))) {
      // compose with the scale and shift this value came from: (x a + b) s + t
      float[] a = p.affine.scale();
      float[] b = p.affine.shift();
      for (int i = 0; i < width; i++) {
        shift[i] = b[i] * scale[i] + shift[i];
        scale[i] = a[i] * scale[i];
      }
      p.affine = new Draft.Affine(channel, scale, shift);
      affineWeights(p);
      alias(out, x);
      return;
    }
    LayerSpec spec;
    String name = unique(out);
    if (channel) {
      spec = rank == 3
          ? new Conv2d(name, List.of(x.node()), width, List.of(1), List.of(1), org.sparkdl.spec.Padding.VALID, List.of(1),
              width, true, Conv2d.DEFAULT_INIT)
          : new Conv1d(name, List.of(x.node()), width, 1, 1, org.sparkdl.spec.Padding.VALID, 1, width, true,
              Conv2d.DEFAULT_INIT);
    } else {
      if (width > 4096) {
        throw new Unsupported("a scale or shift along an axis of " + width + " values (a diagonal dense layer is made for"
            + " at most 4096)");
      }
      spec = new Dense(name, List.of(x.node()), width, true, Dense.DEFAULT_INIT);
    }
    Draft d = add(out, spec);
    d.affine = new Draft.Affine(channel, scale, shift);
    affineWeights(d);
  }

  private static void affineWeights(Draft d) {
    float[] scale = d.affine.scale();
    int w = scale.length;
    if (d.affine.channel()) {
      d.put("weight", scale.clone());
    } else {
      float[] diag = new float[w * w];
      for (int i = 0; i < w; i++) {
        diag[i * w + i] = scale[i];
      }
      d.put("weight", diag);
    }
    d.put("bias", d.affine.shift().clone());
  }

  /** The one per-example axis along which {@code c} (broadcast against {@code [batch, shape...]}) varies, or -1 for none. */
  static int variesAlong(Const c, List<Integer> shape) {
    int rank = shape.size();
    if (c.rank() > rank + 1 || (c.rank() == rank + 1 && c.dims()[0] != 1)) {
      throw new Unsupported("constant " + Arrays.toString(c.dims()) + " varies along the batch axis");
    }
    int axis = -1;
    for (int i = 0; i < c.rank(); i++) {
      int a = rank - c.rank() + i;
      long d = c.dims()[i];
      if (d == 1 || a < 0) {
        continue;
      }
      if (d != shape.get(a)) {
        throw new Unsupported("constant " + Arrays.toString(c.dims()) + " does not broadcast to " + shape + " per example");
      }
      if (axis >= 0) {
        throw new Unsupported("constant " + Arrays.toString(c.dims()) + " varies along more than one axis");
      }
      axis = a;
    }
    return axis;
  }

  /** {@code c}'s values along {@code axis} of {@code shape} (one value repeated when it is a scalar). */
  static float[] along(Const c, List<Integer> shape, int axis, String what) {
    int found = variesAlong(c, shape);
    if (found >= 0 && found != axis) {
      throw new Unsupported(what + " " + Arrays.toString(c.dims()) + " varies along axis " + found + " of " + shape
          + " per example; one value, or one per " + (axis == 0 ? "channel" : "unit") + ", is expected");
    }
    int width = shape.get(axis);
    float[] v = c.asFloats();
    if (found < 0) {
      float[] all = new float[width];
      Arrays.fill(all, v[0]);
      return all;
    }
    return v.clone();
  }

  private static float[] scaled(float[] v, float k) {
    if (k == 1f) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * k;
    }
    return out;
  }

  private void batchNorm(NodeProto n) {
    Value x = value(n.getInput(0));
    if (Attrs.integer(n, "training_mode", 0) != 0 || used(n, 1) || used(n, 2)) {
      throw new Unsupported("training mode; only inference-mode batch normalisation is read");
    }
    int c = x.shape().get(0);
    List<Integer> channels = List.of(c);
    float[] scale = along(constant(n, 1, "scale"), channels, 0, "scale");
    float[] bias = along(constant(n, 2, "B"), channels, 0, "B");
    float[] mean = along(constant(n, 3, "input_mean"), channels, 0, "input_mean");
    float[] var = along(constant(n, 4, "input_var"), channels, 0, "input_var");
    String out = n.getOutput(0);
    double momentum = Attrs.decimal((float) (1 - Attrs.decimal(n, "momentum", 0.9)));
    add(out, new BatchNorm(unique(out), List.of(x.node()), momentum, Attrs.decimal(n, "epsilon", 1e-5))).put("weight", scale).put("bias", bias).put("running_mean", mean)
        .put("running_var", var);
  }

  private void layerNorm(NodeProto n) {
    Value x = value(n.getInput(0));
    int rank = x.shape().size() + 1;
    int axis = Shapes.axis(Attrs.integer(n, "axis", -1), rank);
    if (axis == 0) {
      throw new Unsupported("normalisation over the batch axis");
    }
    if (used(n, 1) || used(n, 2)) {
      throw new Unsupported("its mean or inverse deviation output is used");
    }
    int axes = rank - axis;
    int count = 1;
    for (int i = axis - 1; i < x.shape().size(); i++) {
      count *= x.shape().get(i);
    }
    Const scale = constant(n, 1, "scale");
    Const bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? constant(n, 2, "B") : null;
    if (scale.size() != count || (bias != null && bias.size() != count)) {
      throw new Unsupported("scale and bias must hold one value per normalised element (" + count + ")");
    }
    String out = n.getOutput(0);
    add(out, new LayerNorm(unique(out), List.of(x.node()), axes, Attrs.decimal(n, "epsilon", 1e-5)))
        .put("weight", scale.asFloats()).put("bias", bias == null ? new float[count] : bias.asFloats());
  }

  /** Reshape, Flatten, Squeeze, Unsqueeze and element-order-keeping Transpose: a reshape of each example. */
  private void reshape(NodeProto n, String op) {
    Value x = value(n.getInput(0));
    List<Integer> shape = x.shape();
    long[] full = new long[shape.size() + 1];
    full[0] = -1;
    for (int i = 0; i < shape.size(); i++) {
      full[i + 1] = shape.get(i);
    }
    long[] target;
    switch (op) {
      case "Flatten" -> {
        int axis = Shapes.axis(Attrs.integer(n, "axis", 1), full.length + 1);
        if (axis == 0) {
          throw new Unsupported("axis 0 flattens the batch");
        }
        long inner = 1;
        for (int i = axis; i < full.length; i++) {
          inner *= full[i];
        }
        target = new long[axis + 1];
        System.arraycopy(full, 0, target, 0, axis);
        target[axis] = inner;
      }
      case "Reshape" -> {
        long[] t = shapes.target(n);
        boolean allowZero = Attrs.integer(n, "allowzero", 0) != 0;
        if (t.length == 0) {
          throw new Unsupported("reshape to a scalar drops the batch axis");
        }
        boolean copiesBatch = t[0] == ShapeImport.BATCH;   // x.view(x.size(0), ...)
        if (copiesBatch) {
          t[0] = -1;
        }
        for (int i = 1; i < t.length; i++) {
          if (t[i] == 0 && !allowZero) {
            if (i >= full.length) {
              throw new Unsupported("shape " + Arrays.toString(t) + " copies a dimension the input lacks");
            }
            t[i] = full[i];
          }
        }
        if (!copiesBatch && t[0] != -1 && !(t[0] == 0 && !allowZero)) {
          throw new Unsupported("shape " + Arrays.toString(t) + " fixes the batch size to " + t[0]);
        }
        long[] rest = Arrays.copyOfRange(t, 1, t.length);
        if (t[0] == -1 && !copiesBatch && Arrays.stream(rest).anyMatch(d -> d == -1)) {
          throw new Unsupported("shape " + Arrays.toString(t) + " leaves both the batch and another size to infer");
        }
        // the per-example elements must stay together: the rest of the shape holds exactly them
        long[] per = Shapes.reshape(Arrays.copyOfRange(full, 1, full.length), rest, allowZero);
        target = new long[per.length + 1];
        target[0] = -1;
        System.arraycopy(per, 0, target, 1, per.length);
      }
      case "Squeeze", "Unsqueeze" -> {
        long[] axes = n.getInputCount() > 1 ? constant(n, 1, "axes").asLongs() : Attrs.ints(n, "axes");
        int outRank = op.equals("Squeeze") ? full.length - axes.length : full.length + axes.length;
        for (long a : axes) {
          if (Shapes.axis(a, op.equals("Squeeze") ? full.length : outRank) == 0) {
            throw new Unsupported(op.toLowerCase(java.util.Locale.ROOT) + " of the batch axis");
          }
        }
        if (op.equals("Squeeze") && axes.length == 0) {
          long[] per = Shapes.squeeze(Arrays.copyOfRange(full, 1, full.length), axes);
          target = new long[per.length + 1];
          target[0] = -1;
          System.arraycopy(per, 0, target, 1, per.length);
        } else {
          target = op.equals("Squeeze") ? Shapes.squeeze(full, axes) : Shapes.unsqueeze(full, axes);
        }
      }
      default -> {
        long[] perm = Attrs.ints(n, "perm");
        if (perm.length != full.length || perm[0] != 0) {
          throw new Unsupported("perm " + Arrays.toString(perm) + " moves the batch axis or does not fit rank " + full.length);
        }
        List<Long> moved = new ArrayList<>();
        List<Long> kept = new ArrayList<>();
        target = new long[full.length];
        for (int i = 0; i < perm.length; i++) {
          target[i] = full[(int) perm[i]];
          if (full[(int) perm[i]] != 1) {
            moved.add(perm[i]);
          }
        }
        for (int i = 0; i < full.length; i++) {
          if (full[i] != 1) {
            kept.add((long) i);
          }
        }
        if (!moved.equals(kept)) {
          throw new Unsupported("perm " + Arrays.toString(perm) + " reorders the elements of " + shape
              + " per example; there is no transpose layer");
        }
      }
    }
    String out = n.getOutput(0);
    List<Integer> per = new ArrayList<>();
    for (int i = 1; i < target.length; i++) {
      per.add((int) target[i]);
    }
    if (per.isEmpty() && shape.stream().allMatch(d -> d == 1)) {
      per = shape;   // [N, 1, ...] to [N]: one value per example either way
    }
    if (per.isEmpty()) {
      throw new Unsupported("the result keeps no dimension besides the batch");
    }
    if (per.equals(shape)) {
      alias(out, x);
    } else if (x.producer() == null && singleUse(n.getInput(0)) && shape.size() == 1 && inputs.stream()
        .anyMatch(i -> i.name().equals(x.node()))) {
      // a flat input reshaped at once: the input takes the shape (its width, what a vector column holds, is the same)
      for (int i = 0; i < inputs.size(); i++) {
        if (inputs.get(i).name().equals(x.node())) {
          inputs.set(i, new InputSpec(x.node(), per, false));
        }
      }
      alias(out, x, per);
    } else if (per.size() == 1) {
      add(out, new Flatten(unique(out), List.of(x.node())));
    } else {
      add(out, new Reshape(unique(out), List.of(x.node()), per));
    }
  }

  /** The network output for graph output {@code name}; with {@code logits}, a final softmax is skipped. */
  String output(String name, boolean logits) throws ModelFileException {
    Value v = values.get(name);
    if (v == null) {
      throw new ModelFileException(file, "output '" + OnnxTensors.clip(name) + "' is a constant; it needs no network.");
    }
    Draft p = v.producer();
    if (logits && p != null && singleUse(name) && p.spec instanceof Activation a
        && (a.function().equals("softmax") || a.function().equals("log_softmax"))) {
      drafts.remove(p);
      return a.inputs().get(0);
    }
    return v.node();
  }

  List<LayerSpec> layers() {
    return drafts.stream().map(d -> d.spec).toList();
  }

  /** Every layer's weights under the network's parameter names. */
  Map<String, float[]> weights() {
    Map<String, float[]> w = new LinkedHashMap<>();
    for (Draft d : drafts) {
      d.weights.forEach((k, v) -> w.put(d.name() + "." + k, v));
    }
    return w;
  }
}
