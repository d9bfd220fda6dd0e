package org.sparkdl.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.ml.param.NetworkParamSet;
import org.sparkdl.ml.param.PendingUid;
import org.sparkdl.nn.Loss;
import org.sparkdl.spec.NetworkSpec;

/**
 * Trains a neural network regressor on a DataFrame, data-parallel on the executors. The target
 * ({@code labelCol}) is a double for one output, or a {@code Vector} / array for several (the
 * network's output width). Loss: {@code mse} (default), {@code huber} or {@code huber:<delta>}.
 *
 * <pre>{@code
 * NeuralNetworkRegressionModel model = new NeuralNetworkRegressor().setLayers(13, 64, 1).fit(train);
 * }</pre>
 *
 * <p>Features: any column the classifier takes (vectors in the network's input shape, images,
 * sequences with their lengths); see {@link NeuralNetworkClassifier}.
 */
public final class NeuralNetworkRegressor extends Regressor<Vector, NeuralNetworkRegressor, NeuralNetworkRegressionModel>
    implements NeuralNetworkSetters<NeuralNetworkRegressor>, MLWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final NetworkParamSet params;
  private final Param<String> loss;

  public NeuralNetworkRegressor() {
    this(Identifiable.randomUID("nnReg"));
  }

  public NeuralNetworkRegressor(String uid) {
    this(PendingUid.stash(uid));
  }

  private NeuralNetworkRegressor(PendingUid.Token token) {
    super();
    this.uid = PendingUid.take(token);
    this.params = new NetworkParamSet(this);
    this.loss = new Param<>(this, "loss", "Regression loss: mse, or huber[:delta] (delta 1 by default). Default: mse.");
    NetworkParamSet.setDefaults(this);
    setDefault(loss, "mse");
  }

  @Override
  public String uid() {
    return PendingUid.during(uid);
  }

  @Override
  public NetworkParamSet networkParams() {
    return params;
  }

  /** The regression loss. */
  public Param<String> loss() {
    return loss;
  }

  public String getLoss() {
    return getOrDefault(loss);
  }

  /** Sets the loss: {@code mse}, {@code huber} or {@code huber:<delta>}. */
  public NeuralNetworkRegressor setLoss(String v) {
    Loss l = Loss.of(v);
    if (l.name().startsWith("softmax") || l.name().startsWith("binary")) {
      throw new IllegalArgumentException("Loss '" + v + "' is for classification; a regressor takes mse or huber[:delta].");
    }
    set(loss, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    NetworkSpec spec = resolveNetwork(schema, getFeaturesCol());
    EstimatorSchemas.checkTraining(schema, this, spec, false);
    return copyValues(new NeuralNetworkRegressionModel(uid(), spec, new float[0]), ParamMap.empty()).transformSchema(schema);
  }

  /**
   * Fits as Spark's {@code Predictor.fit} does, but without casting the target to double first:
   * Spark's cast fails for vector targets, and numeric targets are read as they are.
   */
  @Override
  public NeuralNetworkRegressionModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    return copyValues(train(dataset).setParent(this), ParamMap.empty());
  }

  @Override
  public NeuralNetworkRegressionModel train(Dataset<?> dataset) {
    NetworkSpec spec = resolveNetwork(dataset.schema(), getFeaturesCol());
    DistributedTrainer.Result r = EstimatorSchemas.fit(this, dataset, spec, new DistributedTrainer.Objective(getLoss(), false, 0));
    return new NeuralNetworkRegressionModel(uid(), spec, r.weights(), r.buffersOrEmpty()).setSummary(r.summary());
  }

  @Override
  public NeuralNetworkRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new EstimatorFiles.Writer(this);
  }

  public static MLReader<NeuralNetworkRegressor> read() {
    return new EstimatorFiles.Reader<>(NeuralNetworkRegressor.class, NeuralNetworkRegressor::new);
  }

  public static NeuralNetworkRegressor load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "NeuralNetworkRegressor: uid=" + uid;
  }
}
