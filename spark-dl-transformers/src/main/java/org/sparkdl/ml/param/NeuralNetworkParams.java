package org.sparkdl.ml.param;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.arrow.FeatureInput;
import org.sparkdl.arrow.InputColumn;
import org.sparkdl.ml.NetworkModel;
import org.sparkdl.ml.scoring.SavedModel;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.NetworkSpec;

/**
 * The params every spark-dl estimator and model shares, with their getters. The params themselves
 * are built once by {@link NetworkParamSet}; this interface gives the public accessors Spark finds by
 * reflection, and the getters.
 *
 * <p>Spark's own params ({@code featuresCol}, {@code labelCol}, {@code predictionCol}, ...) come
 * from the Spark base classes.
 *
 * <p><b>Size.</b> Over 400 lines: most of it is the accessors and getters ParamCodeGen writes from
 * ParamTable, two short methods a param.
 */
public interface NeuralNetworkParams extends Params {
  /** The params themselves; each implementing class builds one in its constructor. */
  NetworkParamSet networkParams();

  // @generated-begin ParamCodeGen accessors
  /** The network as JSON (NetworkSpec format). */
  default Param<String> network() {
    return networkParams().get("network");
  }

  /** The value of {@link #network()}, or its default. */
  default String getNetwork() {
    return getOrDefault(network());
  }

  /** Layer sizes of the MLP shorthand, input to output, e.g. [784, 128, 10]. */
  default IntArrayParam layers() {
    return networkParams().get("layers");
  }

  /** The value of {@link #layers()}, or its default. */
  default int[] getLayers() {
    return getOrDefault(layers());
  }

  /** Activation between the layers of the layers shorthand. */
  default Param<String> hiddenActivation() {
    return networkParams().get("hiddenActivation");
  }

  /** The value of {@link #hiddenActivation()}, or its default. */
  default String getHiddenActivation() {
    return getOrDefault(hiddenActivation());
  }

  /** The optimizer: sgd, adam, adamw or rmsprop. */
  default Param<String> optimizer() {
    return networkParams().get("optimizer");
  }

  /** The value of {@link #optimizer()}, or its default. */
  default String getOptimizer() {
    return getOrDefault(optimizer());
  }

  /** The base learning rate. */
  default DoubleParam learningRate() {
    return networkParams().get("learningRate");
  }

  /** The value of {@link #learningRate()}, or its default. */
  default double getLearningRate() {
    return (Double) getOrDefault(learningRate());
  }

  /** The weight decay. */
  default DoubleParam weightDecay() {
    return networkParams().get("weightDecay");
  }

  /** The value of {@link #weightDecay()}, or its default. */
  default double getWeightDecay() {
    return (Double) getOrDefault(weightDecay());
  }

  /** The global gradient-norm clip (0: off). */
  default DoubleParam clipNorm() {
    return networkParams().get("clipNorm");
  }

  /** The value of {@link #clipNorm()}, or its default. */
  default double getClipNorm() {
    return (Double) getOrDefault(clipNorm());
  }

  /** The learning-rate schedule. */
  default Param<String> learningRateSchedule() {
    return networkParams().get("learningRateSchedule");
  }

  /** The value of {@link #learningRateSchedule()}, or its default. */
  default String getLearningRateSchedule() {
    return getOrDefault(learningRateSchedule());
  }

  /** Rows per optimizer step over all workers. */
  default IntParam batchSize() {
    return networkParams().get("batchSize");
  }

  /** The value of {@link #batchSize()}, or its default. */
  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  /** Passes over the training data. */
  default IntParam maxEpochs() {
    return networkParams().get("maxEpochs");
  }

  /** The value of {@link #maxEpochs()}, or its default. */
  default int getMaxEpochs() {
    return (Integer) getOrDefault(maxEpochs());
  }

  /** The early-stopping tolerance (0: off). */
  default DoubleParam tol() {
    return networkParams().get("tol");
  }

  /** The value of {@link #tol()}, or its default. */
  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  /** The smallest absolute improvement that counts for early stopping (0: off). */
  default DoubleParam minDelta() {
    return networkParams().get("minDelta");
  }

  /** The value of {@link #minDelta()}, or its default. */
  default double getMinDelta() {
    return (Double) getOrDefault(minDelta());
  }

