package org.sparkdl.ml.param;

import java.io.Serializable;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.sparkdl.optim.LearningRateSchedule;
import scala.Function1;

/**
 * Every param of {@link NeuralNetworkParams} for one owner, built once here (name, a doc that
 * states range and default, validator), with {@link #setDefaults}: the only place either is
 * written. Each estimator and model holds one, created in its constructor after its uid is known.
 */
public final class NetworkParamSet implements Serializable {
  private static final long serialVersionUID = 1L;

  public final Param<String> network;
  public final IntArrayParam layers;
  public final Param<String> hiddenActivation;
  public final Param<String> optimizer;
  public final DoubleParam learningRate;
  public final DoubleParam weightDecay;
  public final DoubleParam clipNorm;
  public final Param<String> learningRateSchedule;
  public final IntParam batchSize;
  public final IntParam maxEpochs;
  public final DoubleParam tol;
  public final LongParam seed;
  public final Param<String> weightCol;
  public final Param<String> validationIndicatorCol;
  public final Param<String> syncMode;
  public final IntParam localSteps;
  public final IntParam aggregationDepth;
  public final IntParam numWorkers;
  public final Param<String> backend;
  public final BooleanParam validateInput;
  public final Param<String> checkpointDir;
  public final IntParam checkpointInterval;
  public final IntArrayParam inputShape;
  public final DoubleArrayParam channelMean;
  public final DoubleArrayParam channelStd;

