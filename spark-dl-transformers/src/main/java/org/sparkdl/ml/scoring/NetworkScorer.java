package org.sparkdl.ml.scoring;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import org.sparkdl.arrow.BatchFunction;
import org.sparkdl.arrow.BatchScorer;
import org.sparkdl.arrow.FeatureInput;
import org.sparkdl.arrow.PredictionColumns;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.Inference;

/**
 * Scores DataFrames with a network: batch by batch through the Arrow bridge and the executor's
 * backend, lazily. A batch DataFrame is scored over Spark's internal rows (its plan's RDD, the
 * result a DataFrame over the scored RDD), so its columns pass through without becoming {@code
 * Row}s; a streaming one through {@code mapPartitions} over {@code Row}s, which streaming plans
 * allow. Every model of this library scores through here, and {@link #predictOne} is the one-row
 * path over the same network code.
 */
public final class NetworkScorer {
  /** The most rows per forward pass when scoring. */
  public static final int SCORING_BATCH = 1024;
  /** The fewest rows per forward pass, whatever a row's activations take. */
  static final int MIN_SCORING_BATCH = 8;
  /**
   * The activations a scoring batch aims at: a forward pass whose intermediate tensors stay within
   * the core's caches runs faster than one that streams them through memory (an MLP's batches stay
   * at 1,024). A convolution counts no columns, and nothing of the batch normalisation, ReLU and
   * pooling that run with it: scoring runs them one example at a time (a LeNet, 21 KB a row
   * counted so, scores in batches of 128, 4-5% faster on one thread than in batches of 16). A recurrent
   * layer counts one step's gates and states, which is what it works on at a time: an LSTM-128 over
   * 28 steps scored 1.2x faster on one thread in batches of 128 or 256 than of 32.
   */
  static final long SCORING_BATCH_BYTES = 4L << 20;

  private NetworkScorer() {}

  /**
   * Rows per forward pass for {@code spec}: the power of two whose working set ({@link
   * Network.Footprint#workingSetPerRow}) comes nearest below {@link #SCORING_BATCH_BYTES}, between
   * {@link #MIN_SCORING_BATCH} and {@link #SCORING_BATCH}.
   */
  public static int scoringBatch(NetworkSpec spec) {
    long rowBytes = 4 * Math.max(1, Network.footprint(spec).workingSetPerRow());
    long rows = Long.highestOneBit(Math.max(1, SCORING_BATCH_BYTES / rowBytes));
    return (int) Math.max(MIN_SCORING_BATCH, Math.min(SCORING_BATCH, rows));
  }

  /** Borrows the network for {@code data} on {@code backend} from the executor cache, building it on first use. */
  static ExecutorCache.Lease<Network> network(ModelData data, Backend backend) {
    return ExecutorCache.borrow("network/" + data.id() + "/" + backend.name(), () -> {
      Network n = Network.uninitialised(data.spec(), backend, DType.FLOAT32);
      try {
        data.loadInto(n);
      } catch (RuntimeException e) {
        n.close();
        throw e;
      }
      return n;
    });
  }

  /** The network's outputs for one row of features (the {@code predictRaw} path). */
  public static float[] predictOne(ModelData data, String backendKind, float[] features) {
    if (features.length != data.inputWidth()) {
      throw new IllegalArgumentException("Features have " + features.length + " values; the input layer expects "
          + data.inputWidth() + ".");
    }
    Backend be = ExecutorBackends.get(backendKind);
    try (ExecutorCache.Lease<Network> lease = network(data, be)) {
      return Inference.predict(lease.get(), features, lease.get().inputShape(), 1);
    }
  }

