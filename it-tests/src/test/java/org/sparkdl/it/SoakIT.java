package org.sparkdl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;

/**
 * Fits, scores, saves and loads again and again in one JVM ({@code local[2]}), and checks that
 * what a round takes it gives back: the backend's live tensors and native blocks, the heap after a
 * collection, the threads and the open files return to where they were after the first round
 * (which loads classes and starts Spark's pools). {@code -Dsparkdl.soak.rounds} sets the rounds
 * (4 by default, the short version CI runs; the release soak runs 40).
 */
class SoakIT {
  private static final int ROUNDS = Integer.getInteger("sparkdl.soak.rounds", 4);

  /** What a process holds at one moment. */
  record Sample(long liveBytes, long nativeBytes, long heapBytes, int threads, long openFiles, long rssBytes) {
    static Sample take() throws IOException {
      ExecutorCache.evict("");   // idle networks cached for reuse are not held by anyone
      CpuBackend host = (CpuBackend) ExecutorBackends.host();
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      Runtime rt = Runtime.getRuntime();
      long files;
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        files = fds.count();
      }
      long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(-1);
      // Spark's block managers answer unpersist calls from cached pools of up to 100 threads each, whose idle
      // threads end after 60 s: bounded, and not this library's
      int threads = (int) Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !t.getName().startsWith("block-manager-ask-thread-pool")
              && !t.getName().startsWith("block-manager-storage-async-thread-pool")).count();
      return new Sample(host.liveBytes(), host.nativeBytes(), rt.totalMemory() - rt.freeMemory(), threads, files, rss);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "live %,d B, native %,d B, heap %,d MB, %d threads, %d open files, RSS %,d MB",
          liveBytes, nativeBytes, heapBytes >> 20, threads, openFiles, rssBytes >> 20);
    }
  }

  @Test
  void roundsOfFitScoreSaveAndLoadGiveBackWhatTheyTake() throws IOException {
    SparkSession spark = Sessions.local("soak-it");
    try {
      Dataset<Row> train = MnistFits.train(spark).limit(3000).cache();
      Dataset<Row> test = MnistFits.test(spark).limit(500).cache();
      train.count();
      test.count();
      String path = Sessions.freshDir("soak").resolve("model").toUri().toString();
      List<Sample> samples = new ArrayList<>();
      long started = System.nanoTime();
      for (int round = 0; round <= ROUNDS; round++) {
        NeuralNetworkClassificationModel fitted = MnistFits.classifier(1).fit(train);
        List<Row> scored = fitted.transform(test).select("prediction").collectAsList();
        fitted.write().overwrite().save(path);
        NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(path);
        assertEquals(scored, loaded.transform(test).select("prediction").collectAsList(), "round " + round);
        Sample s = Sample.take();
        samples.add(s);
        System.out.printf(Locale.ROOT, "Soak round %d of %d (%.0f s): %s%n", round, ROUNDS, (System.nanoTime() - started) / 1e9, s);
      }
      Sample base = samples.get(0);
      Sample last = samples.get(samples.size() - 1);
      assertEquals(0, last.liveBytes(), "tensors left alive after the rounds: " + last);
      assertTrue(last.nativeBytes() <= base.nativeBytes() + (16L << 20), "native blocks grew: " + base + " -> " + last);
      assertTrue(last.heapBytes() <= base.heapBytes() + (96L << 20), "heap grew: " + base + " -> " + last);
      assertTrue(last.threads() <= base.threads() + 4, "threads grew: " + base + " -> " + last);
      assertTrue(last.openFiles() <= base.openFiles() + 8, "open files grew: " + base + " -> " + last);
      train.unpersist();
      test.unpersist();
    } finally {
      spark.stop();
    }
  }
}
