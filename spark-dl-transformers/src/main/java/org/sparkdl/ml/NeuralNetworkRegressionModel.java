package org.sparkdl.ml;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.GeneralMLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.arrow.FeatureInput;
import org.sparkdl.arrow.PredictionColumns;
import org.sparkdl.ml.param.HasTransformOutput;
import org.sparkdl.ml.param.NetworkParamSet;
import org.sparkdl.ml.param.PendingUid;
import org.sparkdl.ml.param.ScoringSetters;
import org.sparkdl.ml.scoring.ModelData;
import org.sparkdl.ml.scoring.ModelFiles;
import org.sparkdl.ml.scoring.ModelInfo;
import org.sparkdl.ml.scoring.NetworkScorer;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.spec.NetworkSpec;

/**
 * A fitted neural-network regressor. For one output it appends {@code prediction} as a double (as
 * Spark's regressors do); for several outputs (vector targets) as a {@code Vector}. Scoring runs
 * batch-wise on the executors' backends.
 *
 * <p>Produced by {@code NeuralNetworkRegressor.fit}; saved and loaded with {@link #write()} and
 * {@link #load(String)}.
 */
public final class NeuralNetworkRegressionModel extends RegressionModel<Vector, NeuralNetworkRegressionModel>
    implements ScoringSetters<NeuralNetworkRegressionModel>, NetworkModel, HasTransformOutput, MLWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final NetworkParamSet params;
  private final Param<String> transformOutput;
  private final ModelData data;
  private TrainingSummary summary;

  /**
   * An empty model, holding no network: Spark's stage convention, used by Spark Connect's
   * ServiceLoader discovery. It cannot score or be saved; models come from a fit or {@link #load}.
   */
  public NeuralNetworkRegressionModel() {
    this(Identifiable.randomUID("nnRegModel"));
  }

  /** An empty model with {@code uid}; see {@link #NeuralNetworkRegressionModel()}. */
  public NeuralNetworkRegressionModel(String uid) {
    this(PendingUid.stash(uid), ModelData.empty());
  }

  /** A model of {@code spec} with flat parameters {@code weights} (network order), its buffers at their initial values. */
  public NeuralNetworkRegressionModel(String uid, NetworkSpec spec, float[] weights) {
    this(PendingUid.stash(uid), ModelData.of(spec, weights));
  }

  /**
   * A model of {@code spec} with flat parameters {@code weights} and flat buffers {@code buffers}
   * (batch normalisation's running statistics; network order, empty for their initial values).
   */
  public NeuralNetworkRegressionModel(String uid, NetworkSpec spec, float[] weights, float[] buffers) {
    this(PendingUid.stash(uid), ModelData.of(spec, weights, buffers));
  }

  NeuralNetworkRegressionModel(String uid, ModelData data) {
    this(PendingUid.stash(uid), data);
  }

  private NeuralNetworkRegressionModel(PendingUid.Token token, ModelData data) {
    super();
    this.uid = PendingUid.take(token);
    this.params = new NetworkParamSet(this);
    NetworkParamSet.setDefaults(this);
    this.transformOutput = HasTransformOutput.create(this);
    this.data = data;
  }

  @Override
  public String uid() {
    return PendingUid.during(uid);
  }

  @Override
  public NetworkParamSet networkParams() {
    return params;
  }

  @Override
  public Param<String> transformOutput() {
    return transformOutput;
  }

  /** Sets {@link #transformOutput()}: {@code predictions} (default) or {@code modelInfo}. */
  public NeuralNetworkRegressionModel setTransformOutput(String value) {
    set(transformOutput, value);
    return this;
  }

  @Override
  public ModelData modelData() {
    return data;
  }

  /** Outputs per row (1 for a scalar target). */
  public int numOutputs() {
    return data.outputWidth();
  }

  @Override
  public int numFeatures() {
    return data.inputWidth();
  }

  @Override
  public java.util.Optional<TrainingSummary> summaryIfAny() {
    return java.util.Optional.ofNullable(summary);
  }

  /** Attaches the summary of the fit that produced this model. */
  public NeuralNetworkRegressionModel setSummary(TrainingSummary s) {
    this.summary = s;
    return this;
  }

  /** The first output for one row (the whole output vector is {@link #predictVector}). */
  @Override
  public double predict(Vector features) {
    data.requireNetwork(uid);
    return predictVector(features).apply(0);
  }

  /** All outputs for one row. */
  public Vector predictVector(Vector features) {
    data.requireNetwork(uid);
    float[] out = NetworkScorer.predictOne(data, getBackend(), NetworkScorer.normalized(this, getFeaturesCol(), data,
        NeuralNetworkClassificationModel.toFloats(features)));
    double[] d = new double[out.length];
    for (int i = 0; i < out.length; i++) {
      d[i] = out[i];
    }
    return Vectors.dense(d);
  }

  PredictionColumns outputColumns() {
    return numOutputs() == 1 ? PredictionColumns.value(getPredictionCol(), 0) : PredictionColumns.vector(getPredictionCol());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    data.requireNetwork(uid);
    if (transformsToModelInfo()) {
      return ModelInfo.SCHEMA;
    }
    resolveFeatures(schema, getFeaturesCol(), data.spec());
    if (getPredictionCol().isEmpty()) {
      throw new IllegalArgumentException("predictionCol is empty; nothing to output.");
    }
    if (List.of(schema.fieldNames()).contains(getPredictionCol())) {
      throw new IllegalArgumentException("Column '" + getPredictionCol() + "' already exists; columns: "
          + String.join(", ", schema.fieldNames()) + ". Choose another output column name.");
    }
    StructType out = schema;
    for (var f : outputColumns().fields()) {
      out = out.add(f);
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    if (transformsToModelInfo()) {
      return ModelInfo.frame(dataset.sparkSession(), ModelInfo.json(getClass().getName(), uid, data, summary, toString()));
    }
    FeatureInput features = resolveFeatures(dataset.schema(), getFeaturesCol(), data.spec());
    return NetworkScorer.transform(dataset, data, getBackend(), features, getValidateInput(), outputColumns());
  }

  @Override
  public NeuralNetworkRegressionModel copy(ParamMap extra) {
    NeuralNetworkRegressionModel m = copyValues(new NeuralNetworkRegressionModel(uid, data), extra);
    m.summary = summary;
    return m.setParent(parent());
  }

  private Map<String, Object> provenance() {
    return ModelFiles.provenance(this, summary);
  }

  /**
   * Saves this model: {@code write().save(path)} writes the model directory, {@code
   * write().format("onnx").save(path)} one ONNX file instead ({@link org.sparkdl.ml.scoring.OnnxFiles}).
   */
  @Override
  public GeneralMLWriter write() {
    data.requireNetwork(uid);
    return new ModelFiles.Writer(this, data, provenance());
  }

  public static MLReader<NeuralNetworkRegressionModel> read() {
    return new ModelFiles.Reader<>(NeuralNetworkRegressionModel.class, NeuralNetworkRegressionModel::new, spec -> { },
        NeuralNetworkRegressionModel::setSummary);
  }

  public static NeuralNetworkRegressionModel load(String path) {
    return read().load(path);
  }

  /**
   * A model of the network in the ONNX file at {@code path} (any Hadoop file system), imported
   * into this library's layers ({@link org.sparkdl.ml.scoring.OnnxFiles}): it scores, saves and
   * fine-tunes like a fitted one. Of a graph with several outputs, the one named "prediction" is read
   * when there is one.
   *
   * @throws org.sparkdl.io.ModelFileException (thrown unchecked) for a malformed file, or one holding
   *     nodes this library cannot express, all of them listed
   */
  public static NeuralNetworkRegressionModel loadOnnx(String path) {
    org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.active();
    try {
      org.sparkdl.onnx.OnnxNetwork n = org.sparkdl.ml.scoring.OnnxFiles.read(spark.sparkContext().hadoopConfiguration(),
          path, new org.sparkdl.onnx.OnnxImporter.Options(List.of(), false, "prediction")).network();
      NetworkSpec spec = n.spec();
      
      return new NeuralNetworkRegressionModel(Identifiable.randomUID("nnRegModel"), spec, n.weights(), n.buffers());
    } catch (java.io.IOException e) {
      throw org.sparkdl.ml.param.ParamsMetadata.<RuntimeException>sneaky(e);
    }
  }

  @Override
  public String toString() {
    return "NeuralNetworkRegressionModel: uid=" + uid + ", numOutputs=" + numOutputs() + ", numFeatures=" + numFeatures()
        + ", parameters=" + data.weights().length + (data.buffers().length > 0 ? ", buffers=" + data.buffers().length : "");
  }
}
