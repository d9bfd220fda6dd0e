package org.sparkdl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Attention on the CPU backend, timed as {@link CpuBenchmark} times its figures (warm-up, then the
 * median of several repetitions):
 *
 * <ul>
 *   <li><b>scores</b>: the per-head products {@code Q_h K_hᵀ} of self-attention, with the heads
 *       interleaved in {@code [B, T, H, d]} memory as the packed in-projection leaves them, once by
 *       {@code Backend.gemmBatched} on strided views (what the layer does) and once by copying the
 *       heads to contiguous {@code [B H, T, d]} tensors first and calling {@code Backend.gemm};
 *   <li><b>train</b> and <b>inference</b>: the MNIST-rows Transformer of the tensor-backend tests
 *       (28 steps of 28 values, dense 64, positional embedding, one post-norm encoder block with 4
 *       heads and feed-forward 128, mean over steps, dense 10) on synthetic data.
 * </ul>
 *
 * <p>Usage: {@code TransformerBenchmark [--threads N] [--quick]}, as {@link CpuBenchmark}.
 */
public final class TransformerBenchmark {
  private static final DType F32 = DType.FLOAT32;
  private static final long SEED = NetworkBenchmark.SEED;
  private static final int ROWS = NetworkBenchmark.ROWS;
  private static final int[] SAMPLE = {28, 28};
  private static final int TRAIN_BATCH = 64;
  private static final int INFERENCE_BATCH = 1024;
  /** Attention shapes: batch, steps, heads, head width. */
  private static final int[][] SCORE_SHAPES = {{64, 28, 4, 16}, {32, 128, 8, 64}};

  private TransformerBenchmark() {}

  /** The network measured here (and trained on MNIST rows in the tensor-backend tests). */
  public static NetworkSpec classifier() {
    return NetworkSpec.builder()
        .input("rows", 28, 28)
        .dense(64).positionalEmbedding()
        .transformerEncoder(4, 128, 0, false)
        .sequenceMeanPool().dense(10)
        .build();
  }

  /** One measured figure; {@code what} names the variant, {@code shape} the sizes it ran on. */
  record Result(String section, String what, String shape, int batch, CpuBenchmark.Timing timing) {}

  public static void main(String[] args) {
    NetworkBenchmark.main("TransformerBenchmark", args, TransformerBenchmark::run);
  }

  static void run(CpuBenchmark.Settings s) {
    long started = System.nanoTime();
    List<Result> results = new ArrayList<>();
    try (Backend be = new CpuBackend(s.threads())) {
      int blasThreads = openblas_nolapack.blas_get_num_threads();
      String[][] env = CpuBenchmark.environment(s, blasThreads);
      NetworkBenchmark.printHeader("attention CPU benchmark", s, env);
      System.out.printf(Locale.ROOT, "%nScores Q_h K_hᵀ / sqrt(d) of heads interleaved in [B, T, H, d]%n");
      System.out.printf(Locale.ROOT, "  %-16s %-32s %10s %9s%n", "B, T, H, d", "method", "ms/call", "GFLOP/s");
      for (int[] shape : SCORE_SHAPES) {
        for (Result r : scores(be, s, shape)) {
          results.add(r);
          double flops = 2.0 * shape[0] * shape[2] * shape[1] * shape[1] * shape[3];
          System.out.printf(Locale.ROOT, "  %-16s %-32s %10.3f %9.1f%n", r.shape(), r.what(),
              r.timing().median() * 1e3, flops / r.timing().median() / 1e9);
        }
      }
      float[] features = new float[ROWS * 28 * 28];
      float[] labels = new float[ROWS];
      CpuBenchmark.syntheticData(features, labels);
      System.out.printf(Locale.ROOT, "%nMNIST-rows Transformer (28 x 28 -> dense 64, 1 encoder block, 4 heads);"
          + " training step = zero gradients, forward, backward, Adam update%n");
      System.out.printf(Locale.ROOT, "  %-10s %6s %11s %9s%n", "section", "batch", "samples/s", "ms");
      for (Result r : List.of(train(be, s, features, labels), infer(be, s, features))) {
        results.add(r);
        System.out.printf(Locale.ROOT, "  %-10s %6d %,11.0f %9.2f%n", r.section(), r.batch(),
            r.batch() / r.timing().median(), r.timing().median() * 1e3);
      }
      NetworkBenchmark.printFooter(be, started, json(s, env, blasThreads, results));
    }
  }

  private static String shapeText(int[] shape) {
    return shape[0] + ", " + shape[1] + ", " + shape[2] + ", " + shape[3];
  }

  static List<Result> scores(Backend be, CpuBenchmark.Settings s, int[] shape) {
    int b = shape[0];
    int t = shape[1];
    int h = shape[2];
    int d = shape[3];
    double scale = 1 / Math.sqrt(d);
    try (Scope scope = be.openScope("scores")) {
      Tensor qkv = scope.allocate(F32, Shape.of(b, t, 3 * h, d));
      be.random(qkv, Distribution.NORMAL, 0, 1, SEED);
      Tensor q = qkv.slice(2, 0, h).transpose(1, 2);
      Tensor k = qkv.slice(2, h, 2 * h).transpose(1, 2);
      Tensor out = scope.allocate(F32, Shape.of(b, h, t, t));
      CpuBenchmark.Timing strided = CpuBenchmark.time(s, () -> be.gemmBatched(q, false, k, true, out, scale, 0));
      Tensor flat = out.reshape(b * h, t, t);
      CpuBenchmark.Timing copied = CpuBenchmark.time(s, () -> {
        try (Scope tmp = scope.child("copies")) {
          Tensor qc = tmp.allocate(F32, Shape.of(b, h, t, d));
          Tensor kc = tmp.allocate(F32, Shape.of(b, h, t, d));
          be.copy(q, qc);
          be.copy(k, kc);
          be.gemm(qc.reshape(b * h, t, d), false, kc.reshape(b * h, t, d), true, flat, scale, 0);
        }
      });
      return List.of(new Result("scores", "gemmBatched on strided views", shapeText(shape), b, strided),
          new Result("scores", "copy to [B H, T, d], then gemm", shapeText(shape), b, copied));
    }
  }

  static Result train(Backend be, CpuBenchmark.Settings s, float[] features, float[] labels) {
    NetworkBenchmark.Trained t = NetworkBenchmark.train(be, s, "Transformer", classifier(), SAMPLE, TRAIN_BATCH,
        features, labels);
    return new Result("train", "step", "28 x 28", TRAIN_BATCH, t.timing());
  }

  static Result infer(Backend be, CpuBenchmark.Settings s, float[] features) {
    return new Result("inference", "forward", "28 x 28", INFERENCE_BATCH,
        NetworkBenchmark.infer(be, s, classifier(), SAMPLE, INFERENCE_BATCH, features));
  }

  static String json(CpuBenchmark.Settings s, String[][] env, int blasThreads, List<Result> results) {
    return NetworkBenchmark.json("spark-dl-attention-cpu", s, env, blasThreads, results.stream()
        .map(r -> String.format(Locale.ROOT, "{\"section\":\"%s\",\"what\":%s,\"shape\":%s,"
            + "\"batch\":%d,\"ms\":%.4f,\"ms_min\":%.4f,\"ms_max\":%.4f}", r.section(), CpuBenchmark.quote(r.what()),
            CpuBenchmark.quote(r.shape()), r.batch(),
            r.timing().median() * 1e3, r.timing().fastest() * 1e3, r.timing().slowest() * 1e3))
        .toList());
  }
}
