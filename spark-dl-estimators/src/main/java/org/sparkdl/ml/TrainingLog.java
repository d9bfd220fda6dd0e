package org.sparkdl.ml;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.ml.tensorboard.DataType;
import org.sparkdl.ml.tensorboard.Event;
import org.sparkdl.ml.tensorboard.HParamsPluginData;
import org.sparkdl.ml.tensorboard.HistogramProto;
import org.sparkdl.ml.tensorboard.SessionEndInfo;
import org.sparkdl.ml.tensorboard.SessionLog;
import org.sparkdl.ml.tensorboard.SessionStartInfo;
import org.sparkdl.ml.tensorboard.Status;
import org.sparkdl.ml.tensorboard.Summary;
import org.sparkdl.ml.tensorboard.SummaryMetadata;
import org.sparkdl.ml.tensorboard.TensorProto;
import org.sparkdl.ml.tensorboard.TensorShapeProto;
import org.sparkdl.nn.Parameter;
import org.sparkdl.nn.ParameterStore;

/**
 * A fit's TensorBoard run, written by the driver as the fit goes (param {@code logDir}): one folder
 * {@code <logDir>/<uid>-<start time>} per fit, continued by a fit resumed from a checkpoint. The x
 * axis is the round (an optimizer step in gradient mode), counted over the whole fit.
 *
 * <ul>
 *   <li>each round: {@code round/loss} (its rows' mean loss), {@code round/learning_rate}, {@code
 *       round/rows_per_second}, {@code round/sync_share} (the share of rank 0's round time spent
 *       synchronising; not where each round is a Spark job);
 *   <li>each epoch, at its last round: {@code epoch/loss}, {@code epoch/train_accuracy} (a
 *       classifier), {@code epoch/validation_loss}, {@code epoch/validation_accuracy} or {@code
 *       epoch/validation_rmse}, {@code epoch/seconds}, {@code epoch/epoch};
 *   <li>each epoch: a histogram of every parameter ({@code weights/<name>}) and of its mean
 *       gradient in the epoch's last step ({@code gradients/<name>}; in average mode, rank 0's own
 *       last local step);
 *   <li>at the start: the params, for TensorBoard's hparams dashboard and as a text table ({@code
 *       params}); at the end, whether the fit succeeded.
 * </ul>
 *
 * Everything is flushed at each epoch end. A resumed fit writes a new file in the same folder,
 * starting with TensorBoard's session-start record at its first round, so that what an interrupted
 * attempt wrote after its last checkpoint is dropped by the reader and the rounds keep counting.
 * A log that cannot be written is a warning, never the end of the fit.
 */
