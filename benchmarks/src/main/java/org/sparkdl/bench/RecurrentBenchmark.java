package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.BatchStats;
import org.sparkdl.train.LocalTrainer;

/**
 * Training and inference throughput of the row-by-row MNIST recurrent networks on the CPU backend:
 * the 784 pixels reshaped to 28 steps of 28 values, an LSTM (or GRU) whose last state feeds a
 * dense layer of 10, as {@code MnistLstmTest} and the {@code MnistLstmSpark} example train it.
 * Timed as {@link CpuBenchmark} times its figures (warm-up, then the median of several
 * repetitions); prints a table, then the same figures as one JSON line.
 *
 * <p>Usage: {@code RecurrentBenchmark [--threads N] [--quick]}, as {@link CpuBenchmark}.
 */
public final class RecurrentBenchmark {
  private static final DType F32 = DType.FLOAT32;
  private static final long SEED = 42;
  private static final int ROWS = 8192;
  private static final int[] TRAIN_BATCHES = {64, 256};
  private static final int INFERENCE_BATCH = 1024;

  /** A measured network: cell type and hidden size. */
  record Net(String cell, int hidden) {
    String name() {
      return cell + "-" + hidden;
    }

    NetworkSpec spec() {
      NetworkSpec.Builder b = NetworkSpec.builder().input("features", 784).reshape(28, 28);
      return (cell.equals("lstm") ? b.lstm(hidden) : b.gru(hidden)).dense(10).build();
    }
  }

  private static final List<Net> NETWORKS = List.of(new Net("lstm", 64), new Net("lstm", 128), new Net("gru", 64));

  /** One measured figure. */
  record Result(String section, Net net, int batch, CpuBenchmark.Timing timing, double loss) {
    double samplesPerSecond() {
      return batch / timing.median();
    }
  }

  private RecurrentBenchmark() {}

