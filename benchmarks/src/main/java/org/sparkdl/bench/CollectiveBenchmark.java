package org.sparkdl.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.collective.Collective;
import org.sparkdl.collective.Collectives;
import org.sparkdl.collective.Collectives.Endpoint;
import org.sparkdl.collective.TcpCollective;
import org.sparkdl.collective.TcpCollective.Algorithm;
import org.sparkdl.collective.TcpCollective.Options;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Allreduce among 2 ranks through {@code org.sparkdl.collective}: latency for the parameters of a
 * 784-128-10 MLP (101,770 floats) and bandwidth for 4M and 16M floats,
 *
 * <ol>
 *   <li>with the ranks as two threads of this JVM, over loopback TCP (tree and ring) and through
 *       shared memory;
 *   <li>inside Spark, as the two tasks of a barrier stage that find each other through {@code
 *       allGather} and join as the trainer's tasks do: in {@code local[2]} (one JVM: shared
 *       memory) and in {@code local-cluster[2,1,1024]} (two executor JVMs: TCP), each beside a bare
 *       {@code treeAggregate} of the MLP's vector, the per-round path's cost of moving it.
 * </ol>
 *
 * <p>Usage: {@code CollectiveBenchmark [--quick]}.
 */
public final class CollectiveBenchmark {
  /** Parameters of a 784-128-10 MLP. */
  static final int MLP = 784 * 128 + 128 + 128 * 10 + 10;
  static final int[] SIZES = {MLP, 4 << 20, 16 << 20};
  private static final String USAGE = "Usage: CollectiveBenchmark [--quick]\n"
      + "  --quick  fewer calls per figure: a smoke run, not a measurement";

  private CollectiveBenchmark() {}

  /** How many calls each figure warms up with and times. */
  record Plan(boolean quick) implements java.io.Serializable {
    int warmup(int floats, boolean freshJvm) {
      if (floats == MLP) {
        return quick ? 20 : freshJvm ? 200 : 50;
      }
      return quick ? 1 : 3;
    }

    int timed(int floats) {
      if (floats == MLP) {
        return quick ? 50 : 500;
      }
      return quick ? 3 : floats <= 4 << 20 ? 20 : 10;
    }

    int aggregateWarmup() {
      return quick ? 5 : 10;
    }

    int aggregateTimed() {
      return quick ? 15 : 40;
    }
  }

  /** One figure: milliseconds per allreduce (or treeAggregate) of {@code floats} floats, in {@code setting}. */
  record Figure(String setting, String key, int floats, Spread ms) {
    double gbPerSecond() {
      return floats * 4.0 / (ms.median() / 1e3) / 1e9;
    }

    String json() {
      return String.format(Locale.ROOT, "{\"setting\":%s,\"floats\":%d,%s,\"gb_per_s\":%.3f}", CpuBenchmark.quote(key), floats,
          ms.json("ms"), gbPerSecond());
    }
  }

