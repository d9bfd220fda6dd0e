package org.sparkdl.ml.executor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-JVM pools of expensive native objects that Spark tasks reuse across tasks: networks built on
 * the executor's backend, decoded training batches, per-task trainers. A task borrows an instance
 * for a key and gives it back when done; concurrent tasks get separate instances, so an instance
 * is only ever used by one thread at a time.
 *
 * <p><b>Ownership.</b> The cache owns every instance and closes it (freeing its off-heap memory)
 * when it has been idle for {@link #IDLE_MILLIS}, when {@link #evict} names its key, or when more
 * than {@link #MAX_IDLE} idle instances are held. Nothing is freed by the garbage collector.
 */
public final class ExecutorCache {
  /** Idle instances are closed after this long ({@code -Dsparkdl.cache.idleMillis}, default 60 s). */
  public static final long IDLE_MILLIS = Long.getLong("sparkdl.cache.idleMillis", 60_000);
  /** At most this many idle instances are kept ({@code -Dsparkdl.cache.maxIdle}, default 32). */
  public static final int MAX_IDLE = Integer.getInteger("sparkdl.cache.maxIdle", 32);

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorCache.class);
  private static final Map<String, ArrayDeque<Idle>> IDLE = new HashMap<>();
  private static int idleCount;
  private static ScheduledExecutorService sweeper;

  private record Idle(AutoCloseable value, long since) {}

  private ExecutorCache() {}

  /** A borrowed instance; {@link #close()} gives it back to the cache (it is not closed). */
  public static final class Lease<V extends AutoCloseable> implements AutoCloseable {
    private final String key;
    private V value;

    private Lease(String key, V value) {
      this.key = key;
      this.value = value;
    }

    /** The instance; valid until {@link #close()}. */
    public V get() {
      if (value == null) {
        throw new IllegalStateException("Lease of '" + key + "' was already given back.");
      }
      return value;
    }

    /** Gives the instance back. Idempotent. */
    @Override
    public void close() {
      if (value != null) {
        giveBack(key, value);
        value = null;
      }
    }

    /** Closes the instance instead of giving it back (e.g. after it failed half way). */
    public void discard() {
      if (value != null) {
        closeQuietly(key, value);
        value = null;
      }
    }
  }

  /** Borrows an idle instance for {@code key}, or creates one with {@code create}. */
  @SuppressWarnings("unchecked")
  public static <V extends AutoCloseable> Lease<V> borrow(String key, Supplier<V> create) {
    synchronized (ExecutorCache.class) {
      ArrayDeque<Idle> q = IDLE.get(key);
      if (q != null && !q.isEmpty()) {
        idleCount--;
        Idle i = q.pop();
        if (q.isEmpty()) {
          IDLE.remove(key);
        }
        return new Lease<>(key, (V) i.value());
      }
      startSweeper();
    }
    return new Lease<>(key, create.get());
  }

  private static void giveBack(String key, AutoCloseable value) {
    List<Map.Entry<String, AutoCloseable>> toClose = new ArrayList<>();
    synchronized (ExecutorCache.class) {
      IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Idle(value, System.currentTimeMillis()));
      idleCount++;
      while (idleCount > MAX_IDLE) {
        toClose.add(removeOldest());
      }
    }
    toClose.forEach(e -> closeQuietly(e.getKey(), e.getValue()));
  }

  private static Map.Entry<String, AutoCloseable> removeOldest() {
    String oldestKey = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<String, ArrayDeque<Idle>> e : IDLE.entrySet()) {
      long t = e.getValue().peekLast().since();
      if (t < oldest) {
        oldest = t;
        oldestKey = e.getKey();
      }
    }
    ArrayDeque<Idle> q = IDLE.get(oldestKey);
    Idle i = q.removeLast();
    if (q.isEmpty()) {
      IDLE.remove(oldestKey);
    }
    idleCount--;
    return Map.entry(oldestKey, i.value());
  }

  /** Closes every idle instance whose key starts with {@code keyPrefix} (e.g. a finished training run). */
  public static void evict(String keyPrefix) {
    List<Map.Entry<String, AutoCloseable>> toClose = new ArrayList<>();
    synchronized (ExecutorCache.class) {
      for (Iterator<Map.Entry<String, ArrayDeque<Idle>>> it = IDLE.entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, ArrayDeque<Idle>> e = it.next();
        if (e.getKey().startsWith(keyPrefix)) {
          e.getValue().forEach(i -> toClose.add(Map.entry(e.getKey(), i.value())));
          idleCount -= e.getValue().size();
          it.remove();
        }
      }
    }
    toClose.forEach(e -> closeQuietly(e.getKey(), e.getValue()));
  }

  /** Number of idle instances held. */
  public static synchronized int idleCount() {
    return idleCount;
  }

  private static void sweep() {
    long cutoff = System.currentTimeMillis() - IDLE_MILLIS;
    List<Map.Entry<String, AutoCloseable>> toClose = new ArrayList<>();
    synchronized (ExecutorCache.class) {
      for (Iterator<Map.Entry<String, ArrayDeque<Idle>>> it = IDLE.entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, ArrayDeque<Idle>> e = it.next();
        while (!e.getValue().isEmpty() && e.getValue().peekLast().since() < cutoff) {
          toClose.add(Map.entry(e.getKey(), e.getValue().removeLast().value()));
          idleCount--;
        }
        if (e.getValue().isEmpty()) {
          it.remove();
        }
      }
    }
    toClose.forEach(e -> closeQuietly(e.getKey(), e.getValue()));
  }

  private static void startSweeper() {
    if (sweeper == null) {
      sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spark-dl-cache-sweeper");
        t.setDaemon(true);
        return t;
      });
      long period = Math.max(100, Math.min(IDLE_MILLIS / 4, 10_000));
      sweeper.scheduleWithFixedDelay(ExecutorCache::sweep, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private static void closeQuietly(String key, AutoCloseable value) {
    try {
      value.close();
    } catch (Exception e) {
      LOG.warn("Closing cached '{}' failed: {}", key, e.toString());
    }
  }
}