  public static void main(String[] args) {
    CpuBenchmark.Settings settings;
    try {
      settings = CpuBenchmark.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (settings == null) {
      System.out.println(usage());
      return;
    }
    run(settings);
  }

  static String usage() {
    return CpuBenchmark.usage().replace("CpuBenchmark", "RecurrentBenchmark");
  }

  static void run(CpuBenchmark.Settings s) {
    long started = System.nanoTime();
    List<Result> results = new ArrayList<>();
    try (Backend be = new CpuBackend(s.threads())) {
      int blasThreads = openblas_nolapack.blas_get_num_threads();
      String[][] env = CpuBenchmark.environment(s, blasThreads);
      System.out.printf(Locale.ROOT, "%nspark-dl recurrent CPU benchmark%s: median of %d timed repetitions (~%.1f s"
          + " each) after >= %.1f s warm-up%n", s.quick() ? " (QUICK smoke run, numbers are rough)" : "",
          s.repetitions(), s.repetitionSeconds(), s.warmupSeconds());
      for (String[] kv : env) {
        System.out.printf(Locale.ROOT, "  %-12s %s%n", kv[0], kv[1]);
      }
      System.out.printf(Locale.ROOT, "  %-12s %s%n", "networks", "784 -> reshape [28, 28] -> lstm/gru(H), last state"
          + " -> dense 10");
      float[] features = new float[ROWS * 784];
      float[] labels = new float[ROWS];
      CpuBenchmark.syntheticData(features, labels);

      System.out.printf(Locale.ROOT, "%nTraining: Adam(1e-3), softmax cross-entropy, %d synthetic rows; one step ="
          + " zero gradients, forward, backward through time, update%n", ROWS);
      System.out.printf(Locale.ROOT, "  %-9s %6s %11s %23s %9s %8s%n", "network", "batch", "samples/s",
          "min .. max samples/s", "ms/step", "loss");
      for (Net n : NETWORKS) {
        for (int batch : TRAIN_BATCHES) {
          Result r = train(be, s, n, batch, features, labels);
          results.add(r);
          System.out.printf(Locale.ROOT, "  %-9s %6d %,11.0f %23s %9.2f %8.4f%n", n.name(), batch,
              r.samplesPerSecond(), range(r), r.timing().median() * 1e3, r.loss());
        }
      }

      System.out.printf(Locale.ROOT, "%nInference: forward pass in inference mode%n");
      System.out.printf(Locale.ROOT, "  %-9s %6s %11s %23s %9s%n", "network", "batch", "samples/s",
          "min .. max samples/s", "ms/batch");
      for (Net n : NETWORKS) {
        Result r = infer(be, s, n, features);
        results.add(r);
        System.out.printf(Locale.ROOT, "  %-9s %6d %,11.0f %23s %9.2f%n", n.name(), INFERENCE_BATCH,
            r.samplesPerSecond(), range(r), r.timing().median() * 1e3);
      }
      if (be.liveBytes() != 0) {
        System.err.printf(Locale.ROOT, "Warning: %d bytes of backend memory were not freed.%n", be.liveBytes());
      }
      System.out.printf(Locale.ROOT, "%nTotal %.1f s. JSON:%n", (System.nanoTime() - started) / 1e9);
      System.out.println(json(s, env, blasThreads, results));
    }
  }

  static Result train(Backend be, CpuBenchmark.Settings s, Net n, int batch, float[] features, float[] labels) {
    int batches = ROWS / batch;
    try (Network net = Network.create(n.spec(), be, F32, SEED);
         LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED);
         Scope data = be.openScope("train-data")) {
      // copied in once; each step reads a batch-sized view
      Tensor x = data.of(F32, Shape.of(ROWS, 784), features);
      Tensor y = data.of(F32, Shape.of(ROWS), labels);
      int[] step = {0};
      BatchStats[] last = {null};
      CpuBenchmark.Timing t = CpuBenchmark.time(s, () -> {
        int i = step[0]++ % batches;
        last[0] = trainer.trainBatch(x.slice(0, i * batch, (i + 1) * batch), y.slice(0, i * batch, (i + 1) * batch),
            null);
      });
      double loss = last[0].meanLoss();
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException(n.name() + " training diverged: loss " + loss + ".");
      }
      return new Result("train", n, batch, t, loss);
    }
  }

  static Result infer(Backend be, CpuBenchmark.Settings s, Net n, float[] features) {
    int batches = ROWS / INFERENCE_BATCH;
    try (Network net = Network.create(n.spec(), be, F32, SEED);
         Scope data = be.openScope("inference-data")) {
      Tensor x = data.of(F32, Shape.of(ROWS, 784), features);
      int[] step = {0};
      CpuBenchmark.Timing t = CpuBenchmark.time(s, () -> {
        int i = step[0]++ % batches;
        try (Scope pass = data.child("forward")) {
          Tape tape = new Tape(pass, false, 0);
          Var out = net.forward(tape.constant(x.slice(0, i * INFERENCE_BATCH, (i + 1) * INFERENCE_BATCH)));
          if (out.value().dim(0) != INFERENCE_BATCH) {
            throw new IllegalStateException("Unexpected output shape " + out.value().shape() + ".");
          }
        }
      });
      return new Result("inference", n, INFERENCE_BATCH, t, Double.NaN);
    }
  }

  private static String range(Result r) {
    return String.format(Locale.ROOT, "%,.0f .. %,.0f", r.batch() / r.timing().slowest(),
        r.batch() / r.timing().fastest());
  }

  static String json(CpuBenchmark.Settings s, String[][] env, int blasThreads, List<Result> results) {
    return "{\"benchmark\":\"spark-dl-recurrent-cpu\",\"quick\":" + s.quick() + ",\"repetitions\":" + s.repetitions()
        + ",\"jvm\":" + CpuBenchmark.quote(env[0][1]) + ",\"cpu\":" + CpuBenchmark.quote(CpuBenchmark.cpuModel())
        + ",\"cores\":" + Runtime.getRuntime().availableProcessors() + ",\"threads\":" + s.threads()
        + ",\"blas_threads\":" + blasThreads + ",\"results\":["
        + results.stream().map(r -> String.format(Locale.ROOT, "{\"section\":\"%s\",\"network\":\"%s\",\"batch\":%d,"
            + "\"samples_per_s\":%.1f,\"samples_per_s_min\":%.1f,\"samples_per_s_max\":%.1f,\"ms\":%.3f%s}",
            r.section(), r.net().name(), r.batch(), r.samplesPerSecond(), r.batch() / r.timing().slowest(),
            r.batch() / r.timing().fastest(), r.timing().median() * 1e3,
            Double.isNaN(r.loss()) ? "" : String.format(Locale.ROOT, ",\"loss\":%.4f", r.loss())))
            .collect(Collectors.joining(","))
        + "]}";
  }
}