  public static void main(String[] args) throws Exception {
    Plan plan = new Plan(CommandLine.quick(args, USAGE));
    long started = System.nanoTime();
    System.out.printf(Locale.ROOT, "%nspark-dl collective benchmark%s: allreduce among 2 ranks%n",
        plan.quick() ? " (QUICK smoke run, numbers are rough)" : "");
    for (String[] kv : CommandLine.environment()) {
      System.out.printf(Locale.ROOT, "  %-5s %s%n", kv[0], kv[1]);
    }
    List<Figure> figures = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    String[][] variants = {
        {"threads, TCP tree (2 processes)", "threads-tcp-tree", "ab", "TREE"},
        {"threads, TCP ring (2 processes)", "threads-tcp-ring", "ab", "RING"},
        {"threads, shared memory (1 process)", "threads-shared-memory", "aa", "AUTO"}};
    for (String[] v : variants) {
      for (int floats : SIZES) {
        figures.add(new Figure(v[0], v[1], floats, threads(v[2], Algorithm.valueOf(v[3]), floats, plan)));
      }
    }

    SparkSession local = Sessions.local("spark-dl collective benchmark");
    try {
      figures.addAll(inSpark(local, "local[2]", plan, notes));
    } finally {
      local.stop();
    }
    SparkSession cluster = null;
    try {
      cluster = Sessions.localCluster("spark-dl collective benchmark", 2, 1024);
    } catch (IllegalStateException e) {
      notes.add("local-cluster part skipped: " + e.getMessage());
    }
    if (cluster != null) {
      try {
        figures.addAll(inSpark(cluster, "local-cluster[2,1,1024]", plan, notes));
      } finally {
        cluster.stop();
      }
    }

    report(figures, notes, plan);
    System.out.printf(Locale.ROOT, "%nTotal %.1f s, load average at the end %s. JSON:%n", (System.nanoTime() - started) / 1e9,
        CommandLine.loadAverage());
    System.out.println("{\"benchmark\":\"spark-dl-collective\",\"quick\":" + plan.quick() + ",\"cpu\":"
        + CpuBenchmark.quote(CpuBenchmark.cpuModel()) + ",\"cores\":" + Runtime.getRuntime().availableProcessors()
        + ",\"results\":[" + figures.stream().map(Figure::json).collect(Collectors.joining(",")) + "],\"targets\":["
        + targets(figures).stream().map(Target::json).collect(Collectors.joining(",")) + "]}");
  }

  // ---------------------------------------------------------------- ranks as threads

