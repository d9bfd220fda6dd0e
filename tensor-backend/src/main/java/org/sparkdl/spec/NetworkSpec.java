package org.sparkdl.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A network as a DAG of named nodes: inputs, then layers in topological order, each layer reading
 * inputs or earlier layers. Pure data, with no tensors: it is validated, serialized and compiled
 * into executable layers elsewhere. Shapes exclude the batch dimension.
 *
 * <p>Every instance is valid: the constructor checks names, references, outputs and shapes and
 * throws {@link SpecException} otherwise, so code consuming a spec need not re-check it.
 *
 * <p>Build one with {@link #builder()}, {@link #mlp(int[], String)} or {@link #fromJson(String)};
 * {@link #toJson()} gives the canonical JSON form, and {@code fromJson(s.toJson()).equals(s)}.
 *
 * @param formatVersion JSON format version, currently always {@link #FORMAT_VERSION}
 * @param inputs the network's inputs, at least one
 * @param layers the layers in topological order, at least one
 * @param outputs names of the nodes whose values the network returns, in order; {@code null}
 *     means the last layer
 *
 * <p><b>Size.</b> Over 400 lines: the builder methods, one per layer the spec knows, are the
 * public API users write networks with; the JSON mapping, the checks and the shapes live in their
 * own classes.
 */
public record NetworkSpec(int formatVersion, List<InputSpec> inputs, List<LayerSpec> layers, List<String> outputs) {
  /** The only JSON format version written and read. */
  public static final int FORMAT_VERSION = 1;
  /** Name of the input created by {@link #mlp}, matching Spark ML's default features column. */
  public static final String MLP_INPUT = "features";

  /** Validates the whole network (structure and shapes) and makes the lists immutable. */
  public NetworkSpec {
    if (formatVersion != FORMAT_VERSION) {
      throw new SpecException("Unsupported format_version " + formatVersion + "; this library reads format_version "
          + FORMAT_VERSION + ".");
    }
    inputs = copyOf(inputs, "inputs");
    layers = copyOf(layers, "layers");
    if (inputs.isEmpty()) {
      throw new SpecException("Network has no inputs.");
    }
    if (layers.isEmpty()) {
      throw new SpecException("Network has no layers.");
    }
    outputs = outputs == null ? List.of(layers.get(layers.size() - 1).name()) : copyOf(outputs, "outputs");
    NetworkGraph.checkStructure(inputs, layers, outputs);
    NetworkGraph.inferShapes(inputs, layers);
  }

  /** A network in the current format version; {@code outputs} may be null for the last layer. */
  public NetworkSpec(List<InputSpec> inputs, List<LayerSpec> layers, List<String> outputs) {
    this(FORMAT_VERSION, inputs, layers, outputs);
  }

  /**
   * This network with its first input read as sparse rows, or as dense ones ({@link
   * InputSpec#sparse()}); the same network when it already is.
   *
   * @throws SpecException when the input cannot be sparse (a layer other than a dense one reads it,
   *     or its shape is not one width)
   */
  public NetworkSpec withInputSparse(boolean sparse) {
    InputSpec first = inputs.get(0);
    if (first.sparse() == sparse) {
      return this;
    }
    List<InputSpec> in = new java.util.ArrayList<>(inputs);
    in.set(0, new InputSpec(first.name(), first.shape(), sparse));
    return new NetworkSpec(formatVersion, in, layers, outputs);
  }

  /**
   * Parses the JSON form. Missing optional fields take their defaults ({@code bias} true,
   * {@code init} glorot_uniform, {@code alpha} per function, {@code axis} -1, {@code outputs} the
   * last layer), and a layer without {@code "inputs"} reads the previous layer (or, for the first
   * layer, the single input). Anything else unexpected is an error.
   *
   * @throws SpecException for malformed JSON (with line and column), unknown types or fields, wrong
   *     field types, bad values, bad references, or shapes that do not fit
   */
  public static NetworkSpec fromJson(String json) {
    return SpecReader.read(json);
  }

  /** The layer types a spec can hold (what its JSON reads and writes), their record classes by type tag. */
  public static Map<String, Class<? extends LayerSpec>> layerTypes() {
    return LayerTypes.recordClasses();
  }

  /**
   * The type-specific JSON fields of each layer type, in canonical order (after the common
   * {@code type}, {@code name} and {@code inputs}), by type tag. What a layer object may carry; the
   * canonical form writes them in this order, leaving out only fields that do not apply.
   */
  public static Map<String, List<String>> layerFields() {
    return LayerTypes.fields();
  }

  /** The canonical JSON form: fixed key order, all defaults written, one layer per line. */
  public String toJson() {
    return SpecWriter.write(this);
  }

  /**
   * The shape of every input and layer output, keyed by node name in network order (inputs, then
   * layers), batch dimension excluded. Never fails for a constructed spec.
   */
  public Map<String, List<Integer>> inferShapes() {
    return NetworkGraph.inferShapes(inputs, layers);
  }

  /**
   * The shape of the network's single output.
   *
   * @throws SpecException if the network has several outputs
   */
  public List<Integer> outputShape() {
    if (outputs.size() != 1) {
      throw new SpecException("Network has " + outputs.size() + " outputs " + outputs
          + "; outputShape() needs exactly one, use inferShapes() instead.");
    }
    return inferShapes().get(outputs.get(0));
  }

  /** A builder for a network, in sequential or graph style. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The multilayer perceptron of Spark MLlib's {@code layers} parameter: an input named
   * {@value #MLP_INPUT} of width {@code layers[0]}, then a dense layer to each following width with
   * {@code hiddenActivation} between consecutive dense layers and none after the last (the loss
   * supplies the output nonlinearity). For {@code {784, 128, 10}} and relu the layers are
   * {@code dense_1(128), relu_1, dense_2(10)}.
   *
   * @throws SpecException if fewer than two widths are given or any is invalid
   */
  public static NetworkSpec mlp(int[] layers, String hiddenActivation) {
    if (layers == null || layers.length < 2) {
      throw new SpecException("mlp needs at least 2 layer sizes (input and output width), found "
          + (layers == null ? "null" : Arrays.toString(layers)) + ".");
    }
    Builder b = builder().input(MLP_INPUT, layers[0]);
    for (int i = 1; i < layers.length; i++) {
      b.dense(layers[i]);
      if (i + 1 < layers.length) {
        b.activation(hiddenActivation);
      }
    }
    return b.build();
  }

  private static <T> List<T> copyOf(List<T> list, String what) {
    if (list == null) {
      throw new SpecException("Network " + what + " are missing.");
    }
    for (T element : list) {
      if (element == null) {
        // Checked by hand: contains(null) throws on the immutable lists callers often pass.
        throw new SpecException("Network " + what + " contain null.");
      }
    }
    return List.copyOf(list);
  }

  /**
   * Builds a {@link NetworkSpec} in sequential style ({@code input(...).dense(128).relu()...}, each
   * layer reading the node added just before it) or graph style ({@code addX(...)} methods that
   * take the nodes to read and return the new node's name), or a mix of the two.
   *
   * <p>Names passed as {@code null}, and all names in sequential style, are chosen automatically
   * per type: {@code dense_1}, {@code dense_2}, {@code dropout_1}, {@code conv2d_1}, {@code
   * max_pool_1}; activations are named after their function ({@code relu_1}, {@code softmax_1}).
   * Convolution and pooling options beyond the kernel go through a function on the layer record,
   * e.g. {@code conv2d(32, 3, c -> c.withPadding(Padding.SAME))}. Field errors, duplicate names and
   * references to unknown nodes throw when the node is added; shape errors throw in {@link #build()}.
   */
  public static final class Builder {
    private final List<InputSpec> inputs = new ArrayList<>();
    private final List<LayerSpec> layers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    /** Last index used per automatic-name prefix, so that naming stays linear in the number of layers. */
    private final Map<String, Integer> lastIndex = new HashMap<>();
    private List<String> outputs;
    private String last;

    private Builder() {}

    /** Adds a sparse input of {@code width} values (see {@link InputSpec}) and makes it the node the next layer reads. */
    public Builder sparseInput(String name, int width) {
      if (names.contains(name)) {
        throw NetworkGraph.duplicateName(name);
      }
      inputs.add(InputSpec.sparse(name, width));
      names.add(name);
      last = name;
      return this;
    }

    /** Adds an input and makes it the node the next sequential layer reads. */
    public Builder input(String name, int... shape) {
      addInput(name, shape);
      return this;
    }

    /** Dense layer of {@code units} with bias and the default initializer, reading the previous node. */
    public Builder dense(int units) {
      return dense(units, true, Dense.DEFAULT_INIT);
    }

    /** Dense layer with bias and the given initializer, reading the previous node. */
    public Builder dense(int units, String init) {
      return dense(units, true, init);
    }

    /** Dense layer reading the previous node. */
    public Builder dense(int units, boolean bias, String init) {
      addDense(null, units, bias, init, previous(Dense.TYPE));
      return this;
    }

    /** Activation with the function's default alpha, reading the previous node. */
    public Builder activation(String function) {
      return activation(function, Activation.defaultAlpha(function));
    }

    /** Activation with an explicit alpha (leaky_relu, elu), reading the previous node. */
    public Builder activation(String function, double alpha) {
      addActivation(null, function, alpha, previous(Activation.TYPE));
      return this;
    }

    /** {@code relu}. */
    public Builder relu() {
      return activation("relu");
    }

    /** {@code leaky_relu} with the default slope 0.01. */
    public Builder leakyRelu() {
      return activation("leaky_relu");
    }

    /** {@code leaky_relu} with negative slope {@code alpha}. */
    public Builder leakyRelu(double alpha) {
      return activation("leaky_relu", alpha);
    }

    /** {@code elu} with the default alpha 1.0. */
    public Builder elu() {
      return activation("elu");
    }

    /** {@code elu} with the given alpha. */
    public Builder elu(double alpha) {
      return activation("elu", alpha);
    }

    /**
     * {@code gelu}, GELU's tanh approximation {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}
     * (PyTorch's {@code nn.GELU(approximate="tanh")}); {@link #geluErf()} is the exact form.
     */
    public Builder gelu() {
      return activation("gelu");
    }

    /**
     * {@code gelu_erf}, exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))}: PyTorch's default {@code
     * nn.GELU()}, and what an imported PyTorch model with GELU uses; {@link #gelu()} is the tanh
     * approximation.
     */
    public Builder geluErf() {
      return activation("gelu_erf");
    }

    /** {@code silu}, {@code x sigmoid(x)}: PyTorch's {@code nn.SiLU}, Keras' {@code swish}. */
    public Builder silu() {
      return activation("silu");
    }

    /** {@code relu6}, {@code min(max(x, 0), 6)}: MobileNet's activation, PyTorch's {@code nn.ReLU6}. */
    public Builder relu6() {
      return activation("relu6");
    }

    /** {@code hard_sigmoid}, {@code relu6(x + 3) / 6}: PyTorch's {@code nn.Hardsigmoid}. */
    public Builder hardSigmoid() {
      return activation("hard_sigmoid");
    }

    /** {@code hard_swish}, {@code x relu6(x + 3) / 6}: MobileNetV3's, PyTorch's {@code nn.Hardswish}. */
    public Builder hardSwish() {
      return activation("hard_swish");
    }

    /** {@code softplus}, {@code log(1 + e^x)}. */
    public Builder softplus() {
      return activation("softplus");
    }

    /** {@code mish}, {@code x tanh(softplus(x))}: YOLOv4's, PyTorch's {@code nn.Mish}. */
    public Builder mish() {
      return activation("mish");
    }

    /** {@code selu}: the self-normalising scaled ELU (PyTorch's {@code nn.SELU}, Keras' {@code selu}). */
    public Builder selu() {
      return activation("selu");
    }

    /** {@code sigmoid}. */
    public Builder sigmoid() {
      return activation("sigmoid");
    }

    /** {@code tanh}. */
    public Builder tanh() {
      return activation("tanh");
    }

    /** {@code softmax} over the last axis. */
    public Builder softmax() {
      return activation("softmax");
    }

    /** {@code log_softmax} over the last axis. */
    public Builder logSoftmax() {
      return activation("log_softmax");
    }

    /** Dropout with drop probability {@code rate}, reading the previous node. */
    public Builder dropout(double rate) {
      addDropout(null, rate, previous(Dropout.TYPE));
      return this;
    }

    /** Multi-head self-attention with bias and no causal mask over the previous node {@code [T, D]}. */
    public Builder multiHeadAttention(int heads) {
      addMultiHeadAttention(null, heads, false, true, previous(MultiHeadAttention.TYPE), null);
      return this;
    }

    /** A learned positional embedding added to the previous node. */
    public Builder positionalEmbedding() {
      addPositionalEmbedding(null, previous(PositionalEmbedding.TYPE));
      return this;
    }

    /** The mean over the steps of the previous node, {@code [T, ...] -> [...]}. */
    public Builder sequenceMeanPool() {
      addSequenceMeanPool(null, previous(SequenceMeanPool.TYPE), null);
      return this;
    }

    /**
     * A Transformer encoder block over the previous node {@code [T, D]}, without a lengths input;
     * see {@link #addTransformerEncoder}. The block's last layer becomes the previous node.
     */
    public Builder transformerEncoder(int heads, int ffnDim, double dropout, boolean normFirst) {
      addTransformerEncoder(null, previous("transformer encoder"), heads, ffnDim, dropout, normFirst, null);
      return this;
    }

    /** Flatten of the previous node. */
    public Builder flatten() {
      addFlatten(null, previous(Flatten.TYPE));
      return this;
    }

    /** Reshape of the previous node; one dimension may be -1. */
    public Builder reshape(int... shape) {
      addReshape(null, previous(Reshape.TYPE), shape);
      return this;
    }

    /** 2-D convolution with a square kernel, stride 1, no padding, reading the previous node. */
    public Builder conv2d(int filters, int kernel) {
      return conv2d(filters, kernel, UnaryOperator.identity());
    }

    /**
     * 2-D convolution with a square kernel and the other fields set by {@code options}, e.g. {@code
     * conv2d(32, 3, c -> c.withPadding(Padding.SAME).withStride(2))}, reading the previous node.
     */
    public Builder conv2d(int filters, int kernel, UnaryOperator<Conv2d> options) {
      addConv2d(null, filters, kernel, options, previous(Conv2d.TYPE));
      return this;
    }

    /** 1-D convolution with stride 1, no padding, reading the previous node. */
    public Builder conv1d(int filters, int kernel) {
      return conv1d(filters, kernel, UnaryOperator.identity());
    }

    /** 1-D convolution with the other fields set by {@code options}, reading the previous node. */
    public Builder conv1d(int filters, int kernel, UnaryOperator<Conv1d> options) {
      addConv1d(null, filters, kernel, options, previous(Conv1d.TYPE));
      return this;
    }

    /** Max pooling over non-overlapping square windows ({@code stride = kernel}), reading the previous node. */
    public Builder maxPool2d(int kernel) {
      return maxPool2d(kernel, UnaryOperator.identity());
    }

    /** Max pooling with stride and padding set by {@code options}, reading the previous node. */
    public Builder maxPool2d(int kernel, UnaryOperator<MaxPool2d> options) {
      addMaxPool2d(null, kernel, options, previous(MaxPool2d.TYPE));
      return this;
    }

    /** Average pooling over non-overlapping square windows ({@code stride = kernel}), reading the previous node. */
    public Builder avgPool2d(int kernel) {
      return avgPool2d(kernel, UnaryOperator.identity());
    }

    /** Average pooling with stride, padding and divisor set by {@code options}, reading the previous node. */
    public Builder avgPool2d(int kernel, UnaryOperator<AvgPool2d> options) {
      addAvgPool2d(null, kernel, options, previous(AvgPool2d.TYPE));
      return this;
    }

    /** Global average pooling of the previous node, {@code [C, ...] -> [C]}. */
    public Builder globalAvgPool() {
      addGlobalAvgPool(null, previous(GlobalAvgPool.TYPE));
      return this;
    }

    /** Batch normalisation (momentum 0.1, epsilon 1e-5) of the previous node. */
    public Builder batchNorm() {
      return batchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPSILON);
    }

    /** Batch normalisation of the previous node. */
    public Builder batchNorm(double momentum, double epsilon) {
      addBatchNorm(null, momentum, epsilon, previous(BatchNorm.TYPE));
      return this;
    }

    /** Layer normalisation over the last axis (epsilon 1e-5) of the previous node. */
    public Builder layerNorm() {
      return layerNorm(1, BatchNorm.DEFAULT_EPSILON);
    }

    /** Layer normalisation over the last {@code axes} axes of the previous node. */
    public Builder layerNorm(int axes, double epsilon) {
      addLayerNorm(null, axes, epsilon, previous(LayerNorm.TYPE));
      return this;
    }

    /** Embedding of token ids {@code [T]} into {@code [T, dimension]}, no padding row, reading the previous node. */
    public Builder embedding(int vocabularySize, int dimension) {
      return embedding(vocabularySize, dimension, null);
    }

    /** Embedding with padding row {@code paddingIndex} (null for none), reading the previous node. */
    public Builder embedding(int vocabularySize, int dimension, Integer paddingIndex) {
      addEmbedding(null, vocabularySize, dimension, paddingIndex, previous(Embedding.TYPE));
      return this;
    }

    /** One unidirectional LSTM layer returning its last state, reading the previous node. */
    public Builder lstm(int hiddenSize) {
      return lstm(hiddenSize, UnaryOperator.identity());
    }

    /**
     * LSTM with the other fields set by {@code options}, reading the previous node, e.g. {@code
     * lstm(64, l -> l.withNumLayers(2).withBidirectional(true).withLengths("lengths"))}.
     */
    public Builder lstm(int hiddenSize, UnaryOperator<Lstm> options) {
      addLstm(null, hiddenSize, options, previous(Lstm.TYPE));
      return this;
    }

    /** One unidirectional GRU layer returning its last state, reading the previous node. */
    public Builder gru(int hiddenSize) {
      return gru(hiddenSize, UnaryOperator.identity());
    }

    /** GRU with the other fields set by {@code options}, as for {@link #lstm(int, UnaryOperator)}. */
    public Builder gru(int hiddenSize, UnaryOperator<Gru> options) {
      addGru(null, hiddenSize, options, previous(Gru.TYPE));
      return this;
    }

    /** Sets the network's outputs; without this call the output is the last layer. */
    public Builder outputs(String... names) {
      this.outputs = names == null ? null : Arrays.asList(names.clone());
      return this;
    }

    /** Adds an input; returns its name. */
    public String addInput(String name, int... shape) {
      InputSpec input = InputSpec.of(name, shape);
      if (names.contains(name)) {
        throw NetworkGraph.duplicateName(name);
      }
      inputs.add(input);
      names.add(name);
      last = name;
      return name;
    }

    /** Adds a dense layer with bias and the default initializer; {@code name} may be null. Returns its name. */
    public String addDense(String name, int units, String input) {
      return addDense(name, units, true, Dense.DEFAULT_INIT, input);
    }

    /** Adds a dense layer; {@code name} may be null. Returns its name. */
    public String addDense(String name, int units, boolean bias, String init, String input) {
      return add(name, Dense.TYPE, n -> new Dense(n, Collections.singletonList(input), units, bias, init));
    }

    /** Adds an activation with the function's default alpha; {@code name} may be null. Returns its name. */
    public String addActivation(String name, String function, String input) {
      return addActivation(name, function, Activation.defaultAlpha(function), input);
    }

    /** Adds an activation with an explicit alpha; {@code name} may be null. Returns its name. */
    public String addActivation(String name, String function, double alpha, String input) {
      String prefix = function == null ? Activation.TYPE : function;
      return add(name, prefix, n -> new Activation(n, Collections.singletonList(input), function, alpha));
    }

    /** Adds a dropout layer; {@code name} may be null. Returns its name. */
    public String addDropout(String name, double rate, String input) {
      return add(name, Dropout.TYPE, n -> new Dropout(n, input, rate));
    }

    /**
     * Adds multi-head self-attention over {@code input [T, D]}; {@code lengths}, the name of a
     * {@code [1]} input holding each example's valid length, may be null. {@code name} may be null.
     * Returns its name.
     */
    public String addMultiHeadAttention(String name, int heads, boolean causal, boolean bias, String input,
        String lengths) {
      return add(name, "attention", n -> new MultiHeadAttention(n, sequenceInputs(input, lengths), heads, causal, bias));
    }

    /** Adds a learned positional embedding with the default initializer; {@code name} may be null. Returns its name. */
    public String addPositionalEmbedding(String name, String input) {
      return add(name, PositionalEmbedding.TYPE, n -> new PositionalEmbedding(n, input));
    }

    /**
     * Adds the mean over the steps of {@code input}, over each example's valid steps when {@code
     * lengths} (a {@code [1]} input) is not null; {@code name} may be null. Returns its name.
     */
    public String addSequenceMeanPool(String name, String input, String lengths) {
      return add(name, SequenceMeanPool.TYPE, n -> new SequenceMeanPool(n, sequenceInputs(input, lengths)));
    }

    /**
     * Adds a Transformer encoder block over {@code input [T, D]} as ordinary layers named {@code
     * <block>.self_attn}, {@code <block>.linear1}, {@code <block>.norm1}, ... (PyTorch's {@code
     * TransformerEncoderLayer} names, so its weights load unchanged): multi-head self-attention,
     * a residual add and layer norm, a position-wise feed-forward network of width {@code ffnDim}
     * with ReLU, and a second residual add and layer norm; after the first and last step of each
     * branch and between the two dense layers, dropout of rate {@code dropout} (none when 0). With
     * {@code normFirst} the norms come before each branch (pre-norm), else after each residual add
     * (post-norm, PyTorch's default). {@code lengths}, a {@code [1]} input of each example's valid
     * length, may be null. {@code name} may be null ({@code encoder_1}, ...). Either the whole
     * block is added or, on an error, none of it.
     *
     * @return the name of the block's last layer, which holds its output
     */
    public String addTransformerEncoder(String name, String input, int heads, int ffnDim, double dropout,
        boolean normFirst, String lengths) {
      int index = name != null ? 0 : freeBlockIndex("encoder");
      String block = name != null ? name : "encoder_" + index;
      List<Integer> shape = NetworkGraph.inferShapes(inputs, layers).get(input);
      int before = layers.size();
      String lastBefore = last;
      try {
        String out = TransformerEncoder.append(this, block, input, shape, heads, ffnDim, dropout, normFirst, lengths);
        if (name == null) {
          lastIndex.put("encoder", index);
        }
        return out;
      } catch (SpecException e) {
        // all or nothing: a block that fails half way leaves none of its layers behind
        while (layers.size() > before) {
          names.remove(layers.remove(layers.size() - 1).name());
        }
        last = lastBefore;
        throw e;
      }
    }

    /** Adds an elementwise sum of two or more equally shaped nodes; {@code name} may be null. Returns its name. */
    public String addAdd(String name, String... inputs) {
      return add(name, Add.TYPE, n -> new Add(n, inputs));
    }

    /**
     * Adds a concatenation along {@code axis} (per-example dims, -1 = last); {@code name} may be
     * null. Returns its name.
     */
    public String addConcat(String name, int axis, String... inputs) {
      return add(name, Concat.TYPE, n -> new Concat(n, axis, inputs));
    }

    /** Adds a flatten layer; {@code name} may be null. Returns its name. */
    public String addFlatten(String name, String input) {
      return add(name, Flatten.TYPE, n -> new Flatten(n, input));
    }

    /** Adds a reshape layer (one dimension may be -1); {@code name} may be null. Returns its name. */
    public String addReshape(String name, String input, int... shape) {
      return add(name, Reshape.TYPE, n -> new Reshape(n, input, shape));
    }

    /** Adds a square-kernel 2-D convolution, stride 1, no padding; {@code name} may be null. Returns its name. */
    public String addConv2d(String name, int filters, int kernel, String input) {
      return addConv2d(name, filters, kernel, UnaryOperator.identity(), input);
    }

    /** Adds a square-kernel 2-D convolution configured by {@code options}; {@code name} may be null. Returns its name. */
    public String addConv2d(String name, int filters, int kernel, UnaryOperator<Conv2d> options, String input) {
      return add(name, Conv2d.TYPE, n -> options.apply(new Conv2d(n, input, filters, kernel)));
    }

    /** Adds a 1-D convolution configured by {@code options}; {@code name} may be null. Returns its name. */
    public String addConv1d(String name, int filters, int kernel, UnaryOperator<Conv1d> options, String input) {
      return add(name, Conv1d.TYPE, n -> options.apply(new Conv1d(n, input, filters, kernel)));
    }

    /** Adds square-window max pooling configured by {@code options}; {@code name} may be null. Returns its name. */
    public String addMaxPool2d(String name, int kernel, UnaryOperator<MaxPool2d> options, String input) {
      return add(name, "max_pool", n -> options.apply(new MaxPool2d(n, input, kernel)));
    }

    /** Adds square-window average pooling configured by {@code options}; {@code name} may be null. Returns its name. */
    public String addAvgPool2d(String name, int kernel, UnaryOperator<AvgPool2d> options, String input) {
      return add(name, "avg_pool", n -> options.apply(new AvgPool2d(n, input, kernel)));
    }

    /** Adds global average pooling; {@code name} may be null. Returns its name. */
    public String addGlobalAvgPool(String name, String input) {
      return add(name, GlobalAvgPool.TYPE, n -> new GlobalAvgPool(n, input));
    }

    /** Adds batch normalisation; {@code name} may be null. Returns its name. */
    public String addBatchNorm(String name, double momentum, double epsilon, String input) {
      return add(name, BatchNorm.TYPE, n -> new BatchNorm(n, Collections.singletonList(input), momentum, epsilon));
    }

    /** Adds layer normalisation over the last {@code axes} axes; {@code name} may be null. Returns its name. */
    public String addLayerNorm(String name, int axes, double epsilon, String input) {
      return add(name, LayerNorm.TYPE, n -> new LayerNorm(n, Collections.singletonList(input), axes, epsilon));
    }

    /** Adds an embedding (padding row or null); {@code name} may be null. Returns its name. */
    public String addEmbedding(String name, int vocabularySize, int dimension, Integer paddingIndex, String input) {
      return add(name, Embedding.TYPE, n -> new Embedding(n, input, vocabularySize, dimension)
          .withPaddingIndex(paddingIndex));
    }

    /** Adds an LSTM configured by {@code options} (lengths among them); {@code name} may be null. Returns its name. */
    public String addLstm(String name, int hiddenSize, UnaryOperator<Lstm> options, String input) {
      return add(name, Lstm.TYPE, n -> options.apply(new Lstm(n, input, hiddenSize)));
    }

    /** Adds a GRU configured by {@code options} (lengths among them); {@code name} may be null. Returns its name. */
    public String addGru(String name, int hiddenSize, UnaryOperator<Gru> options, String input) {
      return add(name, Gru.TYPE, n -> options.apply(new Gru(n, input, hiddenSize)));
    }

    /**
     * Adds a ready-made layer, e.g. one of a type without a dedicated method. Its inputs must
     * already exist. Returns its name.
     */
    public String addLayer(LayerSpec layer) {
      if (layer == null) {
        throw new SpecException("Layer is null.");
      }
      if (names.contains(layer.name())) {
        throw NetworkGraph.duplicateName(layer.name());
      }
      for (String input : layer.inputs()) {
        if (!names.contains(input)) {
          throw NetworkGraph.unknownReference(layer.name(), input);
        }
      }
      layers.add(layer);
      names.add(layer.name());
      last = layer.name();
      return layer.name();
    }

    /**
     * Validates the whole network, including shape inference, and returns it.
     *
     * @throws SpecException on any error, naming the layer and shapes concerned
     */
    public NetworkSpec build() {
      return new NetworkSpec(FORMAT_VERSION, inputs, layers, outputs);
    }

    private String previous(String type) {
      if (last == null) {
        throw new SpecException(
            "Cannot add a " + type + " layer sequentially before any input; call input(...) first.");
      }
      return last;
    }

    /** A sequence input, then the lengths input when there is one. */
    private static List<String> sequenceInputs(String input, String lengths) {
      return lengths == null ? Collections.singletonList(input) : Arrays.asList(input, lengths);
    }

    /** The first {@code N} after the last one used such that no node is named {@code prefix_N} or {@code prefix_N.*}. */
    private int freeBlockIndex(String prefix) {
      int index = lastIndex.getOrDefault(prefix, 0);
      while (true) {
        String block = prefix + "_" + ++index;
        if (names.stream().noneMatch(n -> n.equals(block) || n.startsWith(block + "."))) {
          return index;
        }
      }
    }

    /** Creates and adds a layer, choosing {@code prefix_N} as its name when {@code name} is null. */
    private String add(String name, String prefix, Function<String, LayerSpec> create) {
      if (name != null) {
        return addLayer(create.apply(name));
      }
      int index = lastIndex.getOrDefault(prefix, 0);
      String auto;
      do {
        index++;
        auto = prefix + "_" + index;
      } while (names.contains(auto));
      addLayer(create.apply(auto));
      // Only counted once added, so a rejected layer does not leave a gap in the numbering.
      lastIndex.put(prefix, index);
      return auto;
    }
  }
}
