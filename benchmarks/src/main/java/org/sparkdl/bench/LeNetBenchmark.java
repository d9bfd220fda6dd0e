package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.bench.NetworkBenchmark.Throughput;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;

/**
 * Training and inference throughput of a LeNet-style CNN on the CPU backend: conv 6@5x5 (padding
 * 2), ReLU, max pool 2, conv 16@5x5, ReLU, max pool 2, dense 120, ReLU, dense 84, ReLU, dense 10,
 * on 28x28 single-channel images. Timed as {@link CpuBenchmark} times its figures (warm-up, then
 * the median of several repetitions); prints a table, then the same figures as one JSON line.
 *
 * <p>Usage: {@code LeNetBenchmark [--threads N] [--quick]}, as {@link CpuBenchmark}.
 */
public final class LeNetBenchmark {
  private static final int ROWS = NetworkBenchmark.ROWS;
  private static final int PIXELS = 28 * 28;
  private static final int[] SAMPLE = {1, 28, 28};
  private static final int[] TRAIN_BATCHES = {64, 256};
  private static final int INFERENCE_BATCH = 1024;
  /** Multiply-adds per sample of one forward pass: conv1, conv2, then the three dense layers. */
  private static final long MACS = 6L * 25 * 28 * 28 + 16L * 150 * 10 * 10 + 400 * 120 + 120 * 84 + 84 * 10;

  private LeNetBenchmark() {}

  /** The network measured here (and trained on MNIST in the tensor-backend tests). */
  public static NetworkSpec lenet() {
    return NetworkSpec.builder()
        .input("image", 1, 28, 28)
        .conv2d(6, 5, c -> c.withPadding(Padding.of(2))).relu().maxPool2d(2)
        .conv2d(16, 5).relu().maxPool2d(2)
        .flatten().dense(120).relu().dense(84).relu().dense(10)
        .build();
  }

  public static void main(String[] args) {
    NetworkBenchmark.main("LeNetBenchmark", args, LeNetBenchmark::run);
  }

  static void run(CpuBenchmark.Settings s) {
    long started = System.nanoTime();
    List<Throughput> results = new ArrayList<>();
    try (Backend be = new CpuBackend(s.threads())) {
      int blasThreads = openblas_nolapack.blas_get_num_threads();
      String[][] env = CpuBenchmark.environment(s, blasThreads);
      NetworkBenchmark.printHeader("LeNet CPU benchmark", s, env);
      System.out.printf(Locale.ROOT, "  %-12s %s (%,d multiply-adds per sample forward)%n", "network",
          "conv6@5x5 pad2-relu-maxpool2-conv16@5x5-relu-maxpool2-dense120-relu-dense84-relu-dense10", MACS);
      float[] features = new float[ROWS * PIXELS];
      float[] labels = new float[ROWS];
      CpuBenchmark.syntheticData(features, labels);

      System.out.printf(Locale.ROOT, "%nTraining: Adam(1e-3), softmax cross-entropy, %d synthetic 28x28 images;"
          + " one step = zero gradients, forward, backward, update%n", ROWS);
      System.out.printf(Locale.ROOT, "  %6s %11s %23s %9s %8s%n", "batch", "samples/s", "min .. max samples/s",
          "ms/step", "loss");
      for (int batch : TRAIN_BATCHES) {
        NetworkBenchmark.Trained t = NetworkBenchmark.train(be, s, "LeNet", lenet(), SAMPLE, batch, features, labels);
        Throughput r = new Throughput("train", null, batch, t.timing(), t.loss());
        results.add(r);
        System.out.printf(Locale.ROOT, "  %6d %,11.0f %23s %9.2f %8.4f%n", batch, r.samplesPerSecond(), r.range(),
            r.timing().median() * 1e3, r.loss());
      }

      System.out.printf(Locale.ROOT, "%nInference: forward pass in inference mode%n");
      System.out.printf(Locale.ROOT, "  %6s %11s %23s %9s%n", "batch", "samples/s", "min .. max samples/s", "ms/batch");
      Throughput r = new Throughput("inference", null, INFERENCE_BATCH,
          NetworkBenchmark.infer(be, s, lenet(), SAMPLE, INFERENCE_BATCH, features), Double.NaN);
      results.add(r);
      System.out.printf(Locale.ROOT, "  %6d %,11.0f %23s %9.2f%n", INFERENCE_BATCH, r.samplesPerSecond(), r.range(),
          r.timing().median() * 1e3);
      NetworkBenchmark.printFooter(be, started, json(s, env, blasThreads, results));
    }
  }

  static String json(CpuBenchmark.Settings s, String[][] env, int blasThreads, List<Throughput> results) {
    return NetworkBenchmark.json("spark-dl-lenet-cpu", s, env, blasThreads,
        results.stream().map(Throughput::json).toList());
  }
}
