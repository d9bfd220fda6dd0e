package org.sparkdl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A fit whose driver dies: a {@code local[2]} fit in a JVM of its own, checkpointing every epoch,
 * is killed (SIGKILL) once two checkpoints exist; a new JVM running the same fit resumes from the
 * newest checkpoint, trains only the remaining epochs, and ends with the model of a fit that was
 * never interrupted (same weights, bit for bit: the trainer is deterministic for a fixed seed and
 * partitioning).
 */
class DriverLossIT {
  private static final int EPOCHS = 6;
  private static final Pattern EPOCH = Pattern.compile("DistributedTrainer: .*: epoch (\\d+)/\\d+, loss .* (?:rounds|steps) in (\\d+) ms");
  private static final Pattern CHECKPOINT = Pattern.compile("Checkpoints: Checkpoint of epoch (\\d+) written to .* in (\\d+) ms");
  private static final Pattern RESUMING = Pattern.compile("DistributedTrainer: .*: resuming from the checkpoint of epoch (\\d+) in (.*)");

  @Test
  void aFitWhoseDriverWasKilledResumesFromItsNewestCheckpoint() throws Exception {
    Path work = Sessions.freshDir("driver-loss");
    Path checkpoints = Files.createDirectories(work.resolve("checkpoints"));
    String[] args = {"epochs=" + EPOCHS, "checkpointDir=" + checkpoints.toUri(), "checkpointInterval=1"};

    int killedAfter;
    try (ChildJvm first = ChildJvm.start("interrupted", work, FitMain.class, args)) {
      killedAfter = awaitCheckpoint(first, checkpoints, 2, 180_000);
      assertEquals(137, first.kill(), "exit code of the killed driver");
      assertTrue(first.lines().stream().noneMatch(l -> l.startsWith("RESULT ")), "the fit ended before the kill");
    }
    int newest = newestCheckpoint(checkpoints);
    assertTrue(newest >= 2 && newest < EPOCHS, "newest checkpoint after the kill: epoch " + newest);

    FitMain.Result resumed;
    List<String> resumedLog;
    try (ChildJvm second = ChildJvm.start("resumed", work, FitMain.class, args)) {
      assertEquals(0, second.await(300), second.tail(40));
      resumed = FitMain.Result.of(second);
      resumedLog = second.lines();
    }
    List<Integer> resumedFrom = matches(resumedLog, RESUMING).keySet().stream().toList();
    assertEquals(List.of(newest), resumedFrom, "the resume line of the second run");
    Map<Integer, Long> trainedAfterResume = matches(resumedLog, EPOCH);
    assertEquals(EPOCHS - newest, trainedAfterResume.size(), "epochs trained after the resume: " + trainedAfterResume.keySet());
    assertEquals(newest + 1, (int) trainedAfterResume.keySet().iterator().next());
    assertEquals(EPOCHS, resumed.epochs(), "the summary of the resumed fit lists every epoch");

    FitMain.Result straight;
    List<String> straightLog;
    Path straightCheckpoints = Files.createDirectories(work.resolve("checkpoints-uninterrupted"));
    try (ChildJvm third = ChildJvm.start("uninterrupted", work, FitMain.class, "epochs=" + EPOCHS,
        "checkpointDir=" + straightCheckpoints.toUri(), "checkpointInterval=1")) {
      assertEquals(0, third.await(300), third.tail(40));
      straight = FitMain.Result.of(third);
      straightLog = third.lines();
    }
    System.out.printf(Locale.ROOT, "Driver killed after the checkpoint of epoch %d (newest on disk: %d); resumed fit"
        + " trained epochs %s: accuracy %.2f%%, uninterrupted %.2f%%, weights %s%n", killedAfter, newest,
        trainedAfterResume.keySet(), resumed.accuracy(), straight.accuracy(),
        resumed.weights().equals(straight.weights()) ? "identical" : "differ");
    assertEquals(straight.weights(), resumed.weights(), "weights of the resumed vs the uninterrupted fit");
    assertEquals(straight.losses(), resumed.losses());
    assertEquals(straight.rounds(), resumed.rounds());
    assertEquals(straight.accuracy(), resumed.accuracy());
    assertTrue(straight.accuracy() >= 90.0, "accuracy " + straight.accuracy());

    // what checkpointing costs: each epoch's checkpoint write against the epoch's own time
    Map<Integer, Long> epochMs = matches(straightLog, EPOCH);
    Map<Integer, Long> checkpointMs = matches(straightLog, CHECKPOINT);
    assertEquals(epochMs.keySet(), checkpointMs.keySet());
    StringBuilder table = new StringBuilder("Checkpoint cost (local[2], local file system, "
        + Arrays.toString(MnistFits.LAYERS) + " with Adam state):");
    long sumEpoch = 0;
    long sumCheckpoint = 0;
    for (int e : epochMs.keySet()) {
      table.append(String.format(Locale.ROOT, " epoch %d %d ms + checkpoint %d ms;", e, epochMs.get(e), checkpointMs.get(e)));
      sumEpoch += epochMs.get(e);
      sumCheckpoint += checkpointMs.get(e);
    }
    table.append(String.format(Locale.ROOT, " mean %.0f ms per epoch, %.0f ms per checkpoint (%.1f%% of the epoch)",
        (double) sumEpoch / epochMs.size(), (double) sumCheckpoint / epochMs.size(), 100.0 * sumCheckpoint / sumEpoch));
    System.out.println(table);
  }

  /** Waits until the checkpoint of epoch {@code epoch} (or later) is complete; returns the newest. */
  private static int awaitCheckpoint(ChildJvm jvm, Path dir, int epoch, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      int newest = newestCheckpoint(dir);
      if (newest >= epoch) {
        return newest;
      }
      assertTrue(jvm.isAlive(), "the fit's JVM exited before checkpoint " + epoch + ":\n" + jvm.tail(40));
      assertFalse(System.currentTimeMillis() > deadline, "no checkpoint of epoch " + epoch + " within " + timeoutMs + " ms");
      Thread.sleep(20);
    }
  }

  /** The epoch of the newest complete checkpoint ({@code epoch-NNNNN/state.json}), 0 if none. */
  private static int newestCheckpoint(Path dir) {
    File[] done = dir.toFile().listFiles(f -> f.getName().startsWith("epoch-") && new File(f, "state.json").exists());
    return done == null ? 0 : Arrays.stream(done).mapToInt(f -> Integer.parseInt(f.getName().substring(6))).max().orElse(0);
  }

  /** The log lines matching {@code p}: first group (an epoch) to second group (milliseconds, or 0). */
  private static Map<Integer, Long> matches(List<String> log, Pattern p) {
    Map<Integer, Long> m = new TreeMap<>();
    for (String line : log) {
      Matcher x = p.matcher(line);
      if (x.find()) {
        String second = x.group(2);
        m.put(Integer.parseInt(x.group(1)), second.chars().allMatch(Character::isDigit) ? Long.parseLong(second) : 0L);
      }
    }
    return m;
  }
}
