package org.sparkdl.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.arrow.TrainingColumns;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.nn.Loss;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.train.ClassTally;
import org.sparkdl.train.LocalTrainer;

/**
 * The driver side of a fit. The training rows are encoded once into Arrow batches per partition
 * and persisted; then the epochs run as one Spark barrier stage whose tasks step in lockstep and
 * synchronise every step among themselves ({@link BarrierEpochs}), or, where barrier stages cannot
 * run, as one Spark job per round ({@link RoundEpochs}); {@link ExecutionPlan} decides which,
 * before any job, and says why in the log. Either way this loop sees one epoch at a time: it
 * records the losses and validation metrics, keeps the best epoch, writes checkpoints and stops
 * early. Deterministic for a fixed seed and partitioning.
 *
 * <p><b>Size.</b> Just over 400 lines: the driver's epoch loop (history, best epoch, early
 * stopping, checkpoints) reads as one piece; encoding, the plan, the runners and the summary
 * pieces live in their own classes.
 *
 * <p><b>Buffers</b> (batch normalisation's running statistics) travel with the parameters in both
 * modes: every step (gradient mode) or round (average mode) they become the mean of the workers'
 * buffers weighted by the rows each trained on. In gradient mode that is one momentum update
 * towards the row-weighted mean of the workers' batch statistics (for the means exactly, as if one
 * batch had been seen); in average mode, the same average as the parameters'. Validation,
 * checkpoints, the best epoch's snapshot and the model use them.
 */
