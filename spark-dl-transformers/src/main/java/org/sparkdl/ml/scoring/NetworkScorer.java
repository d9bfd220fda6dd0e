package org.sparkdl.ml.scoring;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import org.sparkdl.arrow.BatchFunction;
import org.sparkdl.arrow.BatchScorer;
import org.sparkdl.arrow.InputColumn;
import org.sparkdl.arrow.PredictionColumns;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * Scores DataFrames with a network: batch by batch through the Arrow bridge and the executor's
 * backend, lazily (a {@code mapPartitions}, so it also runs on streaming DataFrames). Every model
 * of this library scores through here, and {@link #predictOne} is the one-row path over the same
 * network code.
 */
public final class NetworkScorer {
  /** Rows per forward pass when scoring. */
  public static final int SCORING_BATCH = 1024;

  private NetworkScorer() {}

  /** Borrows the network for {@code data} on {@code backend} from the executor cache, building it on first use. */
  static ExecutorCache.Lease<Network> network(ModelData data, Backend backend) {
    return ExecutorCache.borrow("network/" + data.id() + "/" + backend.name(), () -> {
      Network n = Network.uninitialised(data.spec(), backend, DType.FLOAT32);
      n.parameters().values().copyFrom(data.weights());
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
    try (ExecutorCache.Lease<Network> lease = network(data, be); Scope s = be.openScope("predict-one")) {
      Network net = lease.get();
      Tensor x = s.of(DType.FLOAT32, net.inputShape().prepend(1), features);
      Tape tape = new Tape(s, false, 0);
      return net.forward(tape.constant(x)).value().toFloatArray();
    }
  }

  /**
   * Appends {@code predictions} to every row of {@code dataset}, computed from the network's
   * outputs for the features in {@code featuresCol}.
   *
   * @throws IllegalArgumentException when the features column is missing, of the wrong type, or
   *     declares a width other than the input layer's
   */
  public static Dataset<Row> transform(Dataset<?> dataset, ModelData data, String backendKind, String featuresCol,
      boolean validate, PredictionColumns predictions) {
    StructType schema = dataset.schema();
    InputColumn features = InputColumn.features(schema, featuresCol);
    BatchScorer scorer = new BatchScorer(features, data.inputWidth(), data.outputWidth(), SCORING_BATCH, validate, predictions);
    StructType outSchema = scorer.outputSchema(schema);
    Broadcast<ModelData> model = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(data);
    MapPartitionsFunction<Row, Row> score = rows -> scorePartition(rows, scorer, model.value(), backendKind);
    return dataset.toDF().mapPartitions(score, Encoders.row(outSchema));
  }

  private static Iterator<Row> scorePartition(Iterator<Row> rows, BatchScorer scorer, ModelData data, String backendKind) {
    Backend be = ExecutorBackends.get(backendKind);
    CpuBackend host = ExecutorBackends.host();
    ExecutorCache.Lease<Network> lease = network(data, be);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> lease.close());
    }
    Network net = lease.get();
    BatchFunction forward = (x, out) -> {
      try (Scope s = be.openScope("score")) {
        Tape tape = new Tape(s, false, 0);
        Tensor input = x.reshape(net.inputShape().prepend(x.dim(0)).toArray());
        Var y = net.forward(tape.constant(input));
        be.copy(y.value().reshape(x.dim(0), -1), out);
      }
    };
    return scorer.score(rows, host, forward, task == null ? 0 : task.partitionId());
  }
}