  /**
   * One row's features normalised as the scoring path normalises them (the channel params of
   * {@code p}); {@code features} itself when no normalisation is set.
   *
   * @throws IllegalArgumentException when the params do not fit the network's input
   */
  public static float[] normalized(NeuralNetworkParams p, String featuresCol, ModelData data, float[] features) {
    if (p.getChannelMean().length == 0 && p.getChannelStd().length == 0) {
      return features;
    }
    FeatureInput input = p.resolveFeatures(new StructType().add(featuresCol, SQLDataTypes.VectorType()), featuresCol,
        data.spec());
    if (features.length != input.width()) {
      throw new IllegalArgumentException("Features have " + features.length + " values; the input layer expects "
          + input.width() + ".");
    }
    float[] out = features.clone();
    input.normalize(out);
    return out;
  }

  /**
   * Appends {@code predictions} to every row of {@code dataset}, computed from the network's
   * outputs for {@code features} (resolved against {@code dataset}'s schema as the network's input;
   * with {@link FeatureInput#lengths()}, each row's length feeds the network's {@code lengths} input).
   *
   * @throws IllegalArgumentException when a prediction column already exists
   */
  public static Dataset<Row> transform(Dataset<?> dataset, ModelData data, String backendKind, FeatureInput features,
      boolean validate, PredictionColumns predictions) {
    StructType schema = dataset.schema();
    BatchScorer scorer = new BatchScorer(features, data.outputWidth(), scoringBatch(data.spec()), validate,
        predictions);
    StructType outSchema = scorer.outputSchema(schema);
    Broadcast<ModelData> model = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(data);
    if (dataset.isStreaming() || !(dataset.sparkSession() instanceof org.apache.spark.sql.classic.SparkSession session)) {
      MapPartitionsFunction<Row, Row> score = rows -> scorer.score(rows, ExecutorBackends.host(),
          forward(model.value(), backendKind), partitionId());
      return dataset.toDF().mapPartitions(score, Encoders.row(outSchema));
    }
    // Spark's internal rows in and out: the input's columns pass through as Spark keeps them instead of becoming Rows
    // and being encoded back, which for 784 features a row cost more than an MLP's forward pass
    ScoredRows.Score score = rows -> scorer.scoreInternal(rows, schema, ExecutorBackends.host(),
        forward(model.value(), backendKind), partitionId());
    return session.internalCreateDataFrame(new ScoredRows(dataset, score), outSchema, false);
  }

  /** The forward pass of the executor's network for {@code data}, lent to the task until it ends. */
  private static Forward forward(ModelData data, String backendKind) {
    Backend be = ExecutorBackends.get(backendKind);
    ExecutorCache.Lease<Network> lease = network(data, be);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> lease.close());
    }
    return new Forward(lease.get(), be);
  }

  private static int partitionId() {
    TaskContext task = TaskContext.get();
    return task == null ? 0 : task.partitionId();
  }

  /**
   * The network's forward pass over a batch, with the rows' sequence lengths when the network reads
   * them, or over sparse rows when its input is sparse.
   */
  private record Forward(Network net, Backend be) implements BatchFunction {
    @Override
    public void apply(Tensor x, Tensor out) {
      apply(x, null, out);
    }

    @Override
    public void apply(Tensor x, Tensor lengths, Tensor out) {
      try (Scope s = be.openScope("score")) {
        Tape tape = Tape.inference(s);
        String first = net.spec().inputs().get(0).name();
        Map<String, Var> inputs = new LinkedHashMap<>();
        inputs.put(first, tape.constant(x.reshape(net.shapeOf(first).prepend(x.dim(0)).toArray())));
        if (lengths != null) {
          inputs.put("lengths", tape.constant(lengths));
        }
        Var y = net.forward(inputs).values().iterator().next();
        be.copy(y.value().reshape(x.dim(0), -1), out);
      }
    }

    @Override
    public void applySparse(CsrMatrix x, Tensor out) {
      try (Scope s = be.openScope("score")) {
        Tape tape = Tape.inference(s);
        Var y = net.forward(Map.of(net.spec().inputs().get(0).name(), tape.sparse(x))).values().iterator().next();
        be.copy(y.value().reshape(x.rows(), -1), out);
      }
    }
  }
}