final class DistributedTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);
  /** Arrow batches are capped at this many bytes, so a partition is one or a few batches. */
  private static final long MAX_BATCH_BYTES = 256L << 20;
  /**
   * Spark conf: the most bytes of encoded rows in one Arrow batch, also the window within which a
   * partition's rows are shuffled (default and most {@code 256m}); smaller batches bound the memory
   * of the encoding pass more tightly.
   */
  static final String BATCH_BYTES_CONF = "spark.sparkdl.encode.batchBytes";

  /** What a fit produces. */
  record Result(float[] weights, float[] buffers, TrainingSummary summary) {
    /** The buffers, or an empty array for a network without any. */
    float[] buffersOrEmpty() {
      return buffers == null ? new float[0] : buffers;
    }
  }

  /**
   * What a fit trains: the stage and its uid, the network, the objective, and a copy of the
   * estimator's params taken when the fit starts, whose getters are the settings (batch size,
   * epochs, sync mode, ...): a setting is read where it acts and spelled nowhere else.
   */
  record Settings(String stage, String uid, NetworkSpec spec, Objective objective, NeuralNetworkParams params) {
    /** The optimizer the params describe. */
    org.sparkdl.optim.OptimizerSpec optimizer() {
      return params.resolveOptimizer();
    }

    boolean averageMode() {
      return params.getSyncMode().equals("average");
    }
  }

  /**
   * What the network is trained to do: its loss, and for a classifier the number of classes.
   *
   * @param numClasses the classes of a classifier, 0 for a regressor
   */
  record Objective(String lossName, boolean classification, int numClasses) {}

  private DistributedTrainer() {}

  static Result fit(Dataset<Row> data, String validationIndicator, TrainingColumns columns, Settings s) {
    long started = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
    String previousDescription = jsc.getLocalProperty("spark.job.description");
    String runId = "fit-" + s.uid() + "-" + UUID.randomUUID();
    JavaRDD<EncodedPart> encoded = null;
    EpochRunner runner = null;
    TrainingLog log = null;
    boolean succeeded = false;
    // the plan the encoding pass runs (EncodedBatches.encode): asking another one, e.g. data.rdd()'s, would run its
    // shuffles a second time under adaptive execution, which runs them as soon as the RDD is made
    int inputPartitions = data.queryExecution().toRdd().getNumPartitions();
    int slots = ExecutionPlan.slots(jsc.sc());
    // in gradient mode (where the tasks compute one global-batch step together, however many they are), a network
    // too small to share a step among all the slots uses fewer tasks, unless the user chose how many; not one with
    // buffers (batch normalisation's running statistics), which each task keeps and the driver averages
    long taskWork = ExecutionPlan.minTaskMultiplyAdds(data.sparkSession().conf().get(ExecutionPlan.TASK_WORK_CONF, null));
    Network.Footprint footprint = Network.footprint(s.spec());
    long stepWork = s.params().getNumWorkers() > 0 || s.averageMode() || footprint.buffers() > 0 || taskWork == 0 ? -1
        : ExecutionPlan.stepMultiplyAdds(footprint.multiplyAddsPerRow(), s.params().getBatchSize());
    int workers = stepWork < 0 ? slots : Math.min(slots, ExecutionPlan.worthwhileTasks(stepWork, taskWork));
    int slices = ExecutionPlan.slices(inputPartitions, workers, s.params().getNumWorkers());
    ExecutionPlan plan = ExecutionPlan.choose(jsc.sc().getConf(), jsc.sc().master(), slots, inputPartitions * slices,
        data.sparkSession().conf().get(ExecutionPlan.MODE_CONF, "auto"), stepWork, taskWork);
    MemoryEstimate memoryEstimate = MemoryEstimate.of(s.spec(), s.optimizer(), s.params().getBatchSize(), plan.tasks(),
        ExecutionPlan.tasksPerExecutor(jsc.sc(), plan.tasks()), ExecutionPlan.local(jsc.sc().master()));
    LOG.debug("{} {}: memory estimate {}", s.stage(), s.uid(), memoryEstimate);
    memoryEstimate.check(s.stage() + " " + s.uid(), Runtime.getRuntime().maxMemory(), MemoryEstimate.nativeLimit(jsc.sc()),
        MemoryEstimate.limitSource(jsc.sc()));
    List<String> frozen = frozenLayers(s);
    if (slices > 1) {
      LOG.info("{} {}: the input has {} partition(s) for {} task slots; each partition's rows are dealt to {} tasks,"
          + " row by row (set numWorkers to choose the number of workers)", s.stage(), s.uid(), inputPartitions, slots,
          slices);
    }
    LOG.info("{} {}: training as {}", s.stage(), s.uid(), plan.reason());
    jsc.setJobDescription(s.stage() + " " + s.uid() + ": encoding the training data");
    TrainingWatch watch = new TrainingWatch(s.stage() + " " + s.uid(), s.objective(), s.params().getLearningRate(),
        s.params().getStopOnDivergence());
    EncodingStats stats = EncodingStats.register(jsc.sc(), s.objective().classification());
    encoded = encode(data, validationIndicator, columns, s, stats, slices);
    // the encoding job runs on the executors while the driver loads the backend and builds its copy of the network
    JavaFutureAction<List<Described>> described = describe(encoded);
    try (Network master = Network.create(s.spec(), ExecutorBackends.host(), DType.FLOAT32, s.params().getSeed(), frozen);
        LocalTrainer driver = new LocalTrainer(master, Loss.of(s.objective().lossName()), s.optimizer(), s.params().getSeed())) {
      if (!s.params().getInitialModel().isEmpty()) {
        InitialWeights.apply(data.sparkSession(), s.params().getInitialModel(), master, s.stage() + " " + s.uid());
      }
      if (!frozen.isEmpty()) {
        LOG.info("{} {}: layers {} frozen ({} of {} parameters train)", s.stage(), s.uid(), frozen,
            master.parameters().size() - master.parameters().frozenSize(), master.parameters().size());
      }
      List<DataMemory.Batch> batches;
      try {
        batches = batches(described, inputPartitions);
      } catch (SparkException | RuntimeException e) {
        RuntimeException cause = unwrap(e);
        if (cause instanceof IllegalArgumentException bad) {
          jsc.setJobDescription(s.stage() + " " + s.uid() + ": locating the bad row");
          throw BadRows.locate(bad, data);
        }
        throw cause;
      }
      long[] classCounts = stats.report(watch, s.objective().numClasses(), columns.features().name());
      long rows = batches.stream().filter(b -> !b.validation()).mapToLong(DataMemory.Batch::rows).sum();
      long validRows = batches.stream().filter(DataMemory.Batch::validation).mapToLong(DataMemory.Batch::rows).sum();
      int windows = batches.stream().filter(b -> !b.validation()).mapToInt(b -> b.index() + 1).max().orElse(1);
      if (rows == 0) {
        throw new IllegalArgumentException("The training data is empty: no rows to fit" + (validationIndicator == null ? ""
            : " (every row is marked for validation)") + ".");
      }
      LOG.info("{} {}: data encoded and cached in {} ms", s.stage(), s.uid(), (System.nanoTime() - started) / 1_000_000);
      boolean validation = validationIndicator != null && validRows > 0;
      float[] classWeights = classCounts == null ? null : ClassWeights.resolve(s.params().getClassWeights(), classCounts);
      if (classWeights != null) {
        LOG.info("{} {}: class weights {} (classWeights {})", s.stage(), s.uid(), java.util.Arrays.toString(classWeights),
            s.params().getClassWeights());
      }
      int classes = s.objective().classification() ? s.objective().numClasses() : 0;
      int roundsPerEpoch = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (rows + s.params().getBatchSize() - 1) / s.params().getBatchSize()));
      TrainingRun run = new TrainingRun(runId, s.stage(), s.spec().toJson(), s.objective().lossName(), s.optimizer(), s.objective().classification(),
          roundsPerEpoch, s.averageMode() ? s.params().getLocalSteps() : 1, s.averageMode(), s.params().getSeed(), s.params().getBackend(), windows,
          classes, classWeights, !validation, frozen);
      LOG.info("{} {}: {} training rows in {} partitions{}, {} rounds per epoch, {} mode, {} parameters", s.stage(), s.uid(),
          rows, encoded.getNumPartitions(), validationIndicator == null ? "" : ", " + validRows + " validation rows", run.rounds(),
          s.averageMode() ? "average (" + s.params().getLocalSteps() + " local steps)" : "gradient", master.parameters().size());

      DataMemory memory = null;
      if (plan.barrier()) {
        memory = DataMemory.plan(batches, plan.tasks(), DataMemory.budget(jsc.sc(),
            data.sparkSession().conf().get(DataMemory.CONF, null), plan.tasks()));
        LOG.info("{} {}: {}", s.stage(), s.uid(), memory.reason());
      }
      boolean logged = !s.params().getLogDir().isEmpty();
      runner = plan.barrier() ? new BarrierEpochs(jsc, encoded, plan.tasks(), driver, run, s.params().getMaxEpochs(), validation,
          memory.spill(), logged)
          : new RoundEpochs(jsc, EncodedBatches.shards(encoded, false), validation ? EncodedBatches.shards(encoded, true) : null,
              driver, run, s.params().getAggregationDepth(), logged);

      List<Double> losses = new ArrayList<>();
      List<Double> validLosses = new ArrayList<>();
      List<Double> metrics = new ArrayList<>();
      List<Double> epochSeconds = new ArrayList<>();
      List<Double> trainAccuracies = new ArrayList<>();
      ClassTally confusion = null;
      FlatState.Weights last = FlatState.Weights.of(master);
      FlatState.Weights best = last;
      double bestScore = Double.POSITIVE_INFINITY;
      int bestEpoch = 0;
      int staleEpochs = 0;
      boolean stoppedEarly = false;
      long totalRounds = 0;
      int firstEpoch = 1;
      String logRun = "";
      Checkpoints checkpoints = null;
      if (!s.params().getCheckpointDir().isEmpty()) {
        checkpoints = new Checkpoints(jsc.hadoopConfiguration(), s.params().getCheckpointDir(), Checkpoints.fingerprint(run.specJson(),
            run.lossName(), run.optimizer().toString(), Integer.toString(s.params().getBatchSize()), Long.toString(s.params().getSeed()),
            Boolean.toString(s.averageMode()), Integer.toString(run.localSteps()), Long.toString(rows),
            Long.toString(validRows), Integer.toString(encoded.getNumPartitions()), columns.input().toString()
            + (classWeights == null ? "" : " " + java.util.Arrays.toString(classWeights))
            + (s.params().getMonitor().equals("auto") ? "" : " monitor " + s.params().getMonitor())
            + (frozen.isEmpty() ? "" : " frozen " + frozen)));
        Checkpoints.Restored restored = checkpoints.restore(master, driver.optimizer());
        if (restored != null) {
          Checkpoints.Progress p = restored.progress();
          firstEpoch = p.epoch() + 1;
          totalRounds = p.rounds();
          losses.addAll(p.losses());
          validLosses.addAll(p.validationLosses());
          metrics.addAll(p.metrics());
          epochSeconds.addAll(p.epochSeconds());
          if (classes > 0) {
            trainAccuracies.addAll(p.trainAccuracies());
          }
          bestEpoch = p.bestEpoch();
          bestScore = p.bestScore();
          staleEpochs = p.staleEpochs();
          last = FlatState.Weights.of(master);
          best = restored.best() != null ? restored.best() : last;
          logRun = p.logRun();
          LOG.info("{} {}: resuming from the checkpoint of epoch {} in {}", s.stage(), s.uid(), p.epoch(), s.params().getCheckpointDir());
        }
      }
      if (logged) {
        boolean continued = firstEpoch > 1 && !logRun.isEmpty();   // resumed, and the checkpoint names its run
        log = TrainingLog.open(jsc.hadoopConfiguration(), s.params().getLogDir(), continued ? logRun
            : TrainingLog.newRunName(s.uid()), continued ? totalRounds : -1, TrainingLog.paramsOf(s.params()),
            s.stage() + " " + s.uid());
        logRun = log == null ? "" : log.runName();
      }
      long trainingNanos = 0;
      int epochsRun = 0;
      FitProgress.update(s.uid(), firstEpoch - 1, s.params().getMaxEpochs(), totalRounds, run.rounds(),
          losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1), (System.nanoTime() - started) / 1e9);
      for (int epoch = firstEpoch; epoch <= s.params().getMaxEpochs(); epoch++) {
        long t0 = System.nanoTime();
        // the Spark UI names a job by the description at its submission: the epoch, and the loss so far
        jsc.setJobDescription(s.stage() + " " + s.uid() + ": epoch " + epoch + "/" + s.params().getMaxEpochs()
            + (losses.isEmpty() ? "" : String.format(Locale.ROOT, ", loss %.5f after epoch %d", losses.get(losses.size() - 1),
                epoch - 1)));
        long stepsBefore = driver.optimizer().steps();
        EpochRunner.Outcome o = runner.train(epoch);
        long roundsBefore = totalRounds;
        totalRounds += run.rounds();
        last = FlatState.Weights.of(master);
        double loss = o.lossSum() / o.weightSum();
        losses.add(loss);
        String trainText = "";
        if (o.trainTally() != null) {
          trainAccuracies.add(o.trainTally().accuracy());
          trainText = String.format(", accuracy %.4f", o.trainTally().accuracy());
          confusion = o.trainTally().hasMatrix() ? o.trainTally() : confusion;
        }
        String validText = "";
        double score = loss;
        if (o.validation() != null) {
          RoundSum v = o.validation();
          double vLoss = v.lossSum / v.weightSum;
          // a classifier's accuracy from its tally: weighted by the rows' weights alone (the loss's weight total
          // includes class weights)
          ClassTally vt = v.tally() == null ? null : ClassTally.of(classes, v.tally());
          confusion = vt != null && vt.hasMatrix() ? vt : confusion;
          double metric = s.objective().classification() ? (vt != null ? vt.accuracy() : v.metricSum / v.weightSum)
              : Math.sqrt(v.metricSum / (v.weightSum * master.outputShape().size()));
          validLosses.add(vLoss);
          metrics.add(metric);
          score = switch (s.params().getMonitor()) {
            case "loss" -> loss;
            // lower is better for every score: a classifier's accuracy counts negated
            case "validationMetric" -> s.objective().classification() ? -metric : metric;
            default -> vLoss;
          };
          validText = String.format(", validation loss %.5f, %s %.4f", vLoss, s.objective().classification() ? "accuracy" : "rmse", metric);
        }
        if (log != null) {
          writeLog(log, s, run, o, epoch, roundsBefore, stepsBefore, loss, validLosses, metrics, trainAccuracies,
              (System.nanoTime() - t0) / 1e9, master);
        }
        epochSeconds.add((System.nanoTime() - started) / 1e9);
        long epochNanos = System.nanoTime() - t0;
        trainingNanos += epochNanos;
        epochsRun++;
        FitProgress.update(s.uid(), epoch, s.params().getMaxEpochs(), totalRounds, run.rounds(), loss,
            (System.nanoTime() - started) / 1e9);
        int left = s.params().getMaxEpochs() - epoch;
        LOG.info("{} {}: epoch {}/{}, loss {}{}{}, {} in {} ms, {} rows/s{}{}", s.stage(), s.uid(), epoch,
            s.params().getMaxEpochs(), String.format("%.5f", loss), trainText, validText, s.averageMode() ? run.rounds()
                + " rounds of " + s.params().getLocalSteps() + " local steps" : run.rounds() + " steps",
            epochNanos / 1_000_000, String.format("%,.0f", rows / Math.max(epochNanos / 1e9, 1e-9)),
            Double.isNaN(o.syncShare()) ? "" : String.format(" (%.0f%% of the workers' time synchronising)",
                100 * o.syncShare()), left == 0 ? "" : String.format(", about %.1f s to go", left * trainingNanos / 1e9
                / epochsRun));
        if (o.weightSum() <= 0) {
          throw new IllegalArgumentException(s.stage() + " " + s.uid() + ": the training rows' weights (column '"
              + s.params().getWeightCol() + "') sum to " + o.weightSum() + " in epoch " + epoch + ": no row counts, so there"
              + " is nothing to learn. Give the rows positive weights.");
        }
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException(s.stage() + " " + s.uid() + ": the training loss became " + loss + " in epoch " + epoch
              + "; lower learningRate or set clipNorm" + (watch.warnings().isEmpty() ? "" : " (" + watch.warnings().get(
                  watch.warnings().size() - 1) + ")") + ".");
        }
        watch.epoch(epoch, loss);
        boolean improved = score < bestScore;
        double tol = s.params().getTol();
        double minDelta = s.params().getMinDelta();
        double needed = Math.max(tol > 0 ? tol * Math.max(Math.abs(score), 0.01) : 0, minDelta);
        boolean enough = (tol > 0 || minDelta > 0) && bestScore - score < needed;
        staleEpochs = enough ? staleEpochs + 1 : 0;
        if (improved) {
          bestScore = score;
          best = last;
          bestEpoch = epoch;
        }
        if (checkpoints != null && (epoch % s.params().getCheckpointInterval() == 0 || epoch == s.params().getMaxEpochs())) {
          checkpoints.write(new Checkpoints.Progress(epoch, totalRounds, losses, validLosses, metrics, epochSeconds, bestEpoch,
              bestScore, staleEpochs, trainAccuracies, logRun), master, driver.optimizer(), validationIndicator != null ? best : null);
        }
        if (staleEpochs >= s.params().getPatience() && epoch < s.params().getMaxEpochs()) {
          stoppedEarly = true;
          LOG.info("{} {}: stopping after epoch {}: {} improved by less than tol {} (relative) or minDelta {} for {}"
              + " epoch(s)", s.stage(), s.uid(), epoch, monitored(s, validation), tol, minDelta, staleEpochs);
          break;
        }
      }
      boolean useBest = validationIndicator != null && bestEpoch > 0;
      FlatState.Weights result = useBest ? best : last;
      TrainingSummary summary = new TrainingSummary(losses, validLosses, metrics, s.objective().classification() ? "accuracy" : "rmse",
          totalRounds, rows, epochSeconds, (System.nanoTime() - started) / 1e9, validationIndicator != null ? bestEpoch
          : losses.size(), stoppedEarly, watch.warnings(), trainAccuracies, confusion == null ? null
          : org.apache.spark.ml.linalg.Matrices.dense(classes, classes, columnMajor(confusion.matrix())),
          confusion == null ? "" : validation ? "validation" : "training");
      succeeded = true;
      return new Result(result.params(), result.buffers(), summary);
    } catch (SparkException e) {
      throw unwrap(e);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Checkpoint I/O failed in " + s.params().getCheckpointDir() + ": " + e.getMessage(), e);
    } finally {
      if (log != null) {
        log.close(succeeded);
      }
      FitProgress.finish(s.uid());
      if (runner != null) {
        runner.close();
      }
      jsc.setJobDescription(previousDescription);
      if (!described.isDone()) {
        described.cancel(true);   // the driver failed before the encoding job ended
      }
      if (encoded != null) {
        encoded.unpersist(false);
      }
      ExecutorCache.evict(runId);
    }
  }

  /**
   * An epoch in the TensorBoard log: its rounds (numbered on from {@code roundsBefore}, with the
   * learning rate of each round's first optimizer step, {@code stepsBefore} having been taken),
   * its figures, the histograms, then a flush.
   */
  private static void writeLog(TrainingLog log, Settings s, TrainingRun run, EpochRunner.Outcome o, int epoch,
      long roundsBefore, long stepsBefore, double loss, List<Double> validLosses, List<Double> metrics,
      List<Double> trainAccuracies, double seconds, Network master) {
    long lastRound = roundsBefore + run.rounds();
    if (o.steps() != null) {
      org.sparkdl.optim.LearningRateSchedule schedule = s.optimizer().parsedSchedule();
      double[] rates = new double[run.rounds()];
      for (int r = 0; r < rates.length; r++) {
        rates[r] = s.optimizer().learningRate() * schedule.factor(stepsBefore + (long) r * run.localSteps() + 1);
      }
      log.rounds(roundsBefore + 1, o.steps(), rates);
    }
    boolean validated = o.validation() != null;
    log.epoch(lastRound, epoch, loss, o.trainTally() == null ? Double.NaN : trainAccuracies.get(trainAccuracies.size() - 1),
        validated ? validLosses.get(validLosses.size() - 1) : Double.NaN, validated ? metrics.get(metrics.size() - 1)
        : Double.NaN, s.objective().classification() ? "accuracy" : "rmse", seconds);
    log.histograms(lastRound, master.parameters(), o.steps() == null ? null : o.steps().gradient());
    log.flush();
  }

  /** A square matrix's values column by column, as Spark's dense matrices hold them. */
  private static double[] columnMajor(double[][] m) {
    double[] out = new double[m.length * m.length];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m.length; j++) {
        out[j * m.length + i] = m[i][j];
      }
    }
    return out;
  }

  /** The layers {@code frozenLayers} names (comma-separated names or prefixes ending in *), in network order. */
  private static List<String> frozenLayers(Settings s) {
    String given = s.params().getFrozenLayers().trim();
    if (given.isEmpty()) {
      return List.of();
    }
    try {
      return Network.matchLayers(s.spec(), java.util.Arrays.stream(given.split(",")).map(String::trim)
          .filter(name -> !name.isEmpty()).toList());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Param frozenLayers '" + given + "': " + e.getMessage(), e);
    }
  }

  /** What early stopping watches, for the log. */
  private static String monitored(Settings s, boolean validation) {
    return switch (s.params().getMonitor()) {
      case "loss" -> "the training loss";
      case "validationMetric" -> "the validation " + (s.objective().classification() ? "accuracy" : "rmse");
      default -> validation ? "the validation loss" : "the training loss";
    };
  }

  /**
   * Refuses a {@code monitor} that watches a validation split the fit does not have; before any
   * job runs.
   */
  static void checkMonitor(NeuralNetworkParams p, String validationIndicator) {
    if (p.getMonitor().startsWith("validation") && validationIndicator == null) {
      throw new IllegalArgumentException("Param monitor is '" + p.getMonitor() + "', which needs a validation split;"
          + " set validationIndicatorCol or validationFraction, or monitor 'loss' or 'auto'.");
    }
  }

  /** The training rows (and validation rows, with an indicator column) encoded, batch by batch; see {@link EncodedBatches}. */
  private static JavaRDD<EncodedPart> encode(Dataset<Row> data, String validationIndicator, TrainingColumns columns,
      Settings s, EncodingStats stats, int slices) {
    // sparse rows: the row's own columns (label, weight, its offsets in two lists), the entries counted as they come
    int perRow = 4 * ((columns.input().isSparse() ? 2 : columns.featureWidth()) + columns.targetWidth() + 1);
    long batchBytes = Math.min(MAX_BATCH_BYTES, org.apache.spark.network.util.JavaUtils.byteStringAsBytes(
        data.sparkSession().conf().get(BATCH_BYTES_CONF, MAX_BATCH_BYTES + "b")));
    int maxBatchRows = (int) Math.max(1, Math.min(1 << 22, batchBytes / perRow));
    EncodedBatches.Plan plan = new EncodedBatches.Plan(columns, maxBatchRows, Math.max(8, batchBytes),
        s.params().getValidateInput(), s.objective().classification() ? s.objective().numClasses() : -1,
        validationIndicator == null ? -1 : data.schema().fieldIndex(validationIndicator), validationIndicator,
        s.params().getSeed(), stats);
    return EncodedBatches.encode(data, plan, slices, s.stage() + " " + s.uid() + " encoded batches");
  }

  /**
   * A batch's place and size, or what its partition's encoding found wrong (then {@code batch} is
   * null, and {@code badRow} is the bad row's position in its input partition).
   */
  private record Described(DataMemory.Batch batch, int partition, String error, long badRow)
      implements java.io.Serializable {}

  /**
   * Where each encoded batch is and how large (rows, split and size; not the bytes): one job,
   * submitted now and awaited by {@link #batches}.
   */
  private static JavaFutureAction<List<Described>> describe(JavaRDD<EncodedPart> parts) {
    return parts.mapPartitions(it -> {
      List<Described> batches = new ArrayList<>();
      long bytes = 0;
      while (it.hasNext()) {
        EncodedPart e = it.next();
        if (e.error() != null) {
          batches.add(new Described(null, e.partition(), e.error(), e.badRow()));
          continue;
        }
        bytes = e.part() == 0 ? e.bytes().length : bytes + e.bytes().length;
        if (e.last()) {
          batches.add(new Described(new DataMemory.Batch(e.partition(), e.validation(), e.index(), e.rows(), bytes),
              e.partition(), null, -1));
        }
      }
      return batches.iterator();
    }).collectAsync();
  }

  /**
   * The batches {@link #describe} found, once its job has ended.
   *
   * @param inputPartitions the input's partitions (encoded partition {@code c} read input partition
   *     {@code c} modulo this)
   * @throws IllegalArgumentException naming the first bad row in input order
   */
  private static List<DataMemory.Batch> batches(JavaFutureAction<List<Described>> described, int inputPartitions)
      throws SparkException {
    List<Described> found;
    try {
      found = described.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      described.cancel(true);
      throw new IllegalStateException("Interrupted while the training data was being encoded.", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof SparkException se ? se : new SparkException(e.getCause().getMessage(), e.getCause());
    }
    found.stream().filter(d -> d.error() != null).min(java.util.Comparator.<Described>comparingInt(d -> d.partition()
        % inputPartitions).thenComparingLong(Described::badRow))
        .ifPresent(d -> {
          throw new IllegalArgumentException(d.error());
        });
    return found.stream().map(Described::batch).toList();
  }

  /**
   * The first IllegalArgumentException in the cause chain (bad input found by a task) or memory
   * error of a training task ({@link TaskOutOfMemory}), with its message on top; else {@code e}.
   */
  static RuntimeException unwrap(Exception e) {
    Throwable t = TaskOutOfMemory.inChain(e, c -> c instanceof IllegalArgumentException || c instanceof TaskOutOfMemory);
    if (t instanceof IllegalArgumentException iae) {
      return new IllegalArgumentException(iae.getMessage(), e);
    }
    if (t instanceof TaskOutOfMemory oom) {
      return new IllegalStateException(oom.getMessage(), e);
    }
    return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
  }
}
