package org.sparkdl.ml;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a bad row findable: the tasks that find it know only its partition and its place there, so
 * for input not read from files (whose messages name the file) the driver counts the rows of the
 * partitions before it, once, on this error path, and adds the row's index in the whole input; an
 * input that takes over {@value #COUNT_SECONDS} s to count is reported by partition alone.
 */
final class BadRows {
  private static final Logger LOG = LoggerFactory.getLogger(BadRows.class);
  private static final Pattern WHERE = Pattern.compile("row (\\d+) of partition (\\d+)");
  /** The longest the error path waits for the count before reporting the row by partition alone. */
  static final long COUNT_SECONDS = 30;

  private BadRows() {}

  /** {@code e} with the bad row's index in {@code data} added to its message, or {@code e} when that cannot be told. */
  static IllegalArgumentException locate(IllegalArgumentException e, Dataset<Row> data) {
    String message = e.getMessage();
    Matcher m = message == null ? null : WHERE.matcher(message);
    // a row read from a file, or an image naming its own origin or path, is found by its file
    if (m == null || !m.find() || message.contains("(input file ") || message.contains("(origin ")
        || message.contains("(path ")) {
      return e;
    }
    long row = Long.parseLong(m.group(1));
    int partition = Integer.parseInt(m.group(2));
    org.apache.spark.api.java.JavaFutureAction<List<Long>> counting = data.toJavaRDD().mapPartitionsWithIndex((i, rows) -> {
      long n = 0;
      if (i < partition) {
        for (; rows.hasNext(); rows.next()) {
          n++;
        }
      }
      return List.of(n).iterator();
    }, false).collectAsync();
    try {
      // an input that takes long to read again is reported by partition: the error must not wait on it
      List<Long> counts = counting.get(COUNT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      long before = counts.stream().mapToLong(Long::longValue).sum();
      String located = message.substring(0, m.end()) + " (row " + (before + row) + " of the input, counting from 0 in"
          + " partition order)" + message.substring(m.end());
      return new IllegalArgumentException(located, e);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException | RuntimeException failed) {
      counting.cancel(true);
      LOG.debug("Counting the rows before partition {} failed or took over {} s; the bad row is reported by partition"
          + " only", partition, COUNT_SECONDS, failed);
      return e;
    } catch (InterruptedException interrupted) {
      counting.cancel(true);
      Thread.currentThread().interrupt();
      return e;
    }
  }
}
