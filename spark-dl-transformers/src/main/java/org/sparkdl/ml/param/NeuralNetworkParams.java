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
import org.apache.spark.sql.types.StructType;
import org.sparkdl.arrow.FeatureInput;
import org.sparkdl.arrow.InputColumn;
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
 */
public interface NeuralNetworkParams extends Params {
  /** The params themselves; each implementing class builds one in its constructor. */
  NetworkParamSet networkParams();

  /** The network as JSON (the {@link NetworkSpec} format); takes precedence over {@link #layers()}. */
  default Param<String> network() {
    return networkParams().network;
  }

  /** Layer sizes, input to output: the MLlib {@code MultilayerPerceptronClassifier} shorthand. */
  default IntArrayParam layers() {
    return networkParams().layers;
  }

  /** Activation between the layers of {@link #layers()}. */
  default Param<String> hiddenActivation() {
    return networkParams().hiddenActivation;
  }

  default Param<String> optimizer() {
    return networkParams().optimizer;
  }

  default DoubleParam learningRate() {
    return networkParams().learningRate;
  }

  default DoubleParam weightDecay() {
    return networkParams().weightDecay;
  }

  default DoubleParam clipNorm() {
    return networkParams().clipNorm;
  }

  default Param<String> learningRateSchedule() {
    return networkParams().learningRateSchedule;
  }

  default IntParam batchSize() {
    return networkParams().batchSize;
  }

  default IntParam maxEpochs() {
    return networkParams().maxEpochs;
  }

  default DoubleParam tol() {
    return networkParams().tol;
  }

  default LongParam seed() {
    return networkParams().seed;
  }

  default Param<String> weightCol() {
    return networkParams().weightCol;
  }

  default Param<String> validationIndicatorCol() {
    return networkParams().validationIndicatorCol;
  }

  default Param<String> syncMode() {
    return networkParams().syncMode;
  }

  default IntParam localSteps() {
    return networkParams().localSteps;
  }

  default IntParam aggregationDepth() {
    return networkParams().aggregationDepth;
  }

  default IntParam numWorkers() {
    return networkParams().numWorkers;
  }

  default Param<String> backend() {
    return networkParams().backend;
  }

  default BooleanParam validateInput() {
    return networkParams().validateInput;
  }

  default Param<String> checkpointDir() {
    return networkParams().checkpointDir;
  }

  default IntParam checkpointInterval() {
    return networkParams().checkpointInterval;
  }

  /** Per-row shape of the network's first input; empty for the network's own. */
  default IntArrayParam inputShape() {
    return networkParams().inputShape;
  }

  /** Per-channel means subtracted from the features; empty for none. */
  default DoubleArrayParam channelMean() {
    return networkParams().channelMean;
  }

  /** Per-channel standard deviations the features are divided by; empty for none. */
  default DoubleArrayParam channelStd() {
    return networkParams().channelStd;
  }

  default int[] getInputShape() {
    return getOrDefault(inputShape());
  }

  default double[] getChannelMean() {
    return getOrDefault(channelMean());
  }

  default double[] getChannelStd() {
    return getOrDefault(channelStd());
  }

  default String getNetwork() {
    return getOrDefault(network());
  }

  default int[] getLayers() {
    return getOrDefault(layers());
  }

  default String getHiddenActivation() {
    return getOrDefault(hiddenActivation());
  }

  default String getOptimizer() {
    return getOrDefault(optimizer());
  }

  default double getLearningRate() {
    return (Double) getOrDefault(learningRate());
  }

  default double getWeightDecay() {
    return (Double) getOrDefault(weightDecay());
  }

  default double getClipNorm() {
    return (Double) getOrDefault(clipNorm());
  }

  default String getLearningRateSchedule() {
    return getOrDefault(learningRateSchedule());
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default int getMaxEpochs() {
    return (Integer) getOrDefault(maxEpochs());
  }

  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default String getWeightCol() {
    return getOrDefault(weightCol());
  }

  default String getValidationIndicatorCol() {
    return getOrDefault(validationIndicatorCol());
  }

  default String getSyncMode() {
    return getOrDefault(syncMode());
  }

  default int getLocalSteps() {
    return (Integer) getOrDefault(localSteps());
  }

  default int getAggregationDepth() {
    return (Integer) getOrDefault(aggregationDepth());
  }

  default int getNumWorkers() {
    return (Integer) getOrDefault(numWorkers());
  }

  default String getBackend() {
    return getOrDefault(backend());
  }

  default boolean getValidateInput() {
    return (Boolean) getOrDefault(validateInput());
  }

  default String getCheckpointDir() {
    return getOrDefault(checkpointDir());
  }

  default int getCheckpointInterval() {
    return (Integer) getOrDefault(checkpointInterval());
  }

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
      throw new IllegalArgumentException("Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.");
    }
    return NetworkSpec.mlp(getLayers(), getHiddenActivation());
  }

  /**
   * {@link #resolveNetwork()} for a fit on {@code schema}: a network made from {@code layers} whose
   * input is {@link #SPARSE_WIDTH} values or more, fed by a {@code Vector} column with no {@code
   * inputShape}, reads its features as sparse rows (vectors that wide are, in practice, hashed or
   * counted terms, one-hot ids: mostly zeros), so that a step costs the rows' non-zeros, not the
   * width. A network given as JSON says so itself ({@code "sparse": true} on its input).
   */
  default NetworkSpec resolveNetwork(StructType schema, String featuresCol) {
    NetworkSpec spec = resolveNetwork();
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
