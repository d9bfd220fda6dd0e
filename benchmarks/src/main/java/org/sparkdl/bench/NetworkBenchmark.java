package org.sparkdl.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
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
 * The command line, timed loops and report frame that {@link LeNetBenchmark}, {@link
 * RecurrentBenchmark} and {@link TransformerBenchmark} share: each times one training step (Adam
 * 1e-3, softmax cross-entropy) and one inference pass of a float32 network over {@value #ROWS}
 * synthetic rows, copied in once and read as batch-sized views, as {@link CpuBenchmark} times its
 * figures (warm-up, then the median of several repetitions).
 */
final class NetworkBenchmark {
  /** Rows of synthetic data the loops cycle through. */
  static final int ROWS = 8192;
  /** Seed of the network's weights and of the trainer. */
  static final long SEED = 42;
  private static final DType F32 = DType.FLOAT32;

  private NetworkBenchmark() {}

  /** Parses {@code args} as {@link CpuBenchmark} does and runs; prints {@code program}'s usage for help or errors. */
  static void main(String program, String[] args, Consumer<CpuBenchmark.Settings> run) {
    String usage = CpuBenchmark.usage().replace("CpuBenchmark", program);
    CpuBenchmark.Settings settings;
    try {
      settings = CpuBenchmark.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage);
      System.exit(2);
      return;
    }
    if (settings == null) {
      System.out.println(usage);
      return;
    }
    run.accept(settings);
  }

  /** Prints the title line ({@code "spark-dl <title>: median of ..."}) and the environment table. */
  static void printHeader(String title, CpuBenchmark.Settings s, String[][] env) {
    System.out.printf(Locale.ROOT, "%nspark-dl %s%s: median of %d timed repetitions (~%.1f s each) after >= %.1f s"
        + " warm-up%n", title, s.quick() ? " (QUICK smoke run, numbers are rough)" : "", s.repetitions(),
        s.repetitionSeconds(), s.warmupSeconds());
    for (String[] kv : env) {
      System.out.printf(Locale.ROOT, "  %-12s %s%n", kv[0], kv[1]);
    }
  }

  /** Warns about backend memory left allocated, then prints the total time and the JSON line. */
  static void printFooter(Backend be, long startedNanos, String json) {
    if (be.liveBytes() != 0) {
      System.err.printf(Locale.ROOT, "Warning: %d bytes of backend memory were not freed.%n", be.liveBytes());
    }
    System.out.printf(Locale.ROOT, "%nTotal %.1f s. JSON:%n", (System.nanoTime() - startedNanos) / 1e9);
    System.out.println(json);
  }

  /** A timed training step and the mean loss of the last batch trained. */
  record Trained(CpuBenchmark.Timing timing, double loss) {}

  /**
   * Times a training step of {@code spec} on batches of {@code batch} rows of {@code sample}-shaped
   * features.
   *
   * @throws IllegalStateException naming {@code what} when the loss is no longer finite
   */
  static Trained train(Backend be, CpuBenchmark.Settings s, String what, NetworkSpec spec, int[] sample, int batch,
      float[] features, float[] labels) {
    int batches = ROWS / batch;
    try (Network net = Network.create(spec, be, F32, SEED);
         LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED);
         Scope data = be.openScope("train-data")) {
      Tensor x = data.of(F32, Shape.of(sample).prepend(ROWS), features);
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
        throw new IllegalStateException(what + " training diverged: loss " + loss + ".");
      }
      return new Trained(t, loss);
    }
  }

  /** Times a forward pass in inference mode of {@code spec} on batches of {@code batch} rows. */
  static CpuBenchmark.Timing infer(Backend be, CpuBenchmark.Settings s, NetworkSpec spec, int[] sample, int batch,
      float[] features) {
    int batches = ROWS / batch;
    try (Network net = Network.create(spec, be, F32, SEED);
         Scope data = be.openScope("inference-data")) {
      Tensor x = data.of(F32, Shape.of(sample).prepend(ROWS), features);
      int[] step = {0};
      return CpuBenchmark.time(s, () -> {
        int i = step[0]++ % batches;
        try (Scope pass = data.child("forward")) {
          Var out = net.forward(new Tape(pass, false, 0).constant(x.slice(0, i * batch, (i + 1) * batch)));
          if (out.value().dim(0) != batch) {
            throw new IllegalStateException("Unexpected output shape " + out.value().shape() + ".");
          }
        }
      });
    }
  }

  /**
   * One measured figure of a throughput table: {@code batch} samples per timed operation, the loss
   * where the operation trains (NaN otherwise), and the network's name where the table has several
   * (null otherwise).
   */
  record Throughput(String section, String network, int batch, CpuBenchmark.Timing timing, double loss) {
    double samplesPerSecond() {
      return batch / timing.median();
    }

    /** {@code "slowest .. fastest"} samples per second. */
    String range() {
      return String.format(Locale.ROOT, "%,.0f .. %,.0f", batch / timing.slowest(), batch / timing.fastest());
    }

    /** This figure as a JSON object. */
    String json() {
      return String.format(Locale.ROOT, "{\"section\":\"%s\",%s\"batch\":%d,\"samples_per_s\":%.1f,"
          + "\"samples_per_s_min\":%.1f,\"samples_per_s_max\":%.1f,\"ms\":%.3f%s}", section,
          network == null ? "" : "\"network\":" + CpuBenchmark.quote(network) + ",", batch, samplesPerSecond(),
          batch / timing.slowest(), batch / timing.fastest(), timing.median() * 1e3,
          Double.isNaN(loss) ? "" : String.format(Locale.ROOT, ",\"loss\":%.4f", loss));
    }
  }

  /**
   * The JSON line: {@code benchmark}, the settings and machine, and {@code results}, each already a
   * JSON object.
   */
  static String json(String benchmark, CpuBenchmark.Settings s, String[][] env, int blasThreads,
      List<String> results) {
    return "{\"benchmark\":" + CpuBenchmark.quote(benchmark) + ",\"quick\":" + s.quick() + ",\"repetitions\":"
        + s.repetitions() + ",\"jvm\":" + CpuBenchmark.quote(env[0][1]) + ",\"cpu\":"
        + CpuBenchmark.quote(CpuBenchmark.cpuModel()) + ",\"cores\":" + Runtime.getRuntime().availableProcessors()
        + ",\"threads\":" + s.threads() + ",\"blas_threads\":" + blasThreads + ",\"results\":["
        + String.join(",", results) + "]}";
  }
}
