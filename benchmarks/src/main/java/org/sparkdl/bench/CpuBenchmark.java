package org.sparkdl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Distribution;
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
 * Throughput of the CPU backend: float32 sgemm, MLP training steps (Adam, softmax cross-entropy) and
 * inference passes. Every figure is timed after a warm-up, over several repetitions, and the median
 * repetition is reported; the fastest and slowest show the spread. Prints a table, then the same
 * figures as one JSON line.
 *
 * <p>Usage: {@code CpuBenchmark [--threads N] [--quick]}. {@code --threads} sets the BLAS thread
 * count (default: all available processors); {@code --quick} runs few, short repetitions, enough to
 * check that everything works but not for numbers worth comparing.
 *
 * <p>Size: over 400 lines, one benchmark program with its own table and JSON report, as each of
 * this module's programs is.
 */
public final class CpuBenchmark {
  private static final DType F32 = DType.FLOAT32;
  private static final long SEED = 42;
  /** Rows of synthetic training and inference data. */
  private static final int ROWS = 8192;
  private static final int INPUT = 784;
  private static final int CLASSES = 10;
  private static final int INFERENCE_BATCH = 1024;
  private static final int[] GEMM_SIZES = {512, 1024, 2048};
  private static final List<Mlp> NETWORKS = List.of(
      new Mlp(new int[] {INPUT, 128, CLASSES}, 128),
      new Mlp(new int[] {INPUT, 1024, 1024, CLASSES}, 256));

  private CpuBenchmark() {}

  /** How long to warm up and measure. */
  record Settings(int threads, boolean quick) {
    int repetitions() {
      return quick ? 3 : 9;
    }

    double repetitionSeconds() {
      return quick ? 0.1 : 0.5;
    }

    double warmupSeconds() {
      return quick ? 0.2 : 1.5;
    }

    int warmupOps() {
      return quick ? 2 : 5;
    }
  }

  /** A ReLU multilayer perceptron of the given widths, trained in batches of {@code batch}. */
  record Mlp(int[] widths, int batch) {
    String name() {
      return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    /** Entries of the dense weight matrices (biases excluded): the multiply-adds per sample of a forward pass. */
    long weights() {
      long w = 0;
      for (int i = 0; i + 1 < widths.length; i++) {
        w += (long) widths[i] * widths[i + 1];
      }
      return w;
    }
  }

  /** Seconds per operation in each timed repetition, sorted ascending. */
  record Timing(double[] secondsPerOp, int opsPerRepetition) {
    double median() {
      int n = secondsPerOp.length;
      return n % 2 == 1 ? secondsPerOp[n / 2] : (secondsPerOp[n / 2 - 1] + secondsPerOp[n / 2]) / 2;
    }

    double fastest() {
      return secondsPerOp[0];
    }

    double slowest() {
      return secondsPerOp[secondsPerOp.length - 1];
    }
  }

  /** One measured figure: {@code work} units (flops, samples, rows) per operation. */
  record Result(String section, String name, int batch, long weights, double work, double flopsPerOp, Timing timing,
      double loss) {
    double perSecond() {
      return work / timing.median();
    }

    double bestPerSecond() {
      return work / timing.fastest();
    }

    double worstPerSecond() {
      return work / timing.slowest();
    }

    double gflops() {
      return flopsPerOp / timing.median() / 1e9;
    }
  }

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = parse(args);
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
    return "Usage: CpuBenchmark [--threads N] [--quick]\n"
        + "  --threads N  BLAS threads (default: available processors, "
        + Runtime.getRuntime().availableProcessors() + ")\n"
        + "  --quick      few short repetitions: a smoke run, not a measurement";
  }

  /** Parses the arguments; returns null when help was asked for. */
  static Settings parse(String[] args) {
    int threads = Runtime.getRuntime().availableProcessors();
    boolean quick = false;
    List<String> tokens = new ArrayList<>();
    for (String a : args) {
      // Maven may pass an empty or space-joined argument string; split it here.
      for (String t : a.trim().split("\\s+")) {
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.equals("--quick")) {
        quick = true;
      } else if (t.equals("--help") || t.equals("-h")) {
        return null;
      } else if (t.equals("--threads") || t.startsWith("--threads=")) {
        String v;
        if (t.startsWith("--threads=")) {
          v = t.substring("--threads=".length());
        } else if (i + 1 < tokens.size()) {
          v = tokens.get(++i);
        } else {
          throw new IllegalArgumentException("--threads needs a value.");
        }
        try {
          threads = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--threads needs a positive integer, found '" + v + "'.");
        }
        if (threads < 1) {
          throw new IllegalArgumentException("--threads needs a positive integer, found " + threads + ".");
        }
      } else {
        throw new IllegalArgumentException("Unknown argument '" + t + "'.");
      }
    }
    return new Settings(threads, quick);
  }

