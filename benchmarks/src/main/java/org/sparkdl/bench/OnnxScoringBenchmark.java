package org.sparkdl.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.ml.scoring.NetworkScorer;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;

/**
 * Scoring throughput against ONNX Runtime: three networks (an MLP, a LeNet, an LSTM over the rows
 * of the image) are fitted briefly on synthetic MNIST-shaped rows, exported with {@code
 * write().format("onnx")}, and the same cached DataFrame is scored both ways in {@code local[2]}:
 * by our model's {@code transform}, and by ONNX Runtime's Java API over the exported file inside
 * {@code mapPartitions}, in batches of the size ours picks and of 1024 (the faster counts), producing the same columns
 * ({@code rawPrediction} and {@code probability} vectors, {@code prediction}). Both sides run one
 * thread per task ({@code spark.task.cpus}), two tasks at a time, and write to Spark's {@code noop}
 * sink, so that what is timed is reading the rows, scoring and building the output rows. The two
 * sides alternate, after one warm-up each; the report gives the median rows/s of each, the ratio,
 * and how far their outputs agree.
 *
 * <p>Usage: {@code OnnxScoringBenchmark [--quick]} (--quick: 20,000 rows and 2 repetitions instead
 * of 100,000 and 5).
 */
public final class OnnxScoringBenchmark {
  private static final String USAGE = "Usage: OnnxScoringBenchmark [--quick]\n  --quick  20,000 rows and 2 repetitions";
  private static final int FEATURES = SyntheticDigits.FEATURES;
  private static final int TRAIN_ROWS = 4_000;

  /** A network of the comparison. */
  record Net(String name, NetworkSpec spec, int[] inputShape) {}

  private static List<Net> networks() {
    return List.of(
        new Net("MLP 784-256-128-10", NetworkSpec.builder().input("features", FEATURES).dense(256).relu().dense(128).relu()
            .dense(10).build(), new int[] {FEATURES}),
        new Net("LeNet (conv 16/32, BN)", NetworkSpec.builder().input("image", 1, 28, 28)
            .conv2d(16, 5, c -> c.withPadding(Padding.of(2))).batchNorm().relu().maxPool2d(2)
            .conv2d(32, 5).batchNorm().relu().maxPool2d(2)
            .flatten().dense(256).relu().dropout(0.5).dense(10).build(), new int[] {1, 28, 28}),
        new Net("LSTM-128 over 28x28", NetworkSpec.builder().input("features", FEATURES).reshape(28, 28).lstm(128).dense(10)
            .build(), new int[] {FEATURES}));
  }

