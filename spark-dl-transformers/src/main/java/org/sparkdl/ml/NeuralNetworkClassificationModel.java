package org.sparkdl.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.GeneralMLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
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
import org.sparkdl.spec.Activation;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.train.Inference;

/**
 * A fitted neural-network classifier: a probabilistic classifier with Spark's semantics. For each
 * row it appends {@code rawPrediction} (the network's logits), {@code probability} (their softmax)
 * and {@code prediction} (the most probable class, after {@code thresholds} when set); an empty
 * column name skips that column. Scoring runs batch-wise on the executors' backends.
 *
 * <p>Produced by {@code NeuralNetworkClassifier.fit}; saved and loaded with {@link #write()} and
 * {@link #load(String)} (Spark metadata, {@code network.json}, {@code weights.safetensors}).
 */
public final class NeuralNetworkClassificationModel
    extends ProbabilisticClassificationModel<Vector, NeuralNetworkClassificationModel>
    implements ScoringSetters<NeuralNetworkClassificationModel>, NetworkModel, HasTransformOutput, MLWritable {
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
  public NeuralNetworkClassificationModel() {
    this(Identifiable.randomUID("nnClfModel"));
  }

  /** An empty model with {@code uid}; see {@link #NeuralNetworkClassificationModel()}. */
  public NeuralNetworkClassificationModel(String uid) {
    this(PendingUid.stash(uid), ModelData.empty());
  }

  /** A model of {@code spec} with flat parameters {@code weights} (network order), its buffers at their initial values. */
  public NeuralNetworkClassificationModel(String uid, NetworkSpec spec, float[] weights) {
    this(PendingUid.stash(uid), ModelData.of(spec, weights));
  }

  /**
   * A model of {@code spec} with flat parameters {@code weights} and flat buffers {@code buffers}
   * (batch normalisation's running statistics; network order, empty for their initial values).
   */
  public NeuralNetworkClassificationModel(String uid, NetworkSpec spec, float[] weights, float[] buffers) {
    this(PendingUid.stash(uid), ModelData.of(spec, weights, buffers));
  }

  private NeuralNetworkClassificationModel(PendingUid.Token token, ModelData data) {
    super();
    this.uid = PendingUid.take(token);
    this.params = new NetworkParamSet(this);
    NetworkParamSet.setDefaults(this);
    this.transformOutput = HasTransformOutput.create(this);
    this.data = data;
  }

  NeuralNetworkClassificationModel(String uid, ModelData data) {
    this(PendingUid.stash(uid), data);
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
  public NeuralNetworkClassificationModel setTransformOutput(String value) {
    set(transformOutput, value);
    return this;
  }

  @Override
  public ModelData modelData() {
    return data;
  }

  @Override
  public int numClasses() {
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
  public NeuralNetworkClassificationModel setSummary(TrainingSummary s) {
    this.summary = s;
    return this;
  }

  @Override
  public Vector predictRaw(Vector features) {
    data.requireNetwork(uid);
    float[] out = NetworkScorer.predictOne(data, getBackend(), NetworkScorer.normalized(this, getFeaturesCol(), data,
        toFloats(features)));
    double[] raw = new double[out.length];
    for (int i = 0; i < out.length; i++) {
      raw[i] = out[i];
    }
    return Vectors.dense(raw);
  }

  static float[] toFloats(Vector v) {
    float[] f = new float[v.size()];
    v.foreachActive((i, x) -> {
      f[(Integer) i] = (float) (double) (Double) x;
      return scala.runtime.BoxedUnit.UNIT;
    });
    return f;
  }

  @Override
  public Vector raw2probabilityInPlace(Vector raw) {
    if (!(raw instanceof DenseVector d)) {
      throw new IllegalArgumentException("raw2probabilityInPlace needs a dense vector; found " + raw.getClass().getSimpleName() + ".");
    }
    softmaxInPlace(d.values());
    return d;
  }

  static void softmaxInPlace(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.exp(z[i] - max);
      sum += z[i];
    }
    for (int i = 0; i < z.length; i++) {
      z[i] /= sum;
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    data.requireNetwork(uid);
    if (transformsToModelInfo()) {
      return ModelInfo.SCHEMA;
    }
    resolveFeatures(schema, getFeaturesCol(), data.spec());
    checkThresholds();
    StructType out = schema;
    for (var f : outputColumns().fields()) {
      if (List.of(schema.fieldNames()).contains(f.name())) {
        throw new IllegalArgumentException("Column '" + f.name() + "' already exists; columns: "
            + String.join(", ", schema.fieldNames()) + ". Choose another output column name.");
      }
      if (List.of(out.fieldNames()).contains(f.name())) {
        throw new IllegalArgumentException("Column '" + f.name() + "' is named by two of rawPredictionCol, probabilityCol"
            + " and predictionCol; choose distinct names.");
      }
      out = out.add(f);
    }
    return out;
  }

  private void checkThresholds() {
    if (isDefined(thresholds()) && getThresholds().length != numClasses()) {
      throw new IllegalArgumentException("Param thresholds has " + getThresholds().length + " values; the model has "
          + numClasses() + " classes.");
    }
  }

  /** The columns this model appends, computed from each row's logits. */
  PredictionColumns outputColumns() {
    double[] t = isDefined(thresholds()) ? getThresholds() : null;
    List<PredictionColumns> cols = new ArrayList<>();
    if (!getRawPredictionCol().isEmpty()) {
      cols.add(PredictionColumns.vector(getRawPredictionCol()));
    }
    if (!getProbabilityCol().isEmpty()) {
      cols.add(PredictionColumns.of(getProbabilityCol(), SQLDataTypes.VectorType(), (o, at, w) -> {
        double[] p = slice(o, at, w);
        softmaxInPlace(p);
        return Vectors.dense(p);
      }));
    }
    if (!getPredictionCol().isEmpty()) {
      cols.add(PredictionColumns.of(getPredictionCol(), DataTypes.DoubleType, (o, at, w) -> predictClass(o, at, w, t)));
    }
    if (cols.isEmpty()) {
      throw new IllegalArgumentException("rawPredictionCol, probabilityCol and predictionCol are all empty; nothing to output.");
    }
    PredictionColumns all = cols.get(0);
    for (int i = 1; i < cols.size(); i++) {
      all = all.and(cols.get(i));
    }
    return all;
  }

  private static double[] slice(float[] o, int at, int w) {
    double[] p = new double[w];
    for (int j = 0; j < w; j++) {
      p[j] = o[at + j];
    }
    return p;
  }

  /**
   * The rules a classifier's network follows, checked by the fit and by {@link #load}: one logit
   * per class out ({@code [classes]}, at least 2), and no softmax at the end (the model applies it).
   *
   * @throws IllegalArgumentException saying which rule the network breaks
   */
  public static void checkClassifierNetwork(NetworkSpec spec) {
    List<Integer> out = spec.outputShape();
    if (out.size() != 1 || out.get(0) < 2) {
      throw new IllegalArgumentException("A classifier's network must output one logit per class ([classes] with classes >= 2);"
          + " this one outputs " + out + ".");
    }
    LayerSpec last = spec.layers().get(spec.layers().size() - 1);
    if (last instanceof Activation a && (a.function().equals("softmax") || a.function().equals("log_softmax"))) {
      throw new IllegalArgumentException("The network ends in " + a.function() + " (layer '" + a.name() + "'); a classifier's"
          + " network must output logits. Remove that layer: the classifier applies softmax itself.");
    }
  }

  /** Spark's rule: the argmax of the logits, or of probability / threshold when thresholds are set. */
  static double predictClass(float[] o, int at, int w, double[] thresholds) {
    if (thresholds == null) {
      return Inference.argmax(o, at, w);
    }
    double[] p = slice(o, at, w);
    softmaxInPlace(p);
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < w; j++) {
      double scaled = p[j] / thresholds[j];
      if (scaled > max) {
        max = scaled;
        best = j;
      }
    }
    return best;
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
  public NeuralNetworkClassificationModel copy(ParamMap extra) {
    NeuralNetworkClassificationModel m = copyValues(new NeuralNetworkClassificationModel(uid, data), extra);
    m.summary = summary;
    return m.setParent(parent());
  }

  private Map<String, Object> provenance() {
    return ModelFiles.provenance(this, summary);
  }

  /**
   * Spark's summary lookup, declared here only because Java cannot tell apart the two covariant
   * versions the Scala superclasses define.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
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

  /** Reads models saved by {@link #write()}. */
  public static MLReader<NeuralNetworkClassificationModel> read() {
    return new ModelFiles.Reader<>(NeuralNetworkClassificationModel.class, NeuralNetworkClassificationModel::new,
        NeuralNetworkClassificationModel::checkClassifierNetwork, NeuralNetworkClassificationModel::setSummary);
  }

  /** Loads a model saved by {@link #write()} from any Hadoop file system path. */
  public static NeuralNetworkClassificationModel load(String path) {
    return read().load(path);
  }

  /**
   * A model of the network in the ONNX file at {@code path} (any Hadoop file system), imported
   * into this library's layers ({@link org.sparkdl.ml.scoring.OnnxFiles}): it scores, saves and
   * fine-tunes like a fitted one. Of a graph with several outputs, the one named "rawPrediction" is read
   * when there is one (a file this library wrote), and a final softmax is left out: the model applies it.
   *
   * @throws org.sparkdl.io.ModelFileException (thrown unchecked) for a malformed file, or one holding
   *     nodes this library cannot express, all of them listed
   */
  public static NeuralNetworkClassificationModel loadOnnx(String path) {
    org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.active();
    try {
      org.sparkdl.onnx.OnnxNetwork n = org.sparkdl.ml.scoring.OnnxFiles.read(spark.sparkContext().hadoopConfiguration(),
          path, new org.sparkdl.onnx.OnnxImporter.Options(List.of(), true, "rawPrediction")).network();
      NetworkSpec spec = n.spec();
      checkClassifierNetwork(spec);
      return new NeuralNetworkClassificationModel(Identifiable.randomUID("nnClfModel"), spec, n.weights(), n.buffers());
    } catch (java.io.IOException e) {
      throw org.sparkdl.ml.param.ParamsMetadata.<RuntimeException>sneaky(e);
    }
  }

  @Override
  public String toString() {
    return "NeuralNetworkClassificationModel: uid=" + uid + ", numClasses=" + numClasses() + ", numFeatures="
        + numFeatures() + ", parameters=" + data.weights().length + (data.buffers().length > 0 ? ", buffers="
        + data.buffers().length : "");
  }
}
