package org.sparkdl.ml.param;

import java.util.List;

/**
 * The one declaration of every param the spark-dl estimators and models share: name, type,
 * default, doc, check, and which stages may set it. {@link NetworkParamSet} builds the Spark params
 * from it at run time; the typed accessors, getters and setters that Spark and users call by name
 * (Java {@code NeuralNetworkParams}, {@code NeuralNetworkSetters}, {@code ScoringSetters}; Python
 * {@code _params.py}, {@code _setters.py} and the keyword signatures of the stages) are generated
 * from it by {@code ParamCodeGen}, and a test fails when a generated region differs from the table.
 *
 * <p>Adding a param: add its entry here; run {@code mvn -pl spark-dl-transformers test
 * -Dtest=ParamCodeGenTest -Dsparkdl.regenerate=true} (after {@code mvn install -DskipTests} of the
 * modules below it), which rewrites the generated regions; then read its getter where the param
 * acts (usually a {@code resolve...} method of {@code NeuralNetworkParams}). Its Java and Python
 * accessors, setters, keyword arguments, doc, default and validation need nothing else.
 */
public final class ParamTable {
  private ParamTable() {}

  /** A param's value type, with its Spark param class and its Java and Python spellings. */
  public enum Type {
    STRING("Param<String>", "String", "str"),
    INT("IntParam", "int", "int"),
    LONG("LongParam", "long", "int"),
    DOUBLE("DoubleParam", "double", "float"),
    BOOLEAN("BooleanParam", "boolean", "bool"),
    INT_ARRAY("IntArrayParam", "int[]", "List[int]"),
    DOUBLE_ARRAY("DoubleArrayParam", "double[]", "List[float]");

    /** The Spark param class, as Java source. */
    public final String paramClass;
    /** The value type, as Java source. */
    public final String javaType;
    /** The value type, as a Python annotation. */
    public final String pythonType;

    Type(String paramClass, String javaType, String pythonType) {
      this.paramClass = paramClass;
      this.javaType = javaType;
      this.pythonType = pythonType;
    }
  }

  /** Which stages set a param: the estimators only, or the models too (a scoring setting). */
  public enum Scope {
    ESTIMATOR,
    SCORING
  }

  /** What a value must be; Java validators and Python converters both follow it. */
  public sealed interface Check {}

  /** Any value of the type. */
  public record Any() implements Check {}

  /** One of {@code values}. */
  public record OneOf(List<String> values) implements Check {}

  /** At least {@code low} ({@code inclusive}) or more than it. */
  public record AtLeast(double low, boolean inclusive) implements Check {}

  /**
   * A check written by hand: in Java {@link NetworkParamSet#problem(String, Object)} under the
   * param's name, in Python the converter {@code python} (an expression in {@code _params.py});
   * {@code sample} is a valid value other than the default for the params contract tests (null:
   * the tests give their own).
   */
  public record Custom(String python, Object sample) implements Check {
    /** A hand-written check whose sample the tests give. */
    public Custom(String python) {
      this(python, null);
    }
  }

  /**
   * One param.
   *
   * @param name its name, as in Spark and PySpark
   * @param type its value type
   * @param defaultValue its default ({@code null}: unset), of the Java type ({@code Integer}, {@code int[]}, ...)
   * @param doc its doc: what it does, its range and its default
   * @param summary one line for the getter's and setter's docs
   * @param check what a value must be
   * @param scope which stages set it
   */
  public record Def(String name, Type type, Object defaultValue, String doc, String summary, Check check, Scope scope) {
    /** The Java and Python spelling of the name with an upper-case first letter ({@code setBatchSize}). */
    public String capitalized() {
      return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
  }

  private static Def estimator(String name, Type type, Object defaultValue, Check check, String summary, String doc) {
    return new Def(name, type, defaultValue, doc, summary, check, Scope.ESTIMATOR);
  }

  private static Def scoring(String name, Type type, Object defaultValue, Check check, String summary, String doc) {
    return new Def(name, type, defaultValue, doc, summary, check, Scope.SCORING);
  }

  private static Check oneOf(String... values) {
    return new OneOf(List.of(values));
  }

  private static final Check ANY = new Any();