  static void run(Settings s) {
    long started = System.nanoTime();
    List<Result> results = new ArrayList<>();
    try (Backend be = new CpuBackend(s.threads())) {
      int blasThreads = openblas_nolapack.blas_get_num_threads();
      String[][] env = environment(s, blasThreads);
      System.out.printf(Locale.ROOT, "%nspark-dl CPU benchmark%s: median of %d timed repetitions (~%.1f s each) after >= %.1f s warm-up%n",
          s.quick() ? " (QUICK smoke run, numbers are rough)" : "", s.repetitions(), s.repetitionSeconds(),
          s.warmupSeconds());
      for (String[] kv : env) {
        System.out.printf(Locale.ROOT, "  %-12s %s%n", kv[0], kv[1]);
      }

      System.out.printf(Locale.ROOT, "%nsgemm: float32 [n,n] x [n,n] through Backend.gemm and through cblas_sgemm called"
          + " directly on the same buffers, 2n^3 flops, %d BLAS threads%n", blasThreads);
      System.out.printf(Locale.ROOT, "  %6s  %10s  %21s  %10s  %14s  %8s%n", "n", "GFLOP/s", "min .. max GFLOP/s", "ms/call",
          "direct GFLOP/s", "ratio");
      for (int n : GEMM_SIZES) {
        Result[] r = gemm(be, s, n);
        results.add(r[0]);
        results.add(r[1]);
        System.out.printf(Locale.ROOT, "  %6d  %10.1f  %21s  %10.3f  %14.1f  %7.1f%%%n", n, r[0].gflops(),
            range(r[0].worstPerSecond() / 1e9, r[0].bestPerSecond() / 1e9, "%.1f"), r[0].timing().median() * 1e3,
            r[1].gflops(), 100 * r[0].gflops() / r[1].gflops());
      }

      float[] features = new float[ROWS * INPUT];
      float[] labels = new float[ROWS];
      syntheticData(features, labels);

      System.out.printf(Locale.ROOT, "%nTraining: ReLU MLP, Adam(1e-3), softmax cross-entropy, %d synthetic rows;"
          + " GFLOP/s = 6 x weights x samples / time%n", ROWS);
      System.out.printf(Locale.ROOT, "  %-17s %6s %10s %11s %23s %8s %9s %8s%n", "network", "batch", "weights",
          "samples/s", "min .. max samples/s", "GFLOP/s", "ms/step", "loss");
      for (Mlp m : NETWORKS) {
        Result r = train(be, s, m, features, labels);
        results.add(r);
        System.out.printf(Locale.ROOT, "  %-17s %6d %,10d %,11.0f %23s %8.1f %9.2f %8.4f%n", m.name(), m.batch(),
            m.weights(), r.perSecond(), range(r.worstPerSecond(), r.bestPerSecond(), "%,.0f"), r.gflops(),
            r.timing().median() * 1e3, r.loss());
      }

      System.out.printf(Locale.ROOT, "%nInference: forward pass in inference mode, batches of %d;"
          + " GFLOP/s = 2 x weights x rows / time%n", INFERENCE_BATCH);
      System.out.printf(Locale.ROOT, "  %-17s %6s %10s %11s %23s %8s %9s%n", "network", "batch", "weights", "rows/s",
          "min .. max rows/s", "GFLOP/s", "ms/batch");
      for (Mlp m : NETWORKS) {
        Result r = infer(be, s, m, features);
        results.add(r);
        System.out.printf(Locale.ROOT, "  %-17s %6d %,10d %,11.0f %23s %8.1f %9.2f%n", m.name(), INFERENCE_BATCH,
            m.weights(), r.perSecond(), range(r.worstPerSecond(), r.bestPerSecond(), "%,.0f"), r.gflops(),
            r.timing().median() * 1e3);
      }

      if (be.liveBytes() != 0) {
        System.err.printf(Locale.ROOT, "Warning: %d bytes of backend memory were not freed.%n", be.liveBytes());
      }
      double total = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "%nTotal %.1f s. JSON:%n", total);
      System.out.println(json(s, env, blasThreads, results));
    }
  }

  // ------------------------------------------------------------------ measurements

  /** Backend.gemm, then cblas_sgemm called directly on the same memory (the baseline it should match). */
  static Result[] gemm(Backend be, Settings s, int n) {
    try (Scope sc = be.openScope("sgemm-" + n)) {
      Tensor a = sc.allocate(F32, Shape.of(n, n));
      Tensor b = sc.allocate(F32, Shape.of(n, n));
      Tensor c = sc.zeros(F32, Shape.of(n, n));
      be.random(a, Distribution.UNIFORM, -1, 1, SEED);
      be.random(b, Distribution.UNIFORM, -1, 1, SEED + 1);
      Timing t = time(s, () -> be.gemm(a, false, b, false, c, 1.0, 0.0));
      FloatPointer pa = new FloatPointer(new RawAddress(a.address()));
      FloatPointer pb = new FloatPointer(new RawAddress(b.address()));
      FloatPointer pc = new FloatPointer(new RawAddress(c.address()));
      Timing direct = time(s, () -> openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
          openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n));
      double flops = 2.0 * n * n * n;
      return new Result[] {new Result("sgemm", Integer.toString(n), n, 0, flops, flops, t, Double.NaN),
          new Result("sgemm-direct", Integer.toString(n), n, 0, flops, flops, direct, Double.NaN)};
    }
  }

  /** A JavaCPP pointer at an address it does not own. */
  private static final class RawAddress extends Pointer {
    RawAddress(long addr) {
      this.address = addr;
    }
  }

  static Result train(Backend be, Settings s, Mlp m, float[] features, float[] labels) {
    NetworkSpec spec = NetworkSpec.mlp(m.widths(), "relu");
    int batches = ROWS / m.batch();
    try (Network net = Network.create(spec, be, F32, SEED);
         LocalTrainer trainer = new LocalTrainer(net, new SoftmaxCrossEntropy(), OptimizerSpec.adam(1e-3), SEED);
         Scope data = be.openScope("train-data")) {
      // The data is copied in once; each step reads a batch-sized view of it.
      Tensor x = data.of(F32, Shape.of(ROWS, INPUT), features);
      Tensor y = data.of(F32, Shape.of(ROWS), labels);
      Tensor[] xb = new Tensor[batches];
      Tensor[] yb = new Tensor[batches];
      for (int i = 0; i < batches; i++) {
        xb[i] = x.slice(0, i * m.batch(), (i + 1) * m.batch());
        yb[i] = y.slice(0, i * m.batch(), (i + 1) * m.batch());
      }
      int[] step = {0};
      BatchStats[] last = {null};
      Timing t = time(s, () -> {
        int i = step[0]++ % batches;
        last[0] = trainer.trainBatch(xb[i], yb[i], null);
      });
      double loss = last[0].meanLoss();
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("Training " + m.name() + " diverged: loss " + loss + ".");
      }
      return new Result("train", m.name(), m.batch(), m.weights(), m.batch(), 6.0 * m.weights() * m.batch(), t, loss);
    }
  }

  static Result infer(Backend be, Settings s, Mlp m, float[] features) {
    NetworkSpec spec = NetworkSpec.mlp(m.widths(), "relu");
    int batches = ROWS / INFERENCE_BATCH;
    try (Network net = Network.create(spec, be, F32, SEED);
         Scope data = be.openScope("inference-data")) {
      Tensor x = data.of(F32, Shape.of(ROWS, INPUT), features);
      Tensor[] xb = new Tensor[batches];
      for (int i = 0; i < batches; i++) {
        xb[i] = x.slice(0, i * INFERENCE_BATCH, (i + 1) * INFERENCE_BATCH);
      }
      int[] step = {0};
      Timing t = time(s, () -> {
        int i = step[0]++ % batches;
        try (Scope pass = data.child("forward")) {
          Tape tape = new Tape(pass, false, 0);
          Var out = net.forward(tape.constant(xb[i]));
          if (out.value().dim(0) != INFERENCE_BATCH) {
            throw new IllegalStateException("Unexpected output shape " + out.value().shape() + ".");
          }
        }
      });
      return new Result("inference", m.name(), INFERENCE_BATCH, m.weights(), INFERENCE_BATCH,
          2.0 * m.weights() * INFERENCE_BATCH, t, Double.NaN);
    }
  }

  /**
   * Warms {@code op} up (JIT, BLAS thread pool, allocator, optimizer state), sizes a repetition from
   * the last warm-up calls, then times the repetitions.
   */
  static Timing time(Settings s, Runnable op) {
    List<Double> warm = new ArrayList<>();
    long start = System.nanoTime();
    while (warm.size() < s.warmupOps() || System.nanoTime() - start < s.warmupSeconds() * 1e9) {
      long t0 = System.nanoTime();
      op.run();
      warm.add((System.nanoTime() - t0) / 1e9);
    }
    double[] tail = warm.subList(Math.max(0, warm.size() - 5), warm.size()).stream()
        .mapToDouble(Double::doubleValue).sorted().toArray();
    double estimate = Math.max(tail[tail.length / 2], 1e-7);
    int perRep = (int) Math.max(1, Math.min(1_000_000, Math.round(s.repetitionSeconds() / estimate)));
    double[] perOp = new double[s.repetitions()];
    for (int r = 0; r < perOp.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < perRep; i++) {
        op.run();
      }
      perOp[r] = (System.nanoTime() - t0) / 1e9 / perRep;
    }
    Arrays.sort(perOp);
    return new Timing(perOp, perRep);
  }

  /** Features uniform in [0, 1) like scaled pixels, labels uniform over the classes; fixed seed. */
  static void syntheticData(float[] features, float[] labels) {
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < features.length; i++) {
      features[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(CLASSES);
    }
  }

  // ------------------------------------------------------------------ reporting

  static String[][] environment(Settings s, int blasThreads) {
    Runtime rt = Runtime.getRuntime();
    return new String[][] {
        {"JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vm.vendor") + "), max heap " + rt.maxMemory() / (1024 * 1024) + " MiB"},
        {"OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")},
        {"CPU", cpuModel() + ", " + rt.availableProcessors() + " cores available"},
        {"BLAS", "OpenBLAS (JavaCPP presets), " + s.threads() + " threads requested, " + blasThreads + " in use"},
    };
  }

  /** The CPU model from /proc/cpuinfo, or "unknown CPU" where there is none. */
  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          int colon = line.indexOf(':');
          return line.substring(colon + 1).trim().replaceAll("\\s+", " ");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable
    }
    return "unknown CPU";
  }

  private static String range(double lo, double hi, String fmt) {
    return String.format(Locale.ROOT, fmt, lo) + " .. " + String.format(Locale.ROOT, fmt, hi);
  }

  static String json(Settings s, String[][] env, int blasThreads, List<Result> results) {
    StringBuilder b = new StringBuilder(1024);
    b.append("{\"benchmark\":\"spark-dl-cpu\",\"quick\":").append(s.quick())
        .append(",\"repetitions\":").append(s.repetitions())
        .append(",\"jvm\":").append(quote(env[0][1]))
        .append(",\"os\":").append(quote(env[1][1]))
        .append(",\"cpu\":").append(quote(cpuModel()))
        .append(",\"cores\":").append(Runtime.getRuntime().availableProcessors())
        .append(",\"blas_threads_requested\":").append(s.threads())
        .append(",\"blas_threads\":").append(blasThreads);
    appendSection(b, "sgemm", results, r -> "{\"n\":" + r.batch() + ",\"gflops\":" + num(r.gflops())
        + ",\"gflops_min\":" + num(r.worstPerSecond() / 1e9) + ",\"gflops_max\":" + num(r.bestPerSecond() / 1e9)
        + ",\"ms_per_call\":" + num(r.timing().median() * 1e3) + "}");
    appendSection(b, "sgemm-direct", results, r -> "{\"n\":" + r.batch() + ",\"gflops\":" + num(r.gflops()) + "}");
    appendSection(b, "train", results, r -> "{\"network\":" + quote(r.name()) + ",\"batch\":" + r.batch()
        + ",\"weights\":" + r.weights() + ",\"samples_per_s\":" + num(r.perSecond())
        + ",\"samples_per_s_min\":" + num(r.worstPerSecond()) + ",\"samples_per_s_max\":" + num(r.bestPerSecond())
        + ",\"gflops\":" + num(r.gflops()) + ",\"ms_per_step\":" + num(r.timing().median() * 1e3)
        + ",\"loss\":" + num(r.loss()) + "}");
    appendSection(b, "inference", results, r -> "{\"network\":" + quote(r.name()) + ",\"batch\":" + r.batch()
        + ",\"weights\":" + r.weights() + ",\"rows_per_s\":" + num(r.perSecond())
        + ",\"rows_per_s_min\":" + num(r.worstPerSecond()) + ",\"rows_per_s_max\":" + num(r.bestPerSecond())
        + ",\"gflops\":" + num(r.gflops()) + ",\"ms_per_batch\":" + num(r.timing().median() * 1e3) + "}");
    return b.append('}').toString();
  }

  private static void appendSection(StringBuilder b, String section, List<Result> results,
      Function<Result, String> row) {
    b.append(",\"").append(section).append("\":[")
        .append(results.stream().filter(r -> r.section().equals(section)).map(row).collect(Collectors.joining(",")))
        .append(']');
  }

  private static String num(double v) {
    if (!Double.isFinite(v)) {
      return "null";
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.4g", v);
  }

  static String quote(String v) {
    StringBuilder b = new StringBuilder(v.length() + 2).append('"');
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