  /** What early stopping and the kept epoch watch: auto, loss, validationLoss or validationMetric. */
  default Param<String> monitor() {
    return networkParams().get("monitor");
  }

  /** The value of {@link #monitor()}, or its default. */
  default String getMonitor() {
    return getOrDefault(monitor());
  }

  /** Epochs in a row below tol or minDelta before early stopping. */
  default IntParam patience() {
    return networkParams().get("patience");
  }

  /** The value of {@link #patience()}, or its default. */
  default int getPatience() {
    return (Integer) getOrDefault(patience());
  }

  /** The random seed. */
  default LongParam seed() {
    return networkParams().get("seed");
  }

  /** The value of {@link #seed()}, or its default. */
  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  /** The per-row weight column (empty for none). */
  default Param<String> weightCol() {
    return networkParams().get("weightCol");
  }

  /** The value of {@link #weightCol()}, or its default. */
  default String getWeightCol() {
    return getOrDefault(weightCol());
  }

  /** Per-class loss weights (classifiers): balanced, comma-separated weights, or empty for none. */
  default Param<String> classWeights() {
    return networkParams().get("classWeights");
  }

  /** The value of {@link #classWeights()}, or its default. */
  default String getClassWeights() {
    return getOrDefault(classWeights());
  }

  /** The validation indicator column (empty for none). */
  default Param<String> validationIndicatorCol() {
    return networkParams().get("validationIndicatorCol");
  }

  /** The value of {@link #validationIndicatorCol()}, or its default. */
  default String getValidationIndicatorCol() {
    return getOrDefault(validationIndicatorCol());
  }

  /** Whether a diverging fit stops with an error. */
  default BooleanParam stopOnDivergence() {
    return networkParams().get("stopOnDivergence");
  }

  /** The value of {@link #stopOnDivergence()}, or its default. */
  default boolean getStopOnDivergence() {
    return (Boolean) getOrDefault(stopOnDivergence());
  }

  /** The fraction of rows held out at random for validation (0: none). */
  default DoubleParam validationFraction() {
    return networkParams().get("validationFraction");
  }

  /** The value of {@link #validationFraction()}, or its default. */
  default double getValidationFraction() {
    return (Double) getOrDefault(validationFraction());
  }

  /** How workers synchronise: gradient or average. */
  default Param<String> syncMode() {
    return networkParams().get("syncMode");
  }

  /** The value of {@link #syncMode()}, or its default. */
  default String getSyncMode() {
    return getOrDefault(syncMode());
  }

  /** Local steps per round in average mode. */
  default IntParam localSteps() {
    return networkParams().get("localSteps");
  }

  /** The value of {@link #localSteps()}, or its default. */
  default int getLocalSteps() {
    return (Integer) getOrDefault(localSteps());
  }

  /** Depth of the treeAggregate. */
  default IntParam aggregationDepth() {
    return networkParams().get("aggregationDepth");
  }

  /** The value of {@link #aggregationDepth()}, or its default. */
  default int getAggregationDepth() {
    return (Integer) getOrDefault(aggregationDepth());
  }

  /** Data-parallel workers (0: chosen by the fit). */
  default IntParam numWorkers() {
    return networkParams().get("numWorkers");
  }

  /** The value of {@link #numWorkers()}, or its default. */
  default int getNumWorkers() {
    return (Integer) getOrDefault(numWorkers());
  }

  /** How the features reach the network's first input: auto, sparse or dense. */
  default Param<String> featuresLayout() {
    return networkParams().get("featuresLayout");
  }

  /** The value of {@link #featuresLayout()}, or its default. */
  default String getFeaturesLayout() {
    return getOrDefault(featuresLayout());
  }

  /** The tensor backend: auto, cpu or cuda. */
  default Param<String> backend() {
    return networkParams().get("backend");
  }

  /** The value of {@link #backend()}, or its default. */
  default String getBackend() {
    return getOrDefault(backend());
  }

  /** The checkpoint directory (empty for none). */
  default Param<String> checkpointDir() {
    return networkParams().get("checkpointDir");
  }

  /** The value of {@link #checkpointDir()}, or its default. */
  default String getCheckpointDir() {
    return getOrDefault(checkpointDir());
  }

