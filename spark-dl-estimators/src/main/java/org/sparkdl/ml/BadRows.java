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
 * partitions before it, once, on this error path, and adds the row's index in the whole input.
 */
final class BadRows {
  private static final Logger LOG = LoggerFactory.getLogger(BadRows.class);
  private static final Pattern WHERE = Pattern.compile("row (\\d+) of partition (\\d+)");

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
    try {
      List<Long> counts = data.toJavaRDD().mapPartitionsWithIndex((i, rows) -> {
        long n = 0;
        if (i < partition) {
          for (; rows.hasNext(); rows.next()) {
            n++;
          }
        }
        return List.of(n).iterator();
      }, false).collect();
      long before = counts.stream().mapToLong(Long::longValue).sum();
      String located = message.substring(0, m.end()) + " (row " + (before + row) + " of the input, counting from 0 in"
          + " partition order)" + message.substring(m.end());
      return new IllegalArgumentException(located, e);
    } catch (RuntimeException counting) {
      LOG.debug("Counting the rows before partition {} failed; the bad row is reported by partition only", partition,
          counting);
      return e;
    }
  }
}