  /** Builds the params of {@code owner}, whose uid must already be set. */
  public NetworkParamSet(Params owner) {
    this.network = new Param<String>(owner, "network", "The network as JSON (NetworkSpec format: inputs, layers, outputs);"
        + " when set it takes precedence over layers. Default: unset.");
    this.layers = new IntArrayParam(owner, "layers", "Layer sizes from input to output, e.g. [784, 128, 10]: dense layers"
        + " with hiddenActivation between them, as MLlib's MultilayerPerceptronClassifier. Every size > 0, at least 2."
        + " Ignored when network is set. Default: unset.", layersValidator());
    this.hiddenActivation = new Param<String>(owner, "hiddenActivation", "Activation between the layers of the layers shorthand: relu,"
        + " leaky_relu, elu, gelu, sigmoid or tanh. Default: relu.",
        ParamValidators.inArray(new String[] {"relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh"}));
    this.optimizer = new Param<String>(owner, "optimizer", "Optimizer: sgd, adam, adamw or rmsprop. Default: adam.",
        ParamValidators.inArray(new String[] {"sgd", "adam", "adamw", "rmsprop"}));
    this.learningRate = new DoubleParam(owner, "learningRate", "Base learning rate, > 0. Default: 0.003.", ParamValidators.gt(0));
    this.weightDecay = new DoubleParam(owner, "weightDecay", "Weight decay, >= 0: an L2 term for sgd, adam and rmsprop,"
        + " decoupled decay for adamw. Default: 0.", ParamValidators.gtEq(0));
    this.clipNorm = new DoubleParam(owner, "clipNorm", "Clip gradients to this global L2 norm; 0 disables. Default: 0.",
        ParamValidators.gtEq(0));
    this.learningRateSchedule = new Param<String>(owner, "learningRateSchedule", "Learning-rate schedule over optimizer steps: constant,"
        + " step:S:G, cosine:T[:M] or warmup:W+<schedule>. Default: constant.", new ScheduleValidator());
    this.batchSize = new IntParam(owner, "batchSize", "Rows per optimizer step over all workers, >= 1. Default: 64.",
        ParamValidators.gtEq(1));
    this.maxEpochs = new IntParam(owner, "maxEpochs", "Passes over the training data, >= 1. Default: 10.", ParamValidators.gtEq(1));
    this.tol = new DoubleParam(owner, "tol", "Early stopping: stop when an epoch improves the loss (validation loss when"
        + " validationIndicatorCol is set) by less than tol relative; 0 disables. Default: 0.", ParamValidators.gtEq(0));
    this.seed = new LongParam(owner, "seed", "Random seed for initialisation, shuffling and dropout. Default: 42.");
    this.weightCol = new Param<String>(owner, "weightCol", "Column of non-negative per-row weights; empty for all ones. Default: empty.");
    this.validationIndicatorCol = new Param<String>(owner, "validationIndicatorCol", "Boolean column: true rows are held out for validation"
        + " (metrics per epoch, early stopping with tol), like Spark's GBTs; empty for none. Default: empty.");
    this.syncMode = new Param<String>(owner, "syncMode", "How workers synchronise: gradient (every step sums all workers' gradients,"
        + " the step of one batch on one machine) or average (each worker takes localSteps steps on its own rows, then"
        + " parameters and optimizer state are averaged). Default: gradient.",
        ParamValidators.inArray(new String[] {"gradient", "average"}));
    this.localSteps = new IntParam(owner, "localSteps", "Local steps per round in average mode, >= 1. Default: 8.",
        ParamValidators.gtEq(1));
    this.aggregationDepth = new IntParam(owner, "aggregationDepth", "Depth of the treeAggregate that combines workers when a fit"
        + " runs one Spark job per round (where barrier stages cannot run, e.g. with dynamic allocation), >= 2. Default: 2.", ParamValidators.gtEq(2));
    this.numWorkers = new IntParam(owner, "numWorkers", "Data-parallel workers (partitions of the cached training data); 0 uses"
        + " the input's partitions. Beyond the task slots of the cluster, a task trains several. Default: 0.", ParamValidators.gtEq(0));
    this.backend = new Param<String>(owner, "backend", "Tensor backend on the executors: auto (CUDA when a GPU and its libraries"
        + " load, else CPU), cpu or cuda. Default: auto.", ParamValidators.inArray(new String[] {"auto", "cpu", "cuda"}));
    this.checkpointDir = new Param<String>(owner, "checkpointDir", "Directory (any Hadoop file system) for training"
        + " checkpoints: parameters, optimizer state and progress every checkpointInterval epochs. A fit with the same"
        + " settings resumes from the latest complete checkpoint there. Empty disables. Default: empty.");
    this.checkpointInterval = new IntParam(owner, "checkpointInterval", "Epochs between checkpoints, >= 1. Default: 1.",
        ParamValidators.gtEq(1));
    this.validateInput = new BooleanParam(owner, "validateInput", "Check every row for nulls, NaN and wrong sizes before training"
        + " and scoring (errors name the column and row). Default: true.");
    this.inputShape = new IntArrayParam(owner, "inputShape", "Per-row shape of the network's first input, e.g. [1, 28, 28]:"
        + " features of prod(inputShape) values (Vector, array<float>, array<double>) are fed in that shape; images are"
        + " decoded to [channels, height, width], sequences padded to [steps, values per step], token ids to [steps]. Must"
        + " match the network's input (or hold layers[0] values). Empty uses the network's input shape. Default: [].",
        new ShapeValidator());
    this.channelMean = new DoubleArrayParam(owner, "channelMean", "Per-channel mean subtracted from the features, one finite"
        + " value per channel (the first axis of the input shape), after images are scaled to [0, 1]: x' = (x - mean[c]) /"
        + " std[c]. Empty for 0. Default: [].", new ChannelValidator(false));
    this.channelStd = new DoubleArrayParam(owner, "channelStd", "Per-channel standard deviation the features are divided by,"
        + " one value > 0 per channel, after channelMean is subtracted. Empty for 1. Default: [].", new ChannelValidator(true));
  }

  /** Sets the defaults of every shared param on {@code p}. */
  public static void setDefaults(NeuralNetworkParams p) {
    p.setDefault(p.hiddenActivation(), "relu");
    p.setDefault(p.optimizer(), "adam");
    p.setDefault(p.learningRate(), 3e-3);
    p.setDefault(p.weightDecay(), 0.0);
    p.setDefault(p.clipNorm(), 0.0);
    p.setDefault(p.learningRateSchedule(), "constant");
    p.setDefault(p.batchSize(), 64);
    p.setDefault(p.maxEpochs(), 10);
    p.setDefault(p.tol(), 0.0);
    p.setDefault(p.seed(), 42L);
    p.setDefault(p.weightCol(), "");
    p.setDefault(p.validationIndicatorCol(), "");
    p.setDefault(p.syncMode(), "gradient");
    p.setDefault(p.localSteps(), 8);
    p.setDefault(p.aggregationDepth(), 2);
    p.setDefault(p.numWorkers(), 0);
    p.setDefault(p.backend(), "auto");
    p.setDefault(p.validateInput(), true);
    p.setDefault(p.checkpointDir(), "");
    p.setDefault(p.checkpointInterval(), 1);
    p.setDefault(p.inputShape(), new int[0]);
    p.setDefault(p.channelMean(), new double[0]);
    p.setDefault(p.channelStd(), new double[0]);
  }