  /**
   * Times allreduce of {@code floats} floats among 2 ranks run as threads of this JVM, rank r in
   * the process named by letter r of {@code processes} (different letters talk TCP over loopback);
   * rank 0's milliseconds per call.
   */
  static Spread threads(String processes, Algorithm algorithm, int floats, Plan plan) throws Exception {
    Options options = Options.defaults().withAlgorithm(algorithm).withTimeout(Duration.ofSeconds(120))
        .withToken(System.nanoTime());
    ExecutorService pool = Executors.newFixedThreadPool(processes.length());
    try (CpuBackend be = new CpuBackend(1)) {
      List<TcpCollective.Listener> listeners = new ArrayList<>();
      List<Endpoint> endpoints = new ArrayList<>();
      for (int r = 0; r < processes.length(); r++) {
        TcpCollective.Listener l = TcpCollective.listen("127.0.0.1");
        listeners.add(l);
        endpoints.add(new Endpoint("jvm-" + processes.charAt(r), l.address()));
      }
      List<Future<double[]>> ranks = new ArrayList<>();
      for (int r = 0; r < processes.length(); r++) {
        int rank = r;
        ranks.add(pool.submit(() -> {
          try (TcpCollective.Listener l = listeners.get(rank);
              Collective c = Collectives.join(rank, endpoints, l, options);
              Scope scope = be.openScope("rank-" + rank)) {
            return timeCalls(c, scope, floats, plan.warmup(floats, false), plan.timed(floats));
          }
        }));
      }
      double[] rank0 = ranks.get(0).get(10, TimeUnit.MINUTES);
      ranks.get(1).get(10, TimeUnit.MINUTES);
      return Spread.of(rank0);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Checks that one allreduce sums (rank + 1 on each rank), then times {@code warmup + timed}
   * allreduces of a vector of zeros; returns the timed calls' milliseconds.
   */
  static double[] timeCalls(Collective c, Scope scope, int floats, int warmup, int timed) {
    float[] values = new float[floats];
    Arrays.fill(values, c.rank() + 1);
    try (Tensor check = scope.of(DType.FLOAT32, Shape.of(floats), values)) {
      c.allreduce(check);
      double expected = c.size() * (c.size() + 1) / 2.0;
      double first = check.slice(0, 0, 1).item();
      double last = check.slice(0, floats - 1, floats).item();
      if (first != expected || last != expected) {
        throw new IllegalStateException("Rank " + c.rank() + ": allreduce of " + floats + " floats gave " + first + " .. " + last
            + ", expected " + expected + ".");
      }
    }
    double[] ms = new double[timed];
    try (Tensor v = scope.zeros(DType.FLOAT32, Shape.of(floats))) {
      for (int i = 0; i < warmup + timed; i++) {
        long t0 = System.nanoTime();
        c.allreduce(v);
        if (i >= warmup) {
          ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    return ms;
  }

  // ---------------------------------------------------------------- ranks as barrier tasks

  /**
   * The allreduce figures from a barrier stage of 2 tasks in {@code spark}, and a bare {@code
   * treeAggregate} of the MLP's vector in the same session.
   */
  static List<Figure> inSpark(SparkSession spark, String master, Plan plan, List<String> notes) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Stage body = new Stage(plan, System.nanoTime());
    long t0 = System.nanoTime();
    RDD<double[][]> stage = jsc.parallelize(Arrays.asList(0, 1), 2).rdd().barrier()
        .mapPartitions(body, false, ClassTag$.MODULE$.apply(double[][].class));
    List<double[][]> ranks = stage.toJavaRDD().collect();
    double stageSeconds = (System.nanoTime() - t0) / 1e9;
    double[][] rank0 = ranks.stream().filter(r -> r[0][0] == 0).findFirst().orElseThrow();
    boolean shared = rank0[0][2] == 1;
    String via = shared ? "shared memory" : "TCP";
    List<Figure> out = new ArrayList<>();
    for (int k = 0; k < SIZES.length; k++) {
      out.add(new Figure("Spark " + master + " barrier tasks (" + via + ")", "spark-" + master + "-barrier", SIZES[k],
          Spread.of(rank0[k + 1])));
    }
    notes.add(String.format(Locale.ROOT, "%s: the 2 barrier tasks ran in %s; listening, allGather and joining took %.0f ms"
        + " (rank 0), the whole stage %.1f s", master, shared ? "one JVM" : "2 JVMs", rank0[0][1], stageSeconds));
    out.add(new Figure("Spark " + master + " bare treeAggregate", "spark-" + master + "-treeAggregate", MLP,
        TreeAggregateCost.measure(jsc, MLP, plan.aggregateWarmup(), plan.aggregateTimed())));
    return out;
  }

  /**
   * The barrier stage's function: listen, exchange endpoints through {@code allGather}, join as
   * the trainer's tasks do (process = executor id and pid), then time each size. Returns, per
   * task, {@code {rank, milliseconds to join, processes}} followed by the timed calls of each size.
   */
  private static final class Stage extends AbstractFunction1<scala.collection.Iterator<Integer>,
      scala.collection.Iterator<double[][]>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Plan plan;
    private final long token;

    Stage(Plan plan, long token) {
      this.plan = plan;
      this.token = token;
    }

    @Override
    public scala.collection.Iterator<double[][]> apply(scala.collection.Iterator<Integer> partition) {
      long t0 = System.nanoTime();
      BarrierTaskContext ctx = BarrierTaskContext.get();
      String host = SparkEnv.get().blockManager().blockManagerId().host();
      String process = SparkEnv.get().executorId() + "@" + ProcessHandle.current().pid();
      double[][] out = new double[SIZES.length + 1][];
      try (TcpCollective.Listener listener = TcpCollective.listen(host)) {
        List<Endpoint> all = Arrays.stream(ctx.allGather(new Endpoint(process, listener.address()).encode()))
            .map(Endpoint::decode).toList();
        Options options = Options.defaults().withTimeout(Duration.ofSeconds(120)).withToken(token);
        try (CpuBackend be = new CpuBackend(1);
            Collective c = Collectives.join(ctx.partitionId(), all, listener, options);
            Scope scope = be.openScope("barrier-rank-" + ctx.partitionId())) {
          out[0] = new double[] {ctx.partitionId(), (System.nanoTime() - t0) / 1e6,
              all.stream().map(Endpoint::process).distinct().count()};
          // an executor JVM is fresh: its first calls compile the collective's code
          boolean fresh = !SparkEnv.get().executorId().equals("driver");
          for (int k = 0; k < SIZES.length; k++) {
            out[k + 1] = timeCalls(c, scope, SIZES[k], plan.warmup(SIZES[k], fresh), plan.timed(SIZES[k]));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot listen on " + host + ": " + e.getMessage(), e);
      }
      return scala.jdk.javaapi.CollectionConverters.asScala(List.<double[][]>of(out).iterator());
    }
  }

  // ---------------------------------------------------------------- report

  /** A target of this benchmark and whether it was met. */
  record Target(String name, String measured, boolean met) {
    String json() {
      return "{\"target\":" + CpuBenchmark.quote(name) + ",\"measured\":" + CpuBenchmark.quote(measured) + ",\"met\":" + met + "}";
    }
  }

  /** Allreduce of the MLP's vector at most 1/5 of a bare treeAggregate's time, in each Spark setting measured. */
  static List<Target> targets(List<Figure> figures) {
    List<Target> out = new ArrayList<>();
    for (String master : new String[] {"local[2]", "local-cluster[2,1,1024]"}) {
      Figure allreduce = find(figures, "spark-" + master + "-barrier", MLP);
      Figure aggregate = find(figures, "spark-" + master + "-treeAggregate", MLP);
      if (allreduce != null && aggregate != null) {
        double ratio = allreduce.ms().median() / aggregate.ms().median();
        out.add(new Target(master + ": allreduce median <= 1/5 of bare treeAggregate median", String.format(Locale.ROOT,
            "%.3f ms vs %.2f ms = 1/%.0f", allreduce.ms().median(), aggregate.ms().median(), 1 / ratio), ratio <= 0.2));
      }
    }
    return out;
  }

  private static Figure find(List<Figure> figures, String key, int floats) {
    return figures.stream().filter(f -> f.key().equals(key) && f.floats() == floats).findFirst().orElse(null);
  }

  private static void report(List<Figure> figures, List<String> notes, Plan plan) {
    System.out.printf(Locale.ROOT, "%nLatency: allreduce of %,d floats (%.0f KiB, a 784-128-10 MLP's parameters), 2 ranks;"
        + " rank 0's time per call, %d calls after a warm-up (treeAggregate: %d after %d)%n", MLP, MLP * 4 / 1024.0,
        plan.timed(MLP), plan.aggregateTimed(), plan.aggregateWarmup());
    System.out.printf(Locale.ROOT, "  %-52s %10s %10s %10s %9s%n", "setting", "median ms", "min ms", "max ms", "GB/s");
    for (Figure f : figures) {
      if (f.floats() == MLP) {
        System.out.printf(Locale.ROOT, "  %-52s %10.3f %10.3f %10.3f %9.3f%n", f.setting(), f.ms().median(), f.ms().min(),
            f.ms().max(), f.gbPerSecond());
      }
    }
    System.out.printf(Locale.ROOT, "%nBandwidth: algorithm bandwidth = bytes of the vector / median time per allreduce"
        + " (%d and %d calls after a warm-up)%n", plan.timed(SIZES[1]), plan.timed(SIZES[2]));
    System.out.printf(Locale.ROOT, "  %-52s %22s %22s%n", "setting", "4M floats (16 MiB)", "16M floats (64 MiB)");
    List<String> settings = figures.stream().filter(f -> f.floats() != MLP).map(Figure::setting).distinct().toList();
    for (String s : settings) {
      Figure a = figures.stream().filter(f -> f.setting().equals(s) && f.floats() == SIZES[1]).findFirst().orElseThrow();
      Figure b = figures.stream().filter(f -> f.setting().equals(s) && f.floats() == SIZES[2]).findFirst().orElseThrow();
      System.out.printf(Locale.ROOT, "  %-52s %9.2f GB/s %6.1f ms %9.2f GB/s %6.1f ms%n", s, a.gbPerSecond(), a.ms().median(),
          b.gbPerSecond(), b.ms().median());
    }
    System.out.printf(Locale.ROOT, "%nTargets%n");
    for (Target t : targets(figures)) {
      System.out.printf(Locale.ROOT, "  %-78s %-32s %s%n", t.name(), t.measured(), t.met() ? "met" : "MISSED");
    }
    if (!notes.isEmpty()) {
      System.out.printf(Locale.ROOT, "%nNotes%n");
      notes.forEach(n -> System.out.println("  " + n));
    }
  }
}
