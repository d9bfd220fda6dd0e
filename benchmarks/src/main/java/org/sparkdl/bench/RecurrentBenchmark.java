package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.bench.NetworkBenchmark.Throughput;
import org.sparkdl.spec.NetworkSpec;

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
  private static final int ROWS = NetworkBenchmark.ROWS;
  private static final int[] SAMPLE = {784};
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

  private RecurrentBenchmark() {}

  public static void main(String[] args) {
    NetworkBenchmark.main("RecurrentBenchmark", args, RecurrentBenchmark::run);
  }

  static void run(CpuBenchmark.Settings s) {
    long started = System.nanoTime();
    List<Throughput> results = new ArrayList<>();
    try (Backend be = new CpuBackend(s.threads())) {
      int blasThreads = openblas_nolapack.blas_get_num_threads();
      String[][] env = CpuBenchmark.environment(s, blasThreads);
      NetworkBenchmark.printHeader("recurrent CPU benchmark", s, env);
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
          NetworkBenchmark.Trained t = NetworkBenchmark.train(be, s, n.name(), n.spec(), SAMPLE, batch, features,
              labels);
          Throughput r = new Throughput("train", n.name(), batch, t.timing(), t.loss());
          results.add(r);
          System.out.printf(Locale.ROOT, "  %-9s %6d %,11.0f %23s %9.2f %8.4f%n", n.name(), batch,
              r.samplesPerSecond(), r.range(), r.timing().median() * 1e3, r.loss());
        }
      }

      System.out.printf(Locale.ROOT, "%nInference: forward pass in inference mode%n");
      System.out.printf(Locale.ROOT, "  %-9s %6s %11s %23s %9s%n", "network", "batch", "samples/s",
          "min .. max samples/s", "ms/batch");
      for (Net n : NETWORKS) {
        Throughput r = new Throughput("inference", n.name(), INFERENCE_BATCH,
            NetworkBenchmark.infer(be, s, n.spec(), SAMPLE, INFERENCE_BATCH, features), Double.NaN);
        results.add(r);
        System.out.printf(Locale.ROOT, "  %-9s %6d %,11.0f %23s %9.2f%n", n.name(), INFERENCE_BATCH,
            r.samplesPerSecond(), r.range(), r.timing().median() * 1e3);
      }
      NetworkBenchmark.printFooter(be, started, json(s, env, blasThreads, results));
    }
  }

  static String json(CpuBenchmark.Settings s, String[][] env, int blasThreads, List<Throughput> results) {
    return NetworkBenchmark.json("spark-dl-recurrent-cpu", s, env, blasThreads,
        results.stream().map(Throughput::json).toList());
  }
}
