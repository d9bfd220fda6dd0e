package org.sparkdl.ml;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.sparkdl.arrow.ArrowBatch;

/**
 * One partition split's encoded batches kept in local files (Arrow IPC streams, as encoded) rather
 * than decoded in memory, for a training task whose data is larger than the memory it may hold.
 * The task says which batches it needs now and which it will need next ({@link #focus}): those it
 * needs now stay decoded, the next ones are read ahead on the task's reader thread while it
 * computes, and every other batch is freed. So each file is read whole and in order, once per
 * epoch, and the task holds a few batches at a time whatever the size of its data.
 *
 * <p><b>Ownership.</b> Owns its files and its decoded batches; {@link #close()} frees the batches,
 * waits for reads in flight and deletes the files. Used by one task thread; the reader thread only
 * decodes files.
 */
final class SpillFiles implements AutoCloseable {
  private final Path dir;
  private final String name;
  private final ExecutorService reader;
  private final Map<Integer, Path> files = new TreeMap<>();
  private final Map<Integer, ArrowBatch> decoded = new HashMap<>();
  private final Map<Integer, Future<ArrowBatch>> reading = new HashMap<>();
  private long readNanos;
  private OutputStream writing;

  /**
   * @param dir a folder of the executor's local disk, owned by the caller, where the files go
   * @param name the split and partition, for file names and messages (e.g. {@code train-3})
   * @param reader the task's read-ahead thread
   */
  SpillFiles(Path dir, String name, ExecutorService reader) {
    this.dir = dir;
    this.name = name;
    this.reader = reader;
  }

  /**
   * Appends the next part of batch {@code index}'s Arrow IPC stream to its file, which is created
   * by the first part and closed after the last; a batch's parts come in order, one batch at a time.
   */
  void write(int index, byte[] part, boolean last) {
    Path file = dir.resolve(name + "-" + index + ".arrow");
    try {
      if (writing == null) {
        writing = Files.newOutputStream(file);
        files.put(index, file);
      }
      writing.write(part);
      if (last) {
        OutputStream done = writing;
        writing = null;
        done.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the training batch " + index + " of " + name + " to " + file
          + " on the executor's local disk: " + e.getMessage(), e);
    }
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (task != null) {
      task.taskMetrics().incDiskBytesSpilled(part.length);   // shows as the task's "Spill (Disk)" in the Spark UI
    }
  }

  /** Batch {@code b}, decoded: at once when it is neither decoded nor being read ahead. */
  ArrowBatch get(int b) {
    ArrowBatch batch = decoded.get(b);
    if (batch != null) {
      return batch;
    }
    Future<ArrowBatch> ahead = reading.remove(b);
    long t0 = System.nanoTime();
    batch = ahead != null ? await(ahead, b) : read(b);
    readNanos += System.nanoTime() - t0;
    decoded.put(b, batch);
    return batch;
  }

  /**
   * Keeps batch {@code now} decoded (it is read on first {@link #get}), starts reading batch
   * {@code next} ahead (none when it is not a batch of this split, e.g. -1), and frees every other
   * batch.
   */
  void focus(int now, int next) {
    for (Iterator<Map.Entry<Integer, ArrowBatch>> it = decoded.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, ArrowBatch> e = it.next();
      if (e.getKey() != now && e.getKey() != next) {
        e.getValue().close();
        it.remove();
      }
    }
    for (Iterator<Map.Entry<Integer, Future<ArrowBatch>>> it = reading.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Future<ArrowBatch>> e = it.next();
      if (e.getKey() != now && e.getKey() != next) {
        closeQuietly(e.getValue());
        it.remove();
      }
    }
    if (files.containsKey(next) && !decoded.containsKey(next) && !reading.containsKey(next)) {
      reading.put(next, reader.submit(() -> read(next)));
    }
  }

  /** Nanoseconds the task has waited for batches (reads not hidden behind its computation). */
  long waitedNanos() {
    return readNanos;
  }

  private ArrowBatch read(int b) {
    Path file = files.get(b);
    if (file == null) {
      throw new IllegalStateException("Batch " + b + " of " + name + " never came.");
    }
    return ArrowBatch.read(file);
  }

  private ArrowBatch await(Future<ArrowBatch> f, int b) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading batch " + b + " of " + name + ".", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new IllegalStateException(c.getMessage(), c);
    }
  }

  /** Waits for a read in flight and frees what it read (its failure does not matter any more). */
  private static void closeQuietly(Future<ArrowBatch> f) {
    try {
      f.get().close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      // nothing was read, nothing to free
    }
  }

  @Override
  public void close() {
    if (writing != null) {
      try {
        writing.close();
      } catch (IOException e) {
        // the file is deleted below
      }
      writing = null;
    }
    reading.values().forEach(SpillFiles::closeQuietly);
    reading.clear();
    decoded.values().forEach(ArrowBatch::close);
    decoded.clear();
    for (Path f : files.values()) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // the folder goes with the task's local directory
      }
    }
    files.clear();
  }
}
