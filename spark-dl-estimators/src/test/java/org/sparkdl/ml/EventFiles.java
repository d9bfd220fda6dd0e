package org.sparkdl.ml;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.sparkdl.ml.tensorboard.Event;
import org.sparkdl.ml.tensorboard.HistogramProto;
import org.sparkdl.ml.tensorboard.Summary;

/**
 * Reads a TensorBoard run folder back for tests: every record's framing and both CRCs checked,
 * files in name order, and what a resumed attempt replaced dropped as TensorBoard does (a
 * session-start record at step s removes earlier records at step s or later).
 */
final class EventFiles {
  /** The events of the folder's files, in order. */
  final List<Event> events = new ArrayList<>();

  EventFiles(Path run) throws IOException {
    List<Path> files;
    try (var list = Files.list(run)) {
      files = list.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new AssertionError("no event file in " + run);
    }
    for (Path f : files) {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
      boolean first = true;
      while (b.hasRemaining()) {
        byte[] head = new byte[8];
        b.get(head);
        check(head, b.getInt(), f);
        byte[] data = new byte[(int) ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong()];
        b.get(data);
        check(data, b.getInt(), f);
        Event e = Event.parseFrom(data);
        if (first && !e.getFileVersion().equals("brain.Event:2")) {
          throw new AssertionError(f + " does not start with the file version: " + e);
        }
        first = false;
        if (e.hasSessionLog() && e.getSessionLog().getStatus() == org.sparkdl.ml.tensorboard.SessionLog.SessionStatus.START) {
          events.removeIf(old -> old.getStep() >= e.getStep() && !old.hasFileVersion());
        }
        events.add(e);
      }
    }
  }

  private static void check(byte[] bytes, int masked, Path f) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    int c = (int) crc.getValue();
    if (((c >>> 15) | (c << 17)) + 0xa282ead8 != masked) {
      throw new AssertionError("bad CRC in " + f);
    }
  }

  /** The scalar series of {@code tag}: step to value. */
  TreeMap<Long, Float> scalars(String tag) {
    TreeMap<Long, Float> out = new TreeMap<>();
    for (Event e : events) {
      for (Summary.Value v : e.getSummary().getValueList()) {
        if (v.getTag().equals(tag) && v.hasSimpleValue()) {
          if (out.put(e.getStep(), v.getSimpleValue()) != null) {
            throw new AssertionError(tag + " twice at step " + e.getStep());
          }
        }
      }
    }
    return out;
  }

  /** The histograms of {@code tag}: step to histogram. */
  TreeMap<Long, HistogramProto> histograms(String tag) {
    TreeMap<Long, HistogramProto> out = new TreeMap<>();
    for (Event e : events) {
      for (Summary.Value v : e.getSummary().getValueList()) {
        if (v.getTag().equals(tag) && v.hasHisto()) {
          out.put(e.getStep(), v.getHisto());
        }
      }
    }
    return out;
  }

  /** Every tag written, sorted. */
  List<String> tags() {
    return events.stream().flatMap(e -> e.getSummary().getValueList().stream()).map(Summary.Value::getTag).distinct()
        .sorted().toList();
  }

  /** The values of the histogram tag {@code tag} at the last step as the weights they summarise: count, sum, min, max. */
  static double[] figures(HistogramProto h) {
    return new double[] {h.getNum(), h.getSum(), h.getMin(), h.getMax()};
  }

  static double[] figures(float[] values) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new double[] {values.length, sum, min, max};
  }

  @Override
  public String toString() {
    return Arrays.toString(tags().toArray());
  }
}