final class TrainingLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLog.class);
  /** Bins of each histogram, of equal width between the smallest and largest value. */
  static final int BINS = 30;
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private final Path run;
  private final String name;
  private EventFile file;
  private long writingNanos;
  private final java.util.Set<String> described = new java.util.HashSet<>();

  private TrainingLog(Path run, String name, EventFile file) {
    this.run = run;
    this.name = name;
    this.file = file;
  }

  /** The name of a new run of estimator {@code uid}: its uid and the start time (UTC). */
  static String newRunName(String uid) {
    return uid + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(RUN_TIME);
  }

  /**
   * Opens run {@code runName} under {@code logDir}: a new run gets the params; a resumed one (at
   * {@code resumedAfter} rounds, -1 for a new run) the session-start record. Null, after a
   * warning, when the folder cannot be written.
   *
   * @param params the fit's params by name (numbers, strings, booleans; others as text)
   */
  static TrainingLog open(Configuration conf, String logDir, String runName, long resumedAfter, Map<String, Object> params,
      String who) {
    Path run = new Path(logDir, runName);
    try {
      TrainingLog log = new TrainingLog(run, runName, EventFile.create(conf, run));
      double now = System.currentTimeMillis() / 1000.0;
      if (resumedAfter >= 0) {
        log.file.write(Event.newBuilder().setWallTime(now).setStep(resumedAfter + 1).setSessionLog(SessionLog.newBuilder()
            .setStatus(SessionLog.SessionStatus.START).setMsg("resumed from a checkpoint after round " + resumedAfter)).build());
      } else {
        log.params(params, now);
      }
      log.file.flush();
      LOG.info("{}: TensorBoard log in {}", who, run);
      return log;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot write the TensorBoard log in {} ({}); the fit goes on without it.", who, run, e.toString());
      return null;
    }
  }

  /** The run's folder name (kept in checkpoints, so that a resumed fit continues it). */
  String runName() {
    return name;
  }

  Path folder() {
    return run;
  }

  private void params(Map<String, Object> params, double now) throws IOException {
    SessionStartInfo.Builder start = SessionStartInfo.newBuilder().setStartTimeSecs(now);
    StringBuilder table = new StringBuilder("| param | value |\n|---|---|\n");
    params.forEach((k, v) -> {
      String text = v instanceof double[] d ? java.util.Arrays.toString(d) : v instanceof int[] i
          ? java.util.Arrays.toString(i) : String.valueOf(v);
      table.append("| ").append(k).append(" | ").append(text.replace("|", "\\|").replace("\n", " ")).append(" |\n");
      com.google.protobuf.Value value = v instanceof Number n ? com.google.protobuf.Value.newBuilder().setNumberValue(
          n.doubleValue()).build() : v instanceof Boolean b ? com.google.protobuf.Value.newBuilder().setBoolValue(b).build()
          : com.google.protobuf.Value.newBuilder().setStringValue(text.length() > 200 ? text.substring(0, 197) + "..."
              : text).build();
      start.putHparams(k, value);
    });
    write(0, now, Summary.Value.newBuilder().setTag("_hparams_/session_start_info")
        .setMetadata(hparamsMetadata(HParamsPluginData.newBuilder().setSessionStartInfo(start)))
        .setTensor(emptyTensor()).build());
    write(0, now, Summary.Value.newBuilder().setTag("params").setMetadata(SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text")))
        .setTensor(TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .addStringVal(ByteString.copyFromUtf8(table.toString()))).build());
  }

  private static SummaryMetadata hparamsMetadata(HParamsPluginData.Builder data) {
    return SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("hparams")
        .setContent(data.setVersion(0).build().toByteString())).build();
  }

  /** The hparams plugin's records carry their data in the metadata, and an empty float vector as value. */
  private static TensorProto emptyTensor() {
    return TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dim.newBuilder().setSize(0))).build();
  }

  /**
   * The rounds of an epoch, the first being round {@code firstRound} of the fit (1-based).
   *
   * @param learningRates the learning rate of each round's (first) step
   */
  void rounds(long firstRound, StepLog steps, double[] learningRates) {
    guard(() -> {
      double now = System.currentTimeMillis() / 1000.0;
      for (int r = 0; r < steps.rounds(); r++) {
        Summary.Builder s = Summary.newBuilder();
        s.addValue(scalar("round/loss", steps.loss(r)));
        s.addValue(scalar("round/learning_rate", learningRates[r]));
        if (steps.seconds(r) > 0) {
          s.addValue(scalar("round/rows_per_second", steps.rows(r) / steps.seconds(r)));
        }
        if (!Float.isNaN(steps.syncSeconds(r)) && steps.seconds(r) > 0) {
          s.addValue(scalar("round/sync_share", steps.syncSeconds(r) / steps.seconds(r)));
        }
        file.write(Event.newBuilder().setWallTime(now).setStep(firstRound + r).setSummary(s).build());
      }
    });
  }

  /**
   * An epoch's figures at round {@code round}, the epoch's last. Each of the figures is left out
   * when NaN.
   *
   * @param metricName "accuracy" or "rmse"
   */
  void epoch(long round, int epoch, double loss, double trainAccuracy, double validationLoss, double validationMetric,
      String metricName, double seconds) {
    guard(() -> {
      Summary.Builder s = Summary.newBuilder();
      s.addValue(scalar("epoch/epoch", epoch));
      s.addValue(scalar("epoch/loss", loss));
      if (!Double.isNaN(trainAccuracy)) {
        s.addValue(scalar("epoch/train_accuracy", trainAccuracy));
      }
      if (!Double.isNaN(validationLoss)) {
        s.addValue(scalar("epoch/validation_loss", validationLoss));
        s.addValue(scalar("epoch/validation_" + metricName, validationMetric));
      }
      s.addValue(scalar("epoch/seconds", seconds));
      file.write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(round).setSummary(s).build());
    });
  }

  /**
   * Histograms of every trainable parameter of {@code store} (its current values) and, when {@code
   * gradient} is not null, of its part of that flat gradient, at round {@code round}.
   */
  void histograms(long round, ParameterStore store, float[] gradient) {
    guard(() -> {
      float[] values = store.values().toFloatArray();
      Summary.Builder s = Summary.newBuilder();
      for (Parameter p : store.parameters()) {
        int from = store.offset(p);
        int to = from + (int) p.shape().size();
        s.addValue(Summary.Value.newBuilder().setTag("weights/" + p.name()).setHisto(histogram(values, from, to)));
        if (gradient != null && gradient.length == values.length) {
          s.addValue(Summary.Value.newBuilder().setTag("gradients/" + p.name()).setHisto(histogram(gradient, from, to)));
        }
      }
      file.write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(round).setSummary(s).build());
    });
  }

  /** Makes everything written so far visible (at each epoch end). */
  void flush() {
    guard(file::flush);
  }

  /** {@code values[from, to)} in {@value #BINS} bins of equal width; NaN and infinities left out. */
  static HistogramProto histogram(float[] values, int from, int to) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    double squares = 0;
    long n = 0;
    for (int i = from; i < to; i++) {
      float v = values[i];
      if (Float.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
        squares += (double) v * v;
        n++;
      }
    }
    HistogramProto.Builder h = HistogramProto.newBuilder().setNum(n).setSum(sum).setSumSquares(squares);
    if (n == 0) {
      return h.build();
    }
    h.setMin(min).setMax(max);
    int bins = max > min ? BINS : 1;
    double width = (max - min) / bins;
    double[] counts = new double[bins];
    for (int i = from; i < to; i++) {
      float v = values[i];
      if (Float.isFinite(v)) {
        counts[bins == 1 ? 0 : Math.min(bins - 1, (int) ((v - min) / width))]++;
      }
    }
    for (int b = 0; b < bins; b++) {
      h.addBucketLimit(b == bins - 1 ? max : min + (b + 1) * width);
      h.addBucket(counts[b]);
    }
    return h.build();
  }

  private Summary.Value scalar(String tag, double value) {
    Summary.Value.Builder v = Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value);
    if (described.add(tag)) {
      v.setMetadata(SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder()
          .setPluginName("scalars")));
    }
    return v.build();
  }

  private void write(long step, double wallTime, Summary.Value value) throws IOException {
    file.write(Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(Summary.newBuilder().addValue(value))
        .build());
  }

  /** Writes the end of the session (succeeded or not) and closes the file. */
  void close(boolean succeeded) {
    guard(() -> {
      write(0, System.currentTimeMillis() / 1000.0, Summary.Value.newBuilder().setTag("_hparams_/session_end_info")
          .setMetadata(hparamsMetadata(HParamsPluginData.newBuilder().setSessionEndInfo(SessionEndInfo.newBuilder()
              .setStatus(succeeded ? Status.STATUS_SUCCESS : Status.STATUS_FAILURE)
              .setEndTimeSecs(System.currentTimeMillis() / 1000.0))))
          .setTensor(emptyTensor()).build());
    });
    close();
  }

  @Override
  public void close() {
    if (file == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      file.close();
    } catch (IOException e) {
      LOG.warn("Cannot close the TensorBoard event file {}: {}", file.path(), e.toString());
    }
    writingNanos += System.nanoTime() - start;
    LOG.info("TensorBoard log {} closed; writing it took {} ms of the fit.", run, String.format(Locale.ROOT,
        "%.1f", writingNanos / 1e6));
    file = null;
  }

  private interface Writing {
    void run() throws IOException;
  }

  /** Runs a write; the first failure is a warning and ends the log (the fit goes on). */
  private void guard(Writing w) {
    if (file == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      w.run();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot write the TensorBoard log {} ({}); the fit goes on without it.", file.path(), e.toString());
      close();
    } finally {
      writingNanos += System.nanoTime() - start;
    }
  }

  /** The params of an estimator as the log shows them: explicitly set and defaults, by name. */
  static Map<String, Object> paramsOf(org.apache.spark.ml.param.Params params) {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (org.apache.spark.ml.param.ParamPair<?> pair : params.extractParamMap().toList()) {
      out.put(pair.param().name(), pair.value());
    }
    return new LinkedHashMap<>(out);
  }
}
