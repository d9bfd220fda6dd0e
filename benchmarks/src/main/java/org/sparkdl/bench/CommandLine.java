package org.sparkdl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of the Spark benchmarks: {@code --quick} and {@code --help}, nothing else. */
final class CommandLine {
  private CommandLine() {}

  /**
   * Whether {@code --quick} was given. Prints {@code usage} and exits on {@code --help} (status 0)
   * or on an unknown argument (status 2).
   */
  static boolean quick(String[] args, String usage) {
    List<String> tokens = new ArrayList<>();
    for (String a : args) {
      // Maven passes bench.args as one string, possibly empty
      for (String t : a.trim().split("\\s+")) {
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    boolean quick = false;
    for (String t : tokens) {
      if (t.equals("--quick")) {
        quick = true;
      } else if (t.equals("--help") || t.equals("-h")) {
        System.out.println(usage);
        System.exit(0);
      } else {
        System.err.println("Unknown argument '" + t + "'.");
        System.err.println(usage);
        System.exit(2);
      }
    }
    return quick;
  }

  /** The environment lines of a Spark benchmark's header: JVM and heap, CPU and cores, load. */
  static String[][] environment() {
    Runtime rt = Runtime.getRuntime();
    return new String[][] {
        {"JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", max heap "
            + rt.maxMemory() / (1024 * 1024) + " MiB"},
        {"CPU", CpuBenchmark.cpuModel() + ", " + rt.availableProcessors() + " cores available"},
        {"load", loadAverage() + " (1, 5, 15 min) at the start: runnable processes besides this one slow every figure"},
    };
  }

  /** The 1-, 5- and 15-minute load averages from /proc/loadavg, or "unknown" where there is none. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
