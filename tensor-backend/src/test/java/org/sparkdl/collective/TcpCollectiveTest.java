package org.sparkdl.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.collective.TcpCollective.Algorithm;
import org.sparkdl.collective.TcpCollective.Options;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** Several ranks in this JVM, one thread each, over loopback TCP. */
class TcpCollectiveTest {
  private static CpuBackend backend;
  private static ExecutorService pool;

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

  /** What one rank does once connected. */
  interface RankBody<T> {
    T run(Collective c, Scope scope) throws Exception;
  }

  /** Runs {@code body} on {@code n} connected ranks, one thread each; returns each rank's result. */
  static <T> List<T> onRanks(int n, Options options, RankBody<T> body) throws Exception {
    List<TcpCollective.Listener> listeners = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      TcpCollective.Listener l = TcpCollective.listen("127.0.0.1");
      listeners.add(l);
      addresses.add(l.address());
    }
    List<Future<T>> futures = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      int rank = r;
      futures.add(pool.submit(() -> {
        try (TcpCollective.Listener l = listeners.get(rank);
            Collective c = l.join(rank, addresses, options);
            Scope scope = backend.openScope("rank-" + rank)) {
          return body.run(c, scope);
        }
      }));
    }
    // every rank finishes (and frees its memory) before the first failure, if any, is rethrown
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

  private static float[] values(int rank, int tensor, int n, boolean integers) {
    SplittableRandom r = new SplittableRandom(rank * 1_000_003L + tensor);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = integers ? r.nextInt(-1000, 1000) : (float) r.nextGaussian();
    }
    return v;
  }

  /** Sizes of the tensors of one allreduce: empty, one value, odd sizes, one larger than the ring threshold. */
  private static final int[] SIZES = {0, 1, 7, 1000, 70_001};

  @ParameterizedTest(name = "{0} ranks, {1}")
  @CsvSource({"1, AUTO", "2, TREE", "2, RING", "3, TREE", "3, RING", "4, AUTO", "5, TREE", "5, RING", "7, RING"})
  void allreduceSumsTensorsAndScalarsOnEveryRank(int n, Algorithm algorithm) throws Exception {
    List<float[][]> results = onRanks(n, Options.defaults().withAlgorithm(algorithm), (c, scope) -> {
      Tensor[] ts = new Tensor[SIZES.length];
      for (int t = 0; t < ts.length; t++) {
        ts[t] = scope.of(DType.FLOAT32, Shape.of(SIZES[t]), values(c.rank(), t, SIZES[t], true));
      }
      double[] scalars = {c.rank() + 0.5, 1, -2.25 * c.rank()};
      c.allreduce(scalars, ts);
      float[][] out = new float[ts.length + 1][];
      for (int t = 0; t < ts.length; t++) {
        out[t] = ts[t].toFloatArray();
      }
      out[ts.length] = new float[] {(float) scalars[0], (float) scalars[1], (float) scalars[2]};
      return out;
    });
    for (int t = 0; t < SIZES.length; t++) {
      float[] expected = new float[SIZES[t]];
      for (int r = 0; r < n; r++) {
        float[] v = values(r, t, SIZES[t], true);
        for (int i = 0; i < v.length; i++) {
          expected[i] += v[i];
        }
      }
      for (int r = 0; r < n; r++) {
        assertArrayEquals(expected, results.get(r)[t], "tensor " + t + " on rank " + r);
      }
    }
    double rankSum = n * (n - 1) / 2.0;
    for (int r = 0; r < n; r++) {
      assertArrayEquals(new float[] {(float) (rankSum + 0.5 * n), n, (float) (-2.25 * rankSum)}, results.get(r)[SIZES.length],
          "scalars on rank " + r);
    }
  }

  @ParameterizedTest(name = "{0} ranks, {1}")
  @CsvSource({"2, RING", "3, TREE", "4, RING", "6, TREE"})
  void everyRankGetsTheSameBitsAndSoDoesARerun(int n, Algorithm algorithm) throws Exception {
    RankBody<float[]> body = (c, scope) -> {
      Tensor t = scope.of(DType.FLOAT32, Shape.of(10_007), values(c.rank(), 0, 10_007, false));
      c.allreduce(t);
      return t.toFloatArray();
    };
    List<float[]> first = onRanks(n, Options.defaults().withAlgorithm(algorithm), body);
    List<float[]> second = onRanks(n, Options.defaults().withAlgorithm(algorithm), body);
    for (int r = 0; r < n; r++) {
      assertArrayEquals(first.get(0), first.get(r), "rank " + r + " differs from rank 0");
      assertArrayEquals(first.get(r), second.get(r), "rank " + r + " differs between two runs");
    }
  }

  @Test
  void twoRanksSumExactlyAsOneFloatAdditionDoes() throws Exception {
    List<float[]> out = onRanks(2, Options.defaults(), (c, scope) -> {
      Tensor t = scope.of(DType.FLOAT32, Shape.of(5_000), values(c.rank(), 3, 5_000, false));
      c.allreduce(t);
      return t.toFloatArray();
    });
    float[] a = values(0, 3, 5_000, false);
    float[] b = values(1, 3, 5_000, false);
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToIntBits(a[i] + b[i]), Float.floatToIntBits(out.get(0)[i]), "element " + i);
    }
  }

  @Test
  void broadcastCopiesRankZerosTensorsAndBarrierWaitsForTheLastRank() throws Exception {
    AtomicBoolean lateArrived = new AtomicBoolean();
    List<float[]> out = onRanks(5, Options.defaults(), (c, scope) -> {
      Tensor a = scope.of(DType.FLOAT32, Shape.of(3), values(c.rank(), 0, 3, true));
      Tensor b = scope.of(DType.FLOAT32, Shape.of(300_000), values(c.rank(), 1, 300_000, true));
      c.broadcast(a, b);
      if (c.rank() == 4) {
        Thread.sleep(300);
        lateArrived.set(true);
      }
      c.barrier();
      assertTrue(lateArrived.get(), "rank " + c.rank() + " passed the barrier before rank 4 reached it");
      float[] both = new float[3 + 300_000];
      System.arraycopy(a.toFloatArray(), 0, both, 0, 3);
      System.arraycopy(b.toFloatArray(), 0, both, 3, 300_000);
      return both;
    });
    for (int r = 0; r < 5; r++) {
      assertArrayEquals(out.get(0), out.get(r));
    }
    assertArrayEquals(values(0, 0, 3, true), java.util.Arrays.copyOf(out.get(3), 3));
  }

  @Test
  void aPeerThatClosesFailsTheOthersAtOnceNamingIt() throws Exception {
    Options options = Options.defaults().withTimeout(Duration.ofSeconds(60));
    long t0 = System.nanoTime();
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks(3, options, (c, scope) -> {
      Tensor t = scope.zeros(DType.FLOAT32, Shape.of(1000));
      c.allreduce(t);
      if (c.rank() == 1) {
        return "left";   // closes its collective while the others wait in the next allreduce
      }
      c.allreduce(t);
      return "unreachable";
    }));
    double seconds = (System.nanoTime() - t0) / 1e9;
    String message = e.getCause().getMessage();
    assertTrue(e.getCause() instanceof CollectiveException, e.getCause().toString());
    assertTrue(message.contains("rank 1 at 127.0.0.1:") && message.contains("closed the connection"), message);
    assertTrue(seconds < 30, "the failure took " + seconds + " s; it should not wait for the timeout");
  }

  @Test
  void aPeerThatSendsNothingTimesOutNamingIt() throws Exception {
    Options options = Options.defaults().withTimeout(Duration.ofMillis(800));
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks(2, options, (c, scope) -> {
      Tensor t = scope.zeros(DType.FLOAT32, Shape.of(10));
      if (c.rank() == 1) {
        Thread.sleep(3_000);    // alive, connected, silent
        return "slept";
      }
      c.allreduce(t);
      return "unreachable";
    }));
    String message = e.getCause().getMessage();
    assertTrue(message.startsWith("Collective rank 0 of 2: rank 1 at 127.0.0.1:"), message);
    assertTrue(message.contains("did not answer within 0 s in allreduce #1"), message);
  }

  @Test
  void differentSizesOnTwoRanksAreNamedNotSummed() throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks(2,
        Options.defaults().withAlgorithm(Algorithm.TREE).withTimeout(Duration.ofSeconds(5)), (c, scope) -> {
          Tensor t = scope.zeros(DType.FLOAT32, Shape.of(c.rank() == 0 ? 10 : 11));
          c.allreduce(t);
          return "unreachable";
        }));
    String message = e.getCause().getMessage();
    assertTrue(message.contains("sent message #1 of 44 bytes where message #1 of 40 bytes was expected; every rank must make"
        + " the same calls with tensors of the same sizes."), message);
  }

  @Test
  void aCancelledCallStopsWaiting() throws Exception {
    AtomicBoolean cancel = new AtomicBoolean();
    Options options = Options.defaults().withCancellation(() -> cancel.get() ? "the task was killed" : null);
    ExecutionException e = assertThrows(ExecutionException.class, () -> onRanks(2, options, (c, scope) -> {
      if (c.rank() == 1) {
        Thread.sleep(500);
        cancel.set(true);
        Thread.sleep(1_000);
        return "done";
      }
      c.barrier();
      return "unreachable";
    }));
    assertEquals("Collective rank 0 of 2: allreduce cancelled: the task was killed.", e.getCause().getMessage()
        .replace("barrier", "allreduce"));
  }

  @Test
  void aRankThatNeverJoinsIsNamed() throws Exception {
    try (TcpCollective.Listener a = TcpCollective.listen("127.0.0.1");
        TcpCollective.Listener b = TcpCollective.listen("127.0.0.1")) {
      List<String> addresses = List.of(a.address(), b.address());
      CollectiveException e = assertThrows(CollectiveException.class,
          () -> a.join(0, addresses, Options.defaults().withTimeout(Duration.ofMillis(500))));
      assertEquals("Collective rank 0 of 2: rank 1 at " + b.address() + " did not connect within 0 s.", e.getMessage());
    }
  }

  @Test
  void strayConnectionsAreRefusedAndTheRanksStillConnect() throws Exception {
    List<TcpCollective.Listener> listeners = List.of(TcpCollective.listen("127.0.0.1"), TcpCollective.listen("127.0.0.1"));
    List<String> addresses = List.of(listeners.get(0).address(), listeners.get(1).address());
    String hostPort = addresses.get(0);
    try (Socket stray = new Socket("127.0.0.1", Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)))) {
      stray.getOutputStream().write(new byte[16]);   // not our magic number
      stray.getOutputStream().flush();
      Options options = Options.defaults().withToken(77);
      Future<float[]> one = pool.submit(() -> {
        try (Collective c = listeners.get(1).join(1, addresses, options); Scope s = backend.openScope("one")) {
          Tensor t = s.of(DType.FLOAT32, Shape.of(2), new float[] {1, 2});
          c.allreduce(t);
          return t.toFloatArray();
        }
      });
      try (Collective c = listeners.get(0).join(0, addresses, options); Scope s = backend.openScope("zero")) {
        Tensor t = s.of(DType.FLOAT32, Shape.of(2), new float[] {10, 20});
        c.allreduce(t);
        assertArrayEquals(new float[] {11, 22}, t.toFloatArray());
      }
      assertArrayEquals(new float[] {11, 22}, one.get(30, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new AssertionError(e);
    } finally {
      listeners.forEach(TcpCollective.Listener::close);
    }
  }

  @Test
  void rejectsTensorsItCannotSend() throws Exception {
    List<String> messages = onRanks(1, Options.defaults(), (c, scope) -> {
      Tensor d = scope.allocate(DType.FLOAT64, Shape.of(4));
      Tensor strided = scope.zeros(DType.FLOAT32, Shape.of(4, 4)).t();
      String a = assertThrows(IllegalArgumentException.class, () -> c.allreduce(d)).getMessage();
      String b = assertThrows(IllegalArgumentException.class, () -> c.allreduce(strided)).getMessage();
      c.close();
      String closed = assertThrows(IllegalStateException.class, c::barrier).getMessage();
      return a + "|" + b + "|" + closed;
    });
    assertEquals("Collective tensors must be contiguous float32; tensor 0 is FLOAT64 of shape [4]."
        + "|Collective tensors must be contiguous float32; tensor 0 is a strided view of shape [4, 4]."
        + "|Collective rank 0 of 1 is closed.", messages.get(0));
  }
}
