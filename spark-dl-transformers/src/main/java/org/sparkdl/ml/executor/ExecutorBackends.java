package org.sparkdl.ml.executor;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BackendProvider;
import org.sparkdl.backend.Backends;
import org.sparkdl.backend.HostBackend;

/**
 * One backend per kind per JVM (executor or driver), created on first use and kept for the JVM's
 * life. CPU threads follow {@code spark.task.cpus}: each concurrent task gets that many BLAS
 * threads' worth of the machine.
 */
public final class ExecutorBackends {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorBackends.class);
  private static final Map<String, Backend> BACKENDS = new HashMap<>();
  /** By the kind asked for ({@code auto} included): resolving a kind scans the class path for providers. */
  private static final Map<String, Backend> RESOLVED = new HashMap<>();

  private ExecutorBackends() {}

  /**
   * The JVM's backend for {@code kind} ({@code auto}, {@code cpu}, {@code cuda}).
   *
   * @throws org.sparkdl.backend.BackendException when the kind cannot run here, naming why
   */
  public static synchronized Backend get(String kind) {
    Backend known = RESOLVED.get(kind);
    if (known != null) {
      return known;
    }
    BackendProvider provider = Backends.provider(kind);
    Backend be = BACKENDS.computeIfAbsent(provider.kind(), k -> {
      Backend created = provider.create(0);
      int threads = taskCpus();
      created.setThreads(threads);
      LOG.info("Created the {} backend for this JVM ({} threads per task, from spark.task.cpus)", created.name(), threads);
      return created;
    });
    RESOLVED.put(kind, be);
    return be;
  }

  /** The JVM's CPU backend, for host-side staging buffers whatever backend computes. */
  public static HostBackend host() {
    return (HostBackend) get("cpu");
  }

  /** {@code spark.task.cpus} of the running Spark application, else the machine's processors. */
  static int taskCpus() {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    return Math.max(1, env.conf().getInt("spark.task.cpus", 1));
  }
}