  private static Function1<int[], Object> layersValidator() {
    return new LayersValidator();
  }

  /**
   * The message for invalid layer sizes, or {@code null} when they are valid; setters throw it so
   * users see why, rather than Spark's generic "given invalid value".
   */
  public static String layersProblem(int[] sizes) {
    if (sizes == null || sizes.length < 2) {
      return "Param layers " + java.util.Arrays.toString(sizes) + " is invalid: at least 2 sizes (input and output) are needed.";
    }
    for (int s : sizes) {
      if (s <= 0) {
        return "Param layers " + java.util.Arrays.toString(sizes) + " is invalid: every size must be > 0.";
      }
    }
    return null;
  }

  /**
   * The message for an unparsable learning-rate schedule, or {@code null} when it parses; setters
   * throw it, as for {@link #layersProblem}.
   */
  public static String scheduleProblem(String schedule) {
    try {
      LearningRateSchedule.parse(schedule);
      return null;
    } catch (IllegalArgumentException | NullPointerException e) {
      return "Param learningRateSchedule '" + schedule + "' is invalid; expected constant, step:S:G, cosine:T[:M] or"
          + " warmup:W+<schedule>.";
    }
  }

  /**
   * The message for an invalid input shape, or {@code null} when it is valid (empty, or 1 to 8
   * dimensions each &gt; 0); setters throw it, as for {@link #layersProblem}.
   */
  public static String inputShapeProblem(int[] shape) {
    if (shape == null) {
      return "Param inputShape is invalid: it is null; use an empty array for the network's input shape.";
    }
    long size = 1;
    for (int d : shape) {
      size = Math.min(size * Math.max(d, 0), 1L << 40);
    }
    if (shape.length > 8 || (shape.length > 0 && size == 0)) {
      return "Param inputShape " + java.util.Arrays.toString(shape) + " is invalid: at most 8 dimensions, each > 0.";
    }
    return null;
  }

  /**
   * The message for invalid per-channel values, or {@code null} when they are valid: finite, and
   * for a standard deviation &gt; 0.
   */
  public static String channelProblem(String param, double[] values, boolean positive) {
    for (double v : values == null ? new double[] {Double.NaN} : values) {
      if (!Double.isFinite(v) || (positive && !(v > 0))) {
        return "Param " + param + " " + java.util.Arrays.toString(values) + " is invalid: every value must be finite"
            + (positive ? " and > 0." : ".");
      }
    }
    return null;
  }

  /** Serializable validator of {@link #inputShapeProblem}. */
  private static final class ShapeValidator extends scala.runtime.AbstractFunction1<int[], Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(int[] shape) {
      return inputShapeProblem(shape) == null;
    }
  }

  /** Serializable validator of {@link #channelProblem}. */
  private static final class ChannelValidator extends scala.runtime.AbstractFunction1<double[], Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final boolean positive;

    ChannelValidator(boolean positive) {
      this.positive = positive;
    }

    @Override
    public Object apply(double[] values) {
      return channelProblem(positive ? "channelStd" : "channelMean", values, positive) == null;
    }
  }

  /** Rejects schedules that would only fail once a fit builds its optimizer. */
  private static final class ScheduleValidator extends scala.runtime.AbstractFunction1<String, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(String schedule) {
      return scheduleProblem(schedule) == null;
    }
  }

  /** Serializable, since params travel with their stage. */
  private static final class LayersValidator extends scala.runtime.AbstractFunction1<int[], Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(int[] sizes) {
      return layersProblem(sizes) == null;
    }
  }
}