  /** Epochs between checkpoints. */
  default IntParam checkpointInterval() {
    return networkParams().get("checkpointInterval");
  }

  /** The value of {@link #checkpointInterval()}, or its default. */
  default int getCheckpointInterval() {
    return (Integer) getOrDefault(checkpointInterval());
  }

  /** The TensorBoard log directory (empty for none). */
  default Param<String> logDir() {
    return networkParams().get("logDir");
  }

  /** The value of {@link #logDir()}, or its default. */
  default String getLogDir() {
    return getOrDefault(logDir());
  }

  /** A saved model whose weights start the fit (empty for none). */
  default Param<String> initialModel() {
    return networkParams().get("initialModel");
  }

  /** The value of {@link #initialModel()}, or its default. */
  default String getInitialModel() {
    return getOrDefault(initialModel());
  }

  /** Layers that keep their weights in the fit, comma-separated. */
  default Param<String> frozenLayers() {
    return networkParams().get("frozenLayers");
  }

  /** The value of {@link #frozenLayers()}, or its default. */
  default String getFrozenLayers() {
    return getOrDefault(frozenLayers());
  }

  /** Whether every row is checked for nulls, NaN and wrong sizes. */
  default BooleanParam validateInput() {
    return networkParams().get("validateInput");
  }

  /** The value of {@link #validateInput()}, or its default. */
  default boolean getValidateInput() {
    return (Boolean) getOrDefault(validateInput());
  }

  /** The per-row shape of the network's first input (empty for the network's own). */
  default IntArrayParam inputShape() {
    return networkParams().get("inputShape");
  }

  /** The value of {@link #inputShape()}, or its default. */
  default int[] getInputShape() {
    return getOrDefault(inputShape());
  }

  /** The per-channel means subtracted from the features (empty for none). */
  default DoubleArrayParam channelMean() {
    return networkParams().get("channelMean");
  }

  /** The value of {@link #channelMean()}, or its default. */
  default double[] getChannelMean() {
    return getOrDefault(channelMean());
  }

  /** The per-channel standard deviations the features are divided by (empty for none). */
  default DoubleArrayParam channelStd() {
    return networkParams().get("channelStd");
  }

  /** The value of {@link #channelStd()}, or its default. */
  default double[] getChannelStd() {
    return getOrDefault(channelStd());
  }
  // @generated-end

  /**
   * The network these params describe for {@code inputWidth} features and {@code outputWidth}
   * outputs: the {@code network} JSON when set, else an MLP of {@code layers}.
   *
   * @throws IllegalArgumentException when neither is usable, or the spec's widths disagree
   */
  default NetworkSpec resolveNetwork() {
    if (isDefined(network()) && !getNetwork().isEmpty()) {
      return NetworkSpec.fromJson(getNetwork());
    }
    if (!isDefined(layers())) {
      if (!getInitialModel().isEmpty()) {
        // fine-tuning the saved network itself
        return ((NetworkModel) SavedModel.load(SparkSession.active(), getInitialModel(), "initialModel", false).model()).spec();
      }
      throw new IllegalArgumentException("Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.");
    }
    return NetworkSpec.mlp(getLayers(), getHiddenActivation());
  }