  /** Every shared param, in the order the generated code lists them. */
  public static final List<Def> SHARED = List.of(
      estimator("network", Type.STRING, null, new Custom("toNetworkJson"), "The network as JSON (NetworkSpec format).",
          "The network as JSON (NetworkSpec format: inputs, layers, outputs); when set it takes precedence over layers."
          + " Default: unset."),
      estimator("layers", Type.INT_ARRAY, null, new Custom("toListLayerSizes"),
          "Layer sizes of the MLP shorthand, input to output, e.g. [784, 128, 10].",
          "Layer sizes from input to output, e.g. [784, 128, 10]: dense layers with hiddenActivation between them, as"
          + " MLlib's MultilayerPerceptronClassifier. Every size > 0, at least 2. Ignored when network is set. Default:"
          + " unset."),
      estimator("hiddenActivation", Type.STRING, "relu",
          oneOf("relu", "leaky_relu", "elu", "gelu", "gelu_erf", "silu", "sigmoid", "tanh"),
          "Activation between the layers of the layers shorthand.",
          "Activation between the layers of the layers shorthand: relu, leaky_relu, elu, gelu (tanh approximation),"
          + " gelu_erf (exact, PyTorch's default), silu (x sigmoid(x), also called swish), sigmoid or tanh. Default:"
          + " relu."),
      estimator("optimizer", Type.STRING, "adam", oneOf("sgd", "adam", "adamw", "rmsprop"),
          "The optimizer: sgd, adam, adamw or rmsprop.", "Optimizer: sgd, adam, adamw or rmsprop. Default: adam."),
      estimator("learningRate", Type.DOUBLE, 3e-3, new AtLeast(0, false), "The base learning rate.",
          "Base learning rate, > 0. Default: 0.003."),
      estimator("weightDecay", Type.DOUBLE, 0.0, new AtLeast(0, true), "The weight decay.",
          "Weight decay, >= 0: an L2 term for sgd, adam and rmsprop, decoupled decay for adamw. Default: 0."),
      estimator("clipNorm", Type.DOUBLE, 0.0, new AtLeast(0, true), "The global gradient-norm clip (0: off).",
          "Clip gradients to this global L2 norm; 0 disables. Default: 0."),
      estimator("learningRateSchedule", Type.STRING, "constant", new Custom("toSchedule"), "The learning-rate schedule.",
          "Learning-rate schedule over optimizer steps: constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>."
          + " Default: constant."),
      estimator("batchSize", Type.INT, 64, new AtLeast(1, true), "Rows per optimizer step over all workers.",
          "Rows per optimizer step over all workers, >= 1. Default: 64."),
      estimator("maxEpochs", Type.INT, 10, new AtLeast(1, true), "Passes over the training data.",
          "Passes over the training data, >= 1. Default: 10."),
      estimator("tol", Type.DOUBLE, 0.0, new AtLeast(0, true), "The early-stopping tolerance (0: off).",
          "Early stopping: stop when an epoch improves the monitored value (see monitor: by default the validation"
          + " loss with a validation split, else the training loss) by less than tol relative; 0 with minDelta 0"
          + " disables. Default: 0."),
      estimator("minDelta", Type.DOUBLE, 0.0, new AtLeast(0, true),
          "The smallest absolute improvement that counts for early stopping (0: off).",
          "Early stopping: stop when an epoch improves the monitored value by less than minDelta (absolute, as Keras'"
          + " min_delta; with tol too, by less than either); 0 with tol 0 disables early stopping. Default: 0."),
      estimator("monitor", Type.STRING, "auto", oneOf("auto", "loss", "validationLoss", "validationMetric"),
          "What early stopping and the kept epoch watch: auto, loss, validationLoss or validationMetric.",
          "What early stopping (tol, minDelta, patience) and, with a validation split, the epoch the model keeps"
          + " watch: loss (the training loss), validationLoss, validationMetric (accuracy for a classifier, higher is"
          + " better; rmse for a regressor), or auto: validationLoss with a validation split, else loss. The validation"
          + " ones need validationIndicatorCol or validationFraction. Default: auto."),
      estimator("patience", Type.INT, 1, new AtLeast(1, true), "Epochs in a row below tol or minDelta before early stopping.",
          "Early stopping: how many epochs in a row must improve the monitored value by less than tol or minDelta"
          + " before the fit stops, >= 1. Default: 1."),
      estimator("seed", Type.LONG, 42L, ANY, "The random seed.",
          "Random seed for initialisation, shuffling and dropout. Default: 42."),
      estimator("weightCol", Type.STRING, "", ANY, "The per-row weight column (empty for none).",
          "Column of non-negative per-row weights; empty for all ones. Default: empty."),
      estimator("classWeights", Type.STRING, "", new Custom("toClassWeights", "1.0,3.0"),
          "Per-class loss weights (classifiers): balanced, comma-separated weights, or empty for none.",
          "Classifiers only: each training row's loss is multiplied by its class's weight (and by its weightCol"
          + " weight), as Keras' class_weight. balanced weighs class c by rows / (classes * rows of class c), counted"
          + " over the training rows, as scikit-learn's class_weight='balanced'; or one weight per class, in class"
          + " order, comma-separated (e.g. 1,5), each finite and >= 0, not all 0. The validation loss is weighted the"
          + " same way; accuracy and the confusion matrix are not. Empty for none. Default: empty."),
      estimator("validationIndicatorCol", Type.STRING, "", ANY, "The validation indicator column (empty for none).",
          "Boolean column: true rows are held out for validation (metrics per epoch, early stopping with tol), like"
          + " Spark's GBTs; empty for none. Default: empty."),
      estimator("stopOnDivergence", Type.BOOLEAN, false, ANY, "Whether a diverging fit stops with an error.",
          "Stop the fit with an error when the training loss diverges (grows to 100 times its starting level);"
          + " otherwise the fit goes on with a warning in the log and in the training summary. Default: false."),
      estimator("validationFraction", Type.DOUBLE, 0.0, new Custom("_fraction(\"validationFraction\")", 0.2),
          "The fraction of rows held out at random for validation (0: none).",
          "Fraction of the rows held out at random (seeded by seed) for validation, as validationIndicatorCol does"
          + " (metrics per epoch, early stopping with tol), when validationIndicatorCol is empty. In [0, 1); 0 holds out"
          + " none. Default: 0."),
      estimator("syncMode", Type.STRING, "gradient", oneOf("gradient", "average"),
          "How workers synchronise: gradient or average.",
          "How workers synchronise: gradient (every step sums all workers' gradients, the step of one batch on one"
          + " machine) or average (each worker takes localSteps steps on its own rows, then parameters and optimizer"
          + " state are averaged). Default: gradient."),
      estimator("localSteps", Type.INT, 8, new AtLeast(1, true), "Local steps per round in average mode.",
          "Local steps per round in average mode, >= 1. Default: 8."),
      estimator("aggregationDepth", Type.INT, 2, new AtLeast(2, true), "Depth of the treeAggregate.",
          "Depth of the treeAggregate that combines workers when a fit runs one Spark job per round (where barrier"
          + " stages cannot run, e.g. with dynamic allocation), >= 2. Default: 2."),
      estimator("numWorkers", Type.INT, 0, new AtLeast(0, true), "Data-parallel workers (0: chosen by the fit).",
          "Data-parallel workers (partitions of the cached training data); 0 uses the input's partitions, dealt out"
          + " to every task slot when there are fewer, and in gradient mode only as many tasks as a step of the network"
          + " keeps busy (spark.sparkdl.train.taskMultiplyAdds). Beyond the task slots of the cluster, a task trains"
          + " several. Default: 0."),
      estimator("featuresLayout", Type.STRING, "auto", oneOf("auto", "sparse", "dense"),
          "How the features reach the network's first input: auto, sparse or dense.",
          "How the features reach the network's first input: sparse (compressed rows, so a step costs the rows'"
          + " non-zeros, not the width; only dense layers may read the input), dense, or auto: sparse for a network from"
          + " layers whose input is 16384 wide or more, fed by a Vector column with inputShape empty, else as the network"
          + " JSON's input says ('sparse': true). Default: auto."),
      scoring("backend", Type.STRING, "auto", oneOf("auto", "cpu", "cuda"), "The tensor backend: auto, cpu or cuda.",
          "Tensor backend on the executors: auto (CUDA when a GPU and its libraries load, else CPU), cpu or cuda."
          + " Default: auto."),
      estimator("checkpointDir", Type.STRING, "", ANY, "The checkpoint directory (empty for none).",
          "Directory (any Hadoop file system) for training checkpoints: parameters, optimizer state and progress every"
          + " checkpointInterval epochs. A fit with the same settings resumes from the latest complete checkpoint"
          + " there. Empty disables. Default: empty."),
      estimator("checkpointInterval", Type.INT, 1, new AtLeast(1, true), "Epochs between checkpoints.",
          "Epochs between checkpoints, >= 1. Default: 1."),
      estimator("logDir", Type.STRING, "", ANY, "The TensorBoard log directory (empty for none).",
          "Directory (any Hadoop file system) under which each fit writes a TensorBoard run: a folder named after the"
          + " estimator's uid and the start time, holding event files with the loss, learning rate, rows/s and"
          + " synchronisation share of every round, the losses, metrics and time of every epoch, histograms of every"
          + " parameter and its gradient each epoch, and the fit's params (hparams and text). Flushed at every epoch"
          + " end, so TensorBoard shows a running fit; a fit resumed from checkpointDir continues the same run."
          + " Empty disables. Default: empty."),
      estimator("initialModel", Type.STRING, "", ANY, "A saved model whose weights start the fit (empty for none).",
          "Path (any Hadoop file system) of a saved spark-dl model, of a saved PipelineModel holding one, or of an"
          + " .onnx file (imported into spark-dl's layers), whose weights start the fit (fine-tuning): every parameter of the network with the same name and shape takes"
          + " its saved value, the others (a new head, say) start from their initialisers, and an INFO line lists"
          + " both. Without layers or network set, the fit trains the saved model's own network. Its batch"
          + " normalisation statistics come along. Empty: every parameter starts from its initialiser. Default:"
          + " empty."),
      estimator("frozenLayers", Type.STRING, "", ANY, "Layers that keep their weights in the fit, comma-separated.",
          "Comma-separated layers whose parameters keep their values in the fit: each entry a layer name, or a"
          + " prefix ending in * (conv* freezes every layer whose name starts with conv). A frozen parameter takes"
          + " no gradient and has no optimizer state; a frozen batch normalisation still updates its running"
          + " statistics. An entry that matches no layer is an error naming the layers there are. Default: empty."),
      scoring("validateInput", Type.BOOLEAN, true, ANY, "Whether every row is checked for nulls, NaN and wrong sizes.",
          "Check every row for nulls, NaN and wrong sizes before training and scoring (errors name the column and"
          + " row). Default: true."),
      scoring("inputShape", Type.INT_ARRAY, new int[0], new Custom("toListInputShape"),
          "The per-row shape of the network's first input (empty for the network's own).",
          "Per-row shape of the network's first input, e.g. [1, 28, 28]: features of prod(inputShape) values (Vector,"
          + " array<float>, array<double>) are fed in that shape; images are decoded to [channels, height, width],"
          + " sequences padded to [steps, values per step], token ids to [steps]. Must match the network's input (or"
          + " hold layers[0] values). Empty uses the network's input shape. Default: []."),
      scoring("channelMean", Type.DOUBLE_ARRAY, new double[0], new Custom("_channels(\"channelMean\", False)"),
          "The per-channel means subtracted from the features (empty for none).",
          "Per-channel mean subtracted from the features, one finite value per channel (the first axis of the input"
          + " shape), after images are scaled to [0, 1]: x' = (x - mean[c]) / std[c]. Empty for 0. Default: []."),
      scoring("channelStd", Type.DOUBLE_ARRAY, new double[0], new Custom("_channels(\"channelStd\", True)"),
          "The per-channel standard deviations the features are divided by (empty for none).",
          "Per-channel standard deviation the features are divided by, one value > 0 per channel, after channelMean is"
          + " subtracted. Empty for 1. Default: []."));

