package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.testkit.SharedSpark;

/**
 * Several hundred seeded damages to a whole saved model folder (truncations, flipped bytes, huge
 * declared sizes, JSON edits, missing, extra and replaced files, symlinks, pipes): each load either
 * gives the saved model back, predicting the same, or fails with {@link ModelFileException}, within
 * seconds; never a hang, another exception, an out-of-memory error or NaN predictions.
 */
@ExtendWith(SharedSpark.class)
class ModelFolderFuzzTest {
  private static final int CASES = 300;
  private static final long SEED = 20_261_206L;
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  @Test
  void everyDamageLoadsTheSameModelOrFailsAsAModelFileError(SparkSession spark, @TempDir Path dir) throws Exception {
    NeuralNetworkClassificationModel original = ModelFilesTest.configured();
    Path template = dir.resolve("template");
    original.write().save(template.toUri().toString());
    List<Vector> probes = List.of(Vectors.dense(0.5, -1, 2, 0.1), Vectors.dense(-3, 0, 1, 1));
    List<Vector> expected = probes.stream().map(original::predictRaw).toList();
    List<Double> labels = probes.stream().map(original::predict).toList();
    Random r = new Random(SEED);
    List<String> failures = new ArrayList<>();
    int refused = 0;
    int same = 0;
    ExecutorService pool = Executors.newSingleThreadExecutor(t -> {
      Thread th = new Thread(t, "fuzz-load");
      th.setDaemon(true);
      return th;
    });
    try {
      for (int i = 0; i < CASES; i++) {
        Path copy = dir.resolve("case-" + i);
        copyTree(template, copy);
        String what = damage(copy, r);
        Future<NeuralNetworkClassificationModel> load = pool.submit(() -> NeuralNetworkClassificationModel.load(
            copy.toUri().toString()));
        try {
          NeuralNetworkClassificationModel m = load.get(20, TimeUnit.SECONDS);
          for (int k = 0; k < probes.size(); k++) {
            Vector got = m.predictRaw(probes.get(k));
            double label = m.predict(probes.get(k));
            if (!got.equals(expected.get(k)) || label != labels.get(k) || !m.uid().equals(original.uid())) {
              failures.add(i + " (" + what + "): loaded, but predicts " + got + " (" + label + ") instead of "
                  + expected.get(k) + " (" + labels.get(k) + "), uid " + m.uid());
            }
          }
          same++;
        } catch (TimeoutException e) {
          load.cancel(true);
          failures.add(i + " (" + what + "): the load did not end within 20 s");
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof ModelFileException) {
            refused++;
          } else {
            failures.add(i + " (" + what + "): " + e.getCause());
          }
        }
        deleteTree(copy);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + CASES + " damaged folders misbehaved:\n" + String.join("\n",
        failures));
    // the top-level metadata only names the class for Pipeline.load, and _SUCCESS files are empty: damage there is harmless
    assertTrue(refused > CASES / 3 && same > 0, "refused " + refused + ", loaded unchanged " + same);
  }

  /** Applies one seeded damage to the folder {@code model}; says what it did. */
  private static String damage(Path model, Random r) throws IOException {
    List<Path> files = files(model);
    Path f = files.get(r.nextInt(files.size()));
    String name = model.relativize(f).toString();
    switch (r.nextInt(11)) {
      case 0 -> {
        byte[] b = Files.readAllBytes(f);
        int n = b.length == 0 ? 0 : r.nextInt(b.length);
        Files.write(f, java.util.Arrays.copyOf(b, n));
        return "truncated " + name + " to " + n;
      }
      case 1, 2 -> {
        byte[] b = Files.readAllBytes(f);
        if (b.length == 0) {
          return "nothing (empty " + name + ")";
        }
        int at = r.nextInt(b.length);
        b[at] ^= (byte) (1 << r.nextInt(8));
        Files.write(f, b);
        return "flipped a bit of byte " + at + " of " + name;
      }
      case 3, 4 -> {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        Matcher m = NUMBER.matcher(text);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
          spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
          return "nothing (no number in " + name + ")";
        }
        int[] s = spans.get(r.nextInt(spans.size()));
        String[] values = {"99999999999999", "-1", "0", "1e308", "2147483648", "3", "-0.0", "NaN"};
        String v = values[r.nextInt(values.length)];
        Files.write(f, (text.substring(0, s[0]) + v + text.substring(s[1])).getBytes(StandardCharsets.ISO_8859_1));
        return "number " + text.substring(s[0], s[1]) + " -> " + v + " in " + name;
      }
      case 5 -> {
        Files.delete(f);
        return "deleted " + name;
      }
      case 6 -> {
        Path extra = f.resolveSibling(r.nextBoolean() ? "extra.bin" : "v-999999999999999-ffffffff");
        if (Files.exists(extra)) {
          return "nothing";
        }
        if (extra.getFileName().toString().startsWith("v-")) {
          Files.createDirectories(extra);
          return "added an empty newer version folder beside " + name;
        }
        Files.write(extra, new byte[] {1, 2, 3});
        return "added a file beside " + name;
      }
      case 7 -> {
        Files.delete(f);
        Files.createSymbolicLink(f, r.nextBoolean() ? Path.of("/dev/zero") : files.get(r.nextInt(files.size())));
        return "replaced " + name + " by a symlink";
      }
      case 8 -> {
        Files.delete(f);
        try {
          if (new ProcessBuilder("mkfifo", f.toString()).start().waitFor() != 0) {
            Files.createDirectories(f);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "replaced " + name + " by a pipe";
      }
      case 9 -> {
        Files.delete(f);
        Files.createDirectories(f);
        return "replaced " + name + " by a directory";
      }
      default -> {
        String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        int cut = text.isEmpty() ? 0 : r.nextInt(text.length());
        int end = Math.min(text.length(), cut + 1 + r.nextInt(40));
        Files.write(f, (text.substring(0, cut) + text.substring(end)).getBytes(StandardCharsets.UTF_8));
        return "removed characters " + cut + ".." + end + " of " + name;
      }
    }
  }

  /** The regular files under {@code root}, Hadoop's checksum files left out (a hand edit drops them). */
  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> all = s.filter(Files::isRegularFile).sorted().toList();
      for (Path p : all) {
        if (p.getFileName().toString().endsWith(".crc")) {
          Files.delete(p);
        }
      }
      return all.stream().filter(p -> !p.getFileName().toString().endsWith(".crc")).toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
