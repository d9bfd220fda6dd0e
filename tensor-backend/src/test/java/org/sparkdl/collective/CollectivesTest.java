package org.sparkdl.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.collective.Collectives.Endpoint;
import org.sparkdl.collective.TcpCollective.Options;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Ranks grouped into processes: each rank is a thread of this JVM, and ranks given different
 * process names talk TCP over loopback as if they were in different JVMs, while ranks of one name
 * share memory.
 */
class CollectivesTest {
  private static CpuBackend backend;
  private static ExecutorService pool;
  private static long tokens = 1000;

  @BeforeAll
  static void start() {
    backend = new CpuBackend(1);
    pool = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    assertEquals(0, backend.liveBytes(), "native bytes left after the tests");
    backend.close();
  }

  /** Runs {@code body} on ranks whose processes are named by {@code processes} (one letter per rank). */
  static <T> List<T> onRanks(String processes, Options options, TcpCollectiveTest.RankBody<T> body) throws Exception {
    int n = processes.length();
    Options o = options.withToken(tokens++);
    List<TcpCollective.Listener> listeners = new ArrayList<>();
    List<Endpoint> endpoints = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      TcpCollective.Listener l = TcpCollective.listen("127.0.0.1");
      listeners.add(l);
      endpoints.add(Endpoint.decode(new Endpoint("jvm-" + processes.charAt(r), l.address()).encode()));
    }
    List<Future<T>> futures = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      int rank = r;
      futures.add(pool.submit(() -> {
        try (TcpCollective.Listener l = listeners.get(rank);
            Collective c = Collectives.join(rank, endpoints, l, o);
            Scope scope = backend.openScope("rank-" + rank)) {
          return body.run(c, scope);
        }
      }));
    }
    List<T> out = new ArrayList<>();
    ExecutionException first = null;
    for (Future<T> f : futures) {
      try {
        out.add(f.get(60, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return out;
  }

  private static float[] values(int rank, int n) {
    SplittableRandom r = new SplittableRandom(rank * 7919L + n);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(-500, 500);
    }
    return v;
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "aa", "aaaa", "ab", "aab", "abb", "aabbb", "abcab", "aaabbbccc"})
  void ranksSharingProcessesSumLikeAnyOthers(String processes) throws Exception {
    int n = processes.length();
    int[] sizes = {1, 3, 5_001, 130_000};
    List<float[][]> out = onRanks(processes, Options.defaults(), (c, scope) -> {
      Tensor[] ts = new Tensor[sizes.length];
      for (int t = 0; t < sizes.length; t++) {
        ts[t] = scope.of(DType.FLOAT32, Shape.of(sizes[t]), values(c.rank() * 10 + t, sizes[t]));
      }
      double[] scalars = {c.rank(), 2};
      c.allreduce(scalars, ts);
      c.barrier();
      Tensor b = scope.of(DType.FLOAT32, Shape.of(4), new float[] {c.rank(), c.rank(), 7, 8});
      c.broadcast(b);
      float[][] result = new float[sizes.length + 2][];
      for (int t = 0; t < sizes.length; t++) {
        result[t] = ts[t].toFloatArray();
      }
      result[sizes.length] = new float[] {(float) scalars[0], (float) scalars[1]};
      result[sizes.length + 1] = b.toFloatArray();
      return result;
    });
    for (int t = 0; t < sizes.length; t++) {
      float[] expected = new float[sizes[t]];
      for (int r = 0; r < n; r++) {
        float[] v = values(r * 10 + t, sizes[t]);
        for (int i = 0; i < v.length; i++) {
          expected[i] += v[i];
        }
      }
      for (int r = 0; r < n; r++) {
        assertArrayEquals(expected, out.get(r)[t], processes + ": tensor " + t + " on rank " + r);
      }
    }
    for (int r = 0; r < n; r++) {
      assertArrayEquals(new float[] {n * (n - 1) / 2f, 2 * n}, out.get(r)[sizes.length], "scalars on rank " + r);
      assertArrayEquals(new float[] {0, 0, 7, 8}, out.get(r)[sizes.length + 1], "broadcast on rank " + r);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "aa", "aaa", "ab", "abc", "aab", "abb", "aabbb", "abcab", "abcde"})
  void reduceScatterSumsEachRanksPartAndAllgatherHandsThePartsOut(String processes) throws Exception {
    int n = processes.length();
    int size = 10_007;
    List<float[][]> out = onRanks(processes, Options.defaults(), (c, scope) -> {
      Tensor t = scope.of(DType.FLOAT32, Shape.of(size), values(c.rank(), size));
      double[] scalars = {c.rank() + 1, 1};
      c.reduceScatter(scalars, t);
      long[] mine = c.owned(size);
      float[] reduced = java.util.Arrays.copyOfRange(t.toFloatArray(), (int) mine[0], (int) mine[1]);
      // each rank changes its own part only, as an optimizer step on a shard would; the others' parts are garbage
      float[] all = t.toFloatArray();
      for (int i = 0; i < size; i++) {
        all[i] = i >= mine[0] && i < mine[1] ? 2 * all[i] : Float.NaN;
      }
      t.copyFrom(all);
      c.allgather(t);
      return new float[][] {reduced, {mine[0], mine[1]}, {(float) scalars[0], (float) scalars[1]}, t.toFloatArray()};
    });
    float[] sum = new float[size];
    for (int r = 0; r < n; r++) {
      float[] v = values(r, size);
      for (int i = 0; i < size; i++) {
        sum[i] += v[i];
      }
    }
    float[] doubled = new float[size];
    for (int i = 0; i < size; i++) {
      doubled[i] = 2 * sum[i];
    }
    long covered = 0;
    for (int r = 0; r < n; r++) {
      float[][] o = out.get(r);
      int lo = (int) o[1][0];
      int hi = (int) o[1][1];
      assertArrayEquals(java.util.Arrays.copyOfRange(sum, lo, hi), o[0], processes + ": rank " + r + "'s part");
      assertArrayEquals(new float[] {n * (n + 1) / 2f, n}, o[2], processes + ": scalars on rank " + r);
      assertArrayEquals(doubled, o[3], processes + ": rank " + r + " after the allgather");
      covered += hi - lo;
    }
    assertEquals(size, covered, "the parts tile the vector");
  }

  @Test
  void everyRankGetsTheSameBitsWhateverTheProcesses() throws Exception {
    TcpCollectiveTest.RankBody<float[]> body = (c, scope) -> {
      SplittableRandom r = new SplittableRandom(c.rank());
      float[] v = new float[9_999];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      Tensor t = scope.of(DType.FLOAT32, Shape.of(v.length), v);
      c.allreduce(t);
      return t.toFloatArray();
    };
    for (String processes : new String[] {"aaaa", "aabb", "abab"}) {
      List<float[]> out = onRanks(processes, Options.defaults(), body);
      for (int r = 1; r < out.size(); r++) {
        assertArrayEquals(out.get(0), out.get(r), processes + ": rank " + r + " differs from rank 0");
      }
    }
  }

  @Test
  void aRankLeavingItsJvmEarlyFailsTheOthersThereNamingIt() throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks("aaa",
        Options.defaults().withTimeout(Duration.ofSeconds(60)), (c, scope) -> {
          Tensor t = scope.zeros(DType.FLOAT32, Shape.of(100));
          c.allreduce(t);
          if (c.rank() == 2) {
            throw new IllegalStateException("task 2 failed");
          }
          c.allreduce(t);
          return "unreachable";
        }));
    String message = e.getCause().getMessage();
    assertEquals("Collective rank 0 of 3: rank 2 (in this JVM) left the collective after finishing 1 operations, without"
        + " finishing allreduce #2 (its task ended or failed).", message);
  }

  @Test
  void aLeaderLostInAnotherJvmFailsEveryRank() throws Exception {
    long t0 = System.nanoTime();
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks("aabb",
        Options.defaults().withTimeout(Duration.ofSeconds(60)), (c, scope) -> {
          Tensor t = scope.zeros(DType.FLOAT32, Shape.of(100));
          c.allreduce(t);
          if (c.rank() == 2) {
            return "left";
          }
          c.allreduce(t);
          return "unreachable";
        }));
    assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the failure waited for the timeout");
    String message = e.getCause().getMessage();
    assertTrue(message.contains("rank 1 at 127.0.0.1:") && message.contains("closed the connection"), message);
  }

  @Test
  void differentSizesInOneJvmAreNamed() throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks("aa", Options.defaults(), (c, scope) -> {
      c.allreduce(scope.zeros(DType.FLOAT32, Shape.of(c.rank() == 0 ? 5 : 6)));
      return "unreachable";
    }));
    assertEquals("Collective rank 0 of 2: in allreduce #1 a rank of this JVM passed 6 floats and 0 scalars, its leader 5 and"
        + " 0; every rank must make the same calls with tensors of the same sizes.", e.getCause().getMessage());
  }

  @Test
  void endpointsRoundTripAndRejectSpaces() {
    assertEquals(new Endpoint("exec-1@4242", "10.0.0.1:7077"), Endpoint.decode("exec-1@4242 10.0.0.1:7077"));
    assertEquals("A process name must be non-empty and free of spaces, found 'a b'.",
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("a b", "h:1")).getMessage());
  }
}