  /**
   * A valid value other than the default for every param whose check is not hand-written, by name,
   * derived from the check (another choice, a number above the bound, the other boolean, a name):
   * the params contract tests set and read each, so a new param needs no sample of its own.
   */
  public static java.util.Map<String, Object> samples() {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (Def d : SHARED) {
      Object sample = null;
      if (d.check() instanceof OneOf one) {
        sample = one.values().stream().filter(v -> !v.equals(d.defaultValue())).findFirst().orElseThrow();
      } else if (d.check() instanceof AtLeast at) {
        sample = number(d.type(), at.low() + 2, d.defaultValue());
      } else if (d.check() instanceof Custom custom) {
        sample = custom.sample();
      } else if (d.check() instanceof Any) {
        sample = switch (d.type()) {
          case BOOLEAN -> !Boolean.TRUE.equals(d.defaultValue());
          case STRING -> d.name() + "_sample";
          default -> number(d.type(), 7, d.defaultValue());
        };
      }
      if (sample != null) {
        out.put(d.name(), sample);
      }
    }
    return out;
  }

  private static Object number(Type type, double value, Object defaultValue) {
    Object v = switch (type) {
      case INT -> (int) value;
      case LONG -> (long) value;
      default -> value;
    };
    return v.equals(defaultValue) ? number(type, value + 1, defaultValue) : v;
  }
}