  private OnnxScoringBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean quick = CommandLine.quick(args, USAGE);
    int rows = quick ? 20_000 : 100_000;
    int repetitions = quick ? 2 : 5;
    SparkSession spark = Sessions.local("spark-dl scoring vs ONNX Runtime");
    Path dir = Files.createTempDirectory("sparkdl-onnx-bench");
    try {
      Dataset<Row> train = SyntheticDigits.cachedFrame(spark, TRAIN_ROWS, 2, 7);
      Dataset<Row> data = SyntheticDigits.cachedFrame(spark, rows, 2, 11);
      System.out.printf(Locale.ROOT, "%nScoring throughput: our transform vs ONNX Runtime %s (Java API in mapPartitions),"
          + " the same exported model, %,d cached rows of 784 features, %s, one thread per task%n",
          ortVersion(), rows, Sessions.describe(spark));
      for (String[] kv : CommandLine.environment()) {
        System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
      }
      System.out.printf(Locale.ROOT, "%n  %-24s %26s %26s %7s %16s %13s   %s%n", "network", "ours rows/s (min .. max)",
          "ONNX Runtime rows/s", "ratio", "same prediction", "max |dp|", "batches (ours / ORT)");
      StringBuilder json = new StringBuilder("{\"benchmark\":\"onnx-scoring\",\"rows\":" + rows + ",\"results\":[");
      for (Net n : networks()) {
        NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setNetwork(n.spec())
            .setInputShape(n.inputShape()).setMaxEpochs(1).setSeed(42).fit(train);
        Path file = dir.resolve(n.name().replaceAll("[^A-Za-z0-9]", "_") + ".onnx");
        model.write().format("onnx").save(file.toUri().toString());
        byte[] onnx = Files.readAllBytes(file);
        Broadcast<byte[]> bytes = spark.sparkContext().broadcast(onnx, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
        int batch = NetworkScorer.scoringBatch(model.modelData().spec());
        Dataset<Row> ours = model.transform(data);
        // ONNX Runtime in batches of the same size and of 1024; its faster one is the comparison
        int[] ortBatches = batch == NetworkScorer.SCORING_BATCH ? new int[] {batch} : new int[] {batch, NetworkScorer.SCORING_BATCH};
        List<Dataset<Row>> sides = new ArrayList<>(List.of(ours));
        for (int b : ortBatches) {
          sides.add(data.mapPartitions(new OrtScorer(n.name(), bytes, b), Encoders.row(outputSchema(data.schema()))));
        }
        Agreement agreement = Agreement.of(ours, sides.get(1));
        double[][] seconds = new double[sides.size()][repetitions + 1];
        for (int i = 0; i <= repetitions; i++) {
          // rotate which side goes first, so that a drift in the machine's load favours none
          for (int k = 0; k < sides.size(); k++) {
            int side = (i + k) % sides.size();
            seconds[side][i] = time(sides.get(side));
          }
        }
        Spread a = Spread.after(1, throughput(rows, seconds[0]));
        Spread b = null;
        int ortBatch = 0;
        for (int k = 1; k < sides.size(); k++) {
          Spread t = Spread.after(1, throughput(rows, seconds[k]));
          if (b == null || t.median() > b.median()) {
            b = t;
            ortBatch = ortBatches[k - 1];
          }
        }
        System.out.printf(Locale.ROOT, "  %-24s %26s %26s %6.2fx %15.2f%% %13.2e   %d / %d%n", n.name(), a.text("%,.0f"),
            b.text("%,.0f"), a.median() / b.median(), 100 * agreement.samePrediction(), agreement.maxProbabilityDifference(),
            batch, ortBatch);
        json.append(json.charAt(json.length() - 1) == '[' ? "" : ",").append(String.format(Locale.ROOT,
            "{\"network\":\"%s\",\"onnx_bytes\":%d,\"batch\":%d,\"onnxruntime_batch\":%d,%s,%s,\"same_prediction\":%.5f,"
            + "\"max_probability_difference\":%.3e}", n.name(), onnx.length, batch, ortBatch, a.json("ours_rows_per_s"),
            b.json("onnxruntime_rows_per_s"), agreement.samePrediction(), agreement.maxProbabilityDifference()));
        bytes.destroy();
      }
      System.out.println("  (ratio: ours / ONNX Runtime, medians of " + repetitions + " alternating runs after a warm-up each;"
          + " ONNX Runtime in batches of ours and of " + NetworkScorer.SCORING_BATCH + ", the faster shown)");
      System.out.println(json.append("]}"));
    } finally {
      spark.stop();
      FileUtil.fullyDelete(dir.toFile());
    }
  }

  private static String ortVersion() {
    String v = OrtEnvironment.class.getPackage().getImplementationVersion();
    return v != null ? v : System.getProperty("onnxruntime.version", "");
  }

  /** Seconds to score every row of {@code scored} into the noop sink. */
  private static double time(Dataset<Row> scored) {
    long t0 = System.nanoTime();
    scored.write().format("noop").mode("overwrite").save();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double[] throughput(int rows, double[] seconds) {
    double[] r = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      r[i] = rows / seconds[i];
    }
    return r;
  }

  static StructType outputSchema(StructType input) {
    return input.add("rawPrediction", SQLDataTypes.VectorType(), false)
        .add("probability", SQLDataTypes.VectorType(), false)
        .add("prediction", DataTypes.DoubleType, false);
  }

