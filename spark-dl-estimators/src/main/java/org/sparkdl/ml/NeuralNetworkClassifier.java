package org.sparkdl.ml;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.ml.param.NetworkParamSet;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.ml.param.PendingUid;
import org.sparkdl.spec.NetworkSpec;

/**
 * Trains a neural network classifier on a DataFrame, data-parallel on the executors: any network
 * the spec can express ({@code network}, JSON) or an MLP from {@code layers}, softmax
 * cross-entropy on class indices, per-row and per-class weights ({@code weightCol}, {@code
 * classWeights}: {@code balanced} or one per class), early stopping on a validation split. The
 * network's output width is the number of classes; labels must be integers in {@code [0,
 * classes)}. The model's training summary holds the training accuracy per epoch and a confusion
 * matrix.
 *
 * <pre>{@code
 * NeuralNetworkClassificationModel model = new NeuralNetworkClassifier()
 *     .setLayers(784, 128, 10)      // MLlib's MultilayerPerceptronClassifier shorthand
 *     .setMaxEpochs(20)
 *     .fit(train);
 * }</pre>
 *
 * <p>Features: an ML {@code Vector} (dense or sparse), {@code array<float>} or {@code
 * array<double>} column fed in the network's input shape (or {@code inputShape}); the struct of
 * Spark's image source or {@code binaryFile} content, decoded to {@code [C, H, W]}; sequences
 * ({@code array<array<float>>}) or token ids ({@code array<int>}), zero-padded, with each row's
 * length for a network input named {@code lengths}. See {@link org.sparkdl.arrow.FeatureInput}
 * for the decoding and {@link NeuralNetworkParams} for every param.
 *
 * <pre>{@code
 * NeuralNetworkClassificationModel cnn = new NeuralNetworkClassifier()
 *     .setNetwork(NetworkSpec.builder().input("image", 1, 28, 28)
 *         .conv2d(32, 5).batchNorm().relu().maxPool2d(2).flatten().dense(10).build())
 *     .setInputShape(1, 28, 28)     // Vectors of 784 pixels, fed as one-channel 28x28 images
 *     .fit(train);
 * }</pre>
 */
public final class NeuralNetworkClassifier
    extends ProbabilisticClassifier<Vector, NeuralNetworkClassifier, NeuralNetworkClassificationModel>
    implements NeuralNetworkSetters<NeuralNetworkClassifier>, MLWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final NetworkParamSet params;

  public NeuralNetworkClassifier() {
    this(Identifiable.randomUID("nnClf"));
  }

  public NeuralNetworkClassifier(String uid) {
    this(PendingUid.stash(uid));
  }

  private NeuralNetworkClassifier(PendingUid.Token token) {
    super();
    this.uid = PendingUid.take(token);
    this.params = new NetworkParamSet(this);
    NetworkParamSet.setDefaults(this);
  }

  @Override
  public String uid() {
    return PendingUid.during(uid);
  }

  @Override
  public NetworkParamSet networkParams() {
    return params;
  }

  /**
   * Sets {@link #classWeights()} to one loss weight per class, in class order: each finite and
   * {@code >= 0}, not all 0 (e.g. {@code setClassWeights(1, 5)} counts a row of class 1 as five).
   * {@code setClassWeights("balanced")} weighs the classes by their training rows instead.
   *
   * @throws IllegalArgumentException naming the weight that is not allowed
   */
  public NeuralNetworkClassifier setClassWeights(double... weights) {
    StringBuilder text = new StringBuilder();
    for (double w : weights) {
      text.append(text.length() == 0 ? "" : ",").append(w);
    }
    return setClassWeights(text.toString());
  }

  // ---------------------------------------------------------------- fit

  /** The network to train on {@code schema}, checked for use as a classifier (logits out, at least 2 classes). */
  NetworkSpec classifierNetwork(StructType schema) {
    NetworkSpec spec = resolveNetwork(schema, getFeaturesCol());
    NeuralNetworkClassificationModel.checkClassifierNetwork(spec);
    return spec;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    NetworkSpec spec = classifierNetwork(schema);
    EstimatorSchemas.checkTraining(schema, this, spec, true);
    // the model's schema rules, with this estimator's params (weights are not needed for a schema)
    return copyValues(new NeuralNetworkClassificationModel(uid(), spec, new float[0]), ParamMap.empty()).transformSchema(schema);
  }

  @Override
  public NeuralNetworkClassificationModel train(Dataset<?> dataset) {
    NetworkSpec spec = classifierNetwork(dataset.schema());
    DistributedTrainer.Result r = EstimatorSchemas.fit(this, dataset, spec,
        new DistributedTrainer.Objective("softmax_cross_entropy", true, spec.outputShape().get(0)));
    return new NeuralNetworkClassificationModel(uid(), spec, r.weights(), r.buffersOrEmpty()).setSummary(r.summary());
  }

  @Override
  public NeuralNetworkClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new EstimatorFiles.Writer(this);
  }

  /** Reads classifiers saved by {@link #write()} (alone or inside a Pipeline). */
  public static MLReader<NeuralNetworkClassifier> read() {
    return new EstimatorFiles.Reader<>(NeuralNetworkClassifier.class, NeuralNetworkClassifier::new);
  }

  public static NeuralNetworkClassifier load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "NeuralNetworkClassifier: uid=" + uid;
  }
}