  /**
   * {@link #resolveNetwork()} for a fit on {@code schema}, its first input read as {@code
   * featuresLayout} says: {@code sparse} or {@code dense} as set; {@code auto} reads sparse rows for
   * a network made from {@code layers} whose input is {@link #SPARSE_WIDTH} values or more, fed by a
   * {@code Vector} column with no {@code inputShape} (vectors that wide are, in practice, hashed or
   * counted terms, one-hot ids: mostly zeros), so that a step costs the rows' non-zeros, not the
   * width; a network given as JSON says so itself ({@code "sparse": true} on its input).
   *
   * @throws IllegalArgumentException when the network cannot read a sparse input
   */
  default NetworkSpec resolveNetwork(StructType schema, String featuresCol) {
    NetworkSpec spec = resolveNetwork();
    String layout = getFeaturesLayout();
    if (!layout.equals("auto")) {
      try {
        return spec.withInputSparse(layout.equals("sparse"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Param featuresLayout is sparse, but the network cannot read sparse rows: "
            + e.getMessage() + " Set featuresLayout to dense or auto.", e);
      }
    }
    boolean fromLayers = !(isDefined(network()) && !getNetwork().isEmpty());
    if (fromLayers && getInputShape().length == 0 && spec.inputs().get(0).shape().get(0) >= SPARSE_WIDTH
        && java.util.Arrays.asList(schema.fieldNames()).contains(featuresCol)
        && InputColumn.features(schema, featuresCol).kind() == InputColumn.Kind.VECTOR) {
      return spec.withInputSparse(true);
    }
    return spec;
  }

  /** The width from which a {@code layers} network reads a Vector column as sparse rows (see {@link #resolveNetwork(StructType, String)}). */
  int SPARSE_WIDTH = 16_384;

  /**
   * The per-row shape the features fill: {@code inputShape} when set, else the shape of {@code
   * spec}'s first input. A set {@code inputShape} must equal that shape, except for a network made
   * from {@code layers}, whose flat input takes any shape of as many values (images into an MLP).
   *
   * @throws IllegalArgumentException naming both shapes when they disagree
   */
  default List<Integer> resolveInputShape(NetworkSpec spec) {
    InputSpec first = spec.inputs().get(0);
    int[] set = getInputShape();
    if (set.length == 0) {
      return first.shape();
    }
    List<Integer> shape = Arrays.stream(set).boxed().toList();
    boolean fromLayers = !(isDefined(network()) && !getNetwork().isEmpty()) && isDefined(layers());
    if (fromLayers) {
      long values = Arrays.stream(set).asLongStream().reduce(1, (a, b) -> a * b);
      if (values != first.shape().get(0)) {
        throw new IllegalArgumentException("Param inputShape " + shape + " holds " + values + " values; layers starts with "
            + first.shape().get(0) + " inputs.");
      }
      return shape;
    }
    if (!shape.equals(first.shape())) {
      throw new IllegalArgumentException("Param inputShape " + shape + " does not match the network's input '" + first.name()
          + "' of shape " + first.shape() + "; leave inputShape empty or make the two agree.");
    }
    return shape;
  }

  /**
   * Whether {@code spec} reads each row's sequence length: a second input named {@code lengths}
   * of shape {@code [1]}, after the input the features fill.
   *
   * @throws IllegalArgumentException when the network has any other inputs than these
   */
  static boolean readsLengths(NetworkSpec spec) {
    List<InputSpec> in = spec.inputs();
    if (in.size() == 1) {
      return false;
    }
    if (in.size() == 2 && in.get(1).name().equals("lengths") && in.get(1).shape().equals(List.of(1))) {
      return true;
    }
    throw new IllegalArgumentException("The network has " + in.size() + " inputs " + in.stream().map(i -> "'" + i.name() + "' "
        + i.shape()).toList() + "; featuresCol feeds the first, and a second can only be 'lengths' of shape [1] (each row's"
        + " sequence length).");
  }

  /**
   * The features column {@code featuresCol} of {@code schema} resolved as {@code spec}'s input:
   * shape from {@link #resolveInputShape}, lengths from {@link #readsLengths}, and the channel
   * normalisation params.
   *
   * @throws IllegalArgumentException naming the column or param when they do not fit the network
   */
  default FeatureInput resolveFeatures(StructType schema, String featuresCol, NetworkSpec spec) {
    InputSpec first = spec.inputs().get(0);
    if (first.sparse()) {
      if (getChannelMean().length > 0 || getChannelStd().length > 0) {
        throw new IllegalArgumentException("The network's input '" + first.name() + "' is sparse; params channelMean and"
            + " channelStd apply to dense inputs only. Leave them empty.");
      }
      resolveInputShape(spec);
      return FeatureInput.sparse(InputColumn.features(schema, featuresCol), first.shape().get(0));
    }
    boolean lengths = readsLengths(spec);
    return FeatureInput.resolve(schema, featuresCol, resolveInputShape(spec), lengths, getChannelMean(), getChannelStd());
  }

  /** The optimizer these params describe. */
  default OptimizerSpec resolveOptimizer() {
    return OptimizerSpec.of(getOptimizer(), getLearningRate())
        .withWeightDecay(getWeightDecay())
        .withClipNorm(getClipNorm())
        .withSchedule(getLearningRateSchedule());
  }
}