  /** How far the two sides' outputs agree: the share of equal predictions and the largest probability difference. */
  record Agreement(double samePrediction, double maxProbabilityDifference) {
    static Agreement of(Dataset<Row> ours, Dataset<Row> theirs) {
      List<Row> a = ours.select("probability", "prediction").collectAsList();
      List<Row> b = theirs.select("probability", "prediction").collectAsList();
      if (a.size() != b.size()) {
        throw new IllegalStateException("Our transform gave " + a.size() + " rows, ONNX Runtime " + b.size() + ".");
      }
      long same = 0;
      double max = 0;
      for (int i = 0; i < a.size(); i++) {
        same += a.get(i).getDouble(1) == b.get(i).getDouble(1) ? 1 : 0;
        double[] p = ((Vector) a.get(i).get(0)).toArray();
        double[] q = ((Vector) b.get(i).get(0)).toArray();
        for (int j = 0; j < p.length; j++) {
          max = Math.max(max, Math.abs(p[j] - q[j]));
        }
      }
      return new Agreement((double) same / a.size(), max);
    }
  }

  /**
   * Scores a partition with ONNX Runtime: rows gathered into a batch of float32 features, one
   * {@code run} per batch, the three outputs turned into the same columns as our transform's. One
   * session per model per JVM, shared by the JVM's tasks (a session's {@code run} is thread-safe),
   * one intra-op thread as each of our tasks has.
   */
  static final class OrtScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, OrtSession> SESSIONS = new ConcurrentHashMap<>();
    private final String key;
    private final Broadcast<byte[]> model;
    private final int batch;

    OrtScorer(String key, Broadcast<byte[]> model, int batch) {
      this.key = key;
      this.model = model;
      this.batch = batch;
    }

    private OrtSession session() {
      return SESSIONS.computeIfAbsent(key, k -> {
        try {
          OrtSession.SessionOptions o = new OrtSession.SessionOptions();
          o.setIntraOpNumThreads(1);
          o.setInterOpNumThreads(1);
          o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
          o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
          return OrtEnvironment.getEnvironment().createSession(model.value(), o);
        } catch (OrtException e) {
          throw new IllegalStateException("ONNX Runtime could not load the model '" + k + "'.", e);
        }
      });
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) throws OrtException {
      OrtSession session = session();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      String inputName = session.getInputNames().iterator().next();
      FloatBuffer x = ByteBuffer.allocateDirect(4 * batch * FEATURES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      return new Iterator<>() {
        private final List<Row> pending = new ArrayList<>(batch);
        private final List<Row> scored = new ArrayList<>(batch);
        private int next;

        @Override
        public boolean hasNext() {
          if (next < scored.size()) {
            return true;
          }
          scored.clear();
          next = 0;
          while (scored.isEmpty() && input.hasNext()) {
            fill();
          }
          return !scored.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return scored.get(next++);
        }

        private void fill() {
          pending.clear();
          x.clear();
          while (pending.size() < batch && input.hasNext()) {
            Row r = input.next();
            double[] v = r.get(1) instanceof DenseVector d ? d.values() : ((Vector) r.get(1)).toArray();
            for (double f : v) {
              x.put((float) f);
            }
            pending.add(r);
          }
          x.flip();
          int n = pending.size();
          try (OnnxTensor t = OnnxTensor.createTensor(env, x, new long[] {n, FEATURES});
               OrtSession.Result out = session.run(Map.of(inputName, t))) {
            FloatBuffer raw = ((OnnxTensor) out.get("rawPrediction").orElseThrow()).getFloatBuffer();
            FloatBuffer prob = ((OnnxTensor) out.get("probability").orElseThrow()).getFloatBuffer();
            DoubleBuffer pred = ((OnnxTensor) out.get("prediction").orElseThrow()).getDoubleBuffer();
            int classes = raw.remaining() / n;
            for (int i = 0; i < n; i++) {
              double[] r = new double[classes];
              double[] p = new double[classes];
              for (int c = 0; c < classes; c++) {
                r[c] = raw.get(i * classes + c);
                p[c] = prob.get(i * classes + c);
              }
              Row in = pending.get(i);
              scored.add(RowFactory.create(in.get(0), in.get(1), Vectors.dense(r), Vectors.dense(p), pred.get(i)));
            }
          } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + " rows.", e);
          }
        }
      };
    }
  }
}
