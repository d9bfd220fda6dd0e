package org.sparkdl.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by a test, running a main class of these test sources with the test's class path
 * and the JVM flags Spark needs (system property {@code spark.jvm.options}, which the failsafe
 * configuration passes on from the parent pom). Its stdout and stderr go to {@code <name>.log}
 * under the test's work directory.
 */
final class ChildJvm implements AutoCloseable {
  private static final String[] FORWARDED = {"sparkdl.data.dir", "it.work.dir", "java.io.tmpdir"};
  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ChildJvm start(String name, Path workDir, Class<?> main, String... args) {
    return start(name, workDir, List.of(), main, args);
  }

  /** As {@link #start(String, Path, Class, String...)}, with {@code jvmFlags} after the defaults (a later -Xmx wins). */
  static ChildJvm start(String name, Path workDir, List<String> jvmFlags, Class<?> main, String... args) {
    String flags = System.getProperty("spark.jvm.options");
    if (flags == null || flags.isBlank()) {
      throw new IllegalStateException("System property spark.jvm.options is not set; the failsafe configuration of"
          + " it-tests/pom.xml passes it. Run the test with `mvn verify`.");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
    cmd.add("-Xmx1500m");
    cmd.addAll(jvmFlags);
    for (String p : FORWARDED) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(Arrays.asList(args));
    Path log = workDir.resolve(name + ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the " + name + " JVM", e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the JVM to exit and returns its exit code; kills it and fails after {@code seconds}. */
  int await(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("The " + name + " JVM did not finish within " + seconds + " s; its output ends with:\n"
          + tail(40));
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hooks, no flushing; as if the machine had died. Returns the exit code. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("The " + name + " JVM (pid " + process.pid() + ") outlived SIGKILL by 30 s.");
    }
    return process.exitValue();
  }

  /** Everything the JVM printed so far. */
  List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String tail(int n) {
    List<String> all = lines();
    return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
  }

  Path log() {
    return log;
  }

  /** Kills the JVM if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
