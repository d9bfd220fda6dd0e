package org.sparkdl.ml;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparkdl.arrow.BatchEncoder;
import org.sparkdl.arrow.BatchSink;
import org.sparkdl.arrow.InternalRowView;
import org.sparkdl.arrow.Parts;
import org.sparkdl.arrow.TrainingColumns;

/**
 * A fit's encoding pass: each partition streams once through two {@link BatchSink}s (training and
 * validation rows), and every batch goes into the persisted RDD as soon as it is full, as a run of
 * {@link EncodedPart}s.
 * Each row is checked as it passes (class label, validation flag, then its values), so an error
 * names the first bad row in input order; no copy of a partition's rows is held, and Spark can
 * cache or spill the encoded partition batch by batch.
 *
 * <p>Input with fewer partitions than the executors have task slots is dealt out: each input
 * partition is read by {@code slices} passes, pass {@code s} keeping the rows whose position in
 * the partition is {@code s} modulo {@code slices}, so that every slot trains. Each pass still
 * follows every row of its partition, so a bad row is named by its input file and row there (or
 * its row in the input partition), as without dealing.
 */
final class EncodedBatches {
  private EncodedBatches() {}

  /** What the pass needs besides the rows; serializable, sent to the executors. */
  record Plan(TrainingColumns columns, int maxBatchRows, long maxBatchBytes, boolean validate, int classes,
      int indicatorIndex, String indicatorName, long seed, EncodingStats stats) implements java.io.Serializable {}

  /**
   * The largest |value| of each feature of a {@code Vector} features column over a partition's
   * training rows (one value for all when the column is wider than this), for the driver's hint on
   * features of very different scales.
   */
  static final int SCALE_COLUMNS = 4096;

  /**
   * Encodes and persists every partition of {@code data}, each dealt to {@code slices} encoded
   * partitions (1: as it is); nothing runs until the RDD is computed. Encoded partition
   * {@code s * n + p} holds slice {@code s} of input partition {@code p} of {@code n}.
   */
  static JavaRDD<EncodedPart> encode(Dataset<Row> data, Plan plan, int slices, String name) {
    // Spark's internal rows, not Rows: a vector is read where Spark keeps it rather than copied into a new double[]
    JavaRDD<InternalRow> input = data.queryExecution().toRdd().toJavaRDD();
    StructType schema = data.schema();
    int n = input.getNumPartitions();
    List<JavaRDD<EncodedPart>> dealt = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      int slice = s;
      dealt.add(input.mapPartitionsWithIndex((p, rows) -> new Pass(plan, slice * n + p, p, slice, slices,
          InternalRowView.over(schema, rows)), true));
    }
    JavaRDD<EncodedPart> batches = slices == 1 ? dealt.get(0)
        : JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext()).union(dealt.toArray(JavaRDD[]::new));
    batches.setName(name);
    return batches.persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * One {@link Shard} per partition of {@code encoded}: its training batches, or its validation
   * batches, in order (the per-round path reads a partition's batches together).
   */
  static JavaRDD<Shard> shards(JavaRDD<EncodedPart> encoded, boolean validation) {
    return encoded.mapPartitionsWithIndex((p, it) -> {
      TreeMap<Integer, List<byte[]>> parts = new TreeMap<>();
      TreeMap<Integer, Integer> rows = new TreeMap<>();
      it.forEachRemaining(e -> {
        if (e.validation() == validation) {
          List<byte[]> batch = parts.computeIfAbsent(e.index(), i -> new ArrayList<>());
          checkOrder(e, batch.size());
          batch.add(e.bytes());
          rows.put(e.index(), e.rows());
        }
      });
      byte[][] bytes = new byte[parts.size()][];
      int[] counts = new int[parts.size()];
      int i = 0;
      for (Map.Entry<Integer, List<byte[]>> b : parts.entrySet()) {
        bytes[i] = Parts.join(b.getValue().toArray(new byte[0][]));
        counts[i++] = rows.get(b.getKey());
      }
      return List.of(new Shard(p, bytes, counts)).iterator();
    }, true);
  }

  /**
   * Fails unless {@code e} is part {@code expected} of its batch: a batch's parts come in order,
   * one run per batch, as the encoding pass made them.
   */
  static void checkOrder(EncodedPart e, int expected) {
    if (e.part() != expected) {
      throw new IllegalStateException("Part " + e.part() + " of batch " + e.index() + " of the "
          + (e.validation() ? "validation" : "training") + " split of partition " + e.partition() + " came where part "
          + expected + " was expected.");
    }
  }

  /** The encoding of one partition, a batch at a time. */
  private static final class Pass implements Iterator<EncodedPart> {
    private final Plan plan;
    /** The encoded partition this pass fills. */
    private final int partition;
    /** The input partition it reads, for messages. */
    private final int input;
    /** The rows it keeps: those at {@code slice} modulo {@code slices} in the input partition. */
    private final int slice;
    private final int slices;
    private final Iterator<Row> rows;
    private final BatchSink train;
    private final BatchSink valid;
    private final ArrayDeque<EncodedPart> ready = new ArrayDeque<>();
    private long position;
    private boolean finished;
    /** Training rows per class, for a classifier: reported once the partition is encoded. */
    private final long[] classCounts;
    /** Largest |value| per feature of the training rows (null unless the features are a Vector column). */
    private final double[] scale;
    /** Where the current row is in its input file, for messages. */
    private final org.sparkdl.arrow.InputFilePosition file = new org.sparkdl.arrow.InputFilePosition();

    Pass(Plan plan, int partition, int input, int slice, int slices, Iterator<Row> rows) {
      this.plan = plan;
      this.partition = partition;
      this.input = input;
      this.slice = slice;
      this.slices = slices;
      this.rows = rows;
      BatchEncoder encoder = new BatchEncoder(plan.columns(), plan.maxBatchRows(), plan.validate(), plan.maxBatchBytes());
      // messages name the input partition; the shuffle is seeded by the encoded one
      this.train = encoder.sink(input, plan.seed() * 7_919L + partition);
      this.valid = plan.indicatorIndex() < 0 ? null : encoder.sink(input, plan.seed() * 7_919L + partition + 104_729L);
      // the last entry names the (encoded) partition, so that a retried task's counts are taken once
      this.classCounts = plan.stats().classCounts() != null ? new long[plan.classes() + 1] : null;
      if (classCounts != null) {
        classCounts[plan.classes()] = partition;
      }
      org.sparkdl.arrow.InputColumn f = plan.columns().features();
      this.scale = f.kind() == org.sparkdl.arrow.InputColumn.Kind.VECTOR
          ? new double[plan.columns().featureWidth() <= SCALE_COLUMNS ? plan.columns().featureWidth() : 1] : null;
    }

    /**
     * Folds a training row's features into {@link #scale}. Non-finite values are the validation's to
     * report: skipped here, but for a dense row's, which the vectorised loop takes in (see there).
     */
    private void measure(Row row) {
      int i = plan.columns().features().index();
      if (row.isNullAt(i)) {
        return;
      }
      boolean perColumn = scale.length > 1;
      int[] indices;
      double[] values;
      int n;
      if (row instanceof InternalRowView view && view.isVector(i)) {
        // a dense row's values are the copy the column reader then writes from
        ArrayData sparse = view.vectorIndices(i);
        indices = sparse == null ? null : sparse.toIntArray();
        values = sparse == null ? view.denseValues(i) : view.vectorValues(i).toDoubleArray();
        n = view.vectorValues(i).numElements();
      } else if (row.get(i) instanceof org.apache.spark.ml.linalg.Vector vector) {
        indices = vector instanceof org.apache.spark.ml.linalg.SparseVector sv ? sv.indices() : null;
        values = vector instanceof org.apache.spark.ml.linalg.SparseVector sv ? sv.values() : vector.toArray();
        n = values.length;
      } else {
        return;
      }
      if (perColumn && indices == null) {
        // a dense row, the usual case, in a loop HotSpot vectorises (2.7x faster than skipping non-finite values one
        // by one). It takes them in: with validation on they fail the fit anyway; with it off, an infinity shows as an
        // infinite scale (which the hint reports) and a NaN takes its feature out of the hint
        for (int k = 0; k < Math.min(n, scale.length); k++) {
          scale[k] = Math.max(scale[k], Math.abs(values[k]));
        }
        return;
      }
      for (int k = 0; k < n; k++) {
        double a = Math.abs(values[k]);
        int at = perColumn ? (indices == null ? k : indices[k]) : 0;
        if (at < scale.length && a > scale[at] && a <= Double.MAX_VALUE) {
          scale[at] = a;
        }
      }
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && !finished) {
        step();
      }
      return !ready.isEmpty();
    }

    @Override
    public EncodedPart next() {
      if (!hasNext()) {
        throw new NoSuchElementException("No more batches in partition " + partition + ".");
      }
      return ready.poll();
    }

    /** Encodes rows until a batch is full or the partition ends. */
    private void step() {
      try {
        while (ready.isEmpty() && rows.hasNext()) {
          Row row = rows.next();
          long r = position++;
          file.next();
          if (slices > 1 && r % slices != slice) {
            continue;
          }
          int label = plan.classes() > 0 ? checkLabel(row, r) : -1;
          boolean validation = plan.indicatorIndex() >= 0 && isValidation(row, r);
          if (classCounts != null && !validation) {
            classCounts[label]++;
          }
          if (scale != null && !validation) {
            measure(row);
          }
          BatchSink sink = validation ? valid : train;
          sink.add(row, r);
          offer(sink.take(), validation);
        }
        if (ready.isEmpty()) {
          finished = true;
          if (classCounts != null) {
            plan.stats().classCounts().add(classCounts);
          }
          if (scale != null) {
            plan.stats().featureScale().add(scale);
          }
          offer(train.finish(), false);
          if (valid != null) {
            offer(valid.finish(), true);
          }
        }
      } catch (RuntimeException | OutOfMemoryError e) {
        finished = true;
        train.close();
        if (valid != null) {
          valid.close();
        }
        if (e instanceof OutOfMemoryError || e instanceof org.apache.arrow.memory.OutOfMemoryException) {
          throw new TaskOutOfMemory("Encoding partition " + input + " of the training data ran out of "
              + (e instanceof OutOfMemoryError ? "heap" : "Arrow (off-heap)") + " memory at row " + position + " ("
              + e.getMessage() + "). Lower " + DistributedTrainer.BATCH_BYTES_CONF + " (a task builds one batch of up to that"
              + " many bytes at a time) or raise spark.executor.memory.", e);
        }
        if (e instanceof IllegalArgumentException bad) {
          // reported to the driver as data, not thrown: a thrown error would be logged as a failed task, retried
          ready.clear();
          ready.add(EncodedPart.failure(partition, position - 1, file.locate(bad).getMessage()));
          return;
        }
        throw (RuntimeException) e;
      }
    }

    private void offer(BatchSink.Batch b, boolean validation) {
      if (b != null) {
        byte[][] parts = b.parts();
        for (int i = 0; i < parts.length; i++) {
          ready.add(new EncodedPart(partition, validation, b.index(), b.rows(), i, parts.length, parts[i]));
        }
      }
    }

    private boolean isValidation(Row row, long r) {
      int index = plan.indicatorIndex();
      if (row.isNullAt(index)) {
        throw new IllegalArgumentException("Column '" + plan.indicatorName() + "', row " + r + " of partition " + input
            + ": null; expected true (validation) or false (training).");
      }
      return row.getBoolean(index);
    }

    /** The row's class index, checked. */
    private int checkLabel(Row row, long r) {
      int classes = plan.classes();
      Object v = row.get(plan.columns().target().index());
      if (v != null) {
        double d = ((Number) v).doubleValue();
        if (d >= 0 && d < classes && d == Math.rint(d)) {
          return (int) d;
        }
      }
      String where = "Column '" + plan.columns().target().name() + "', row " + r + " of partition " + input + ": ";
      if (v == null) {
        throw new IllegalArgumentException(where + "null; expected a class index in [0, " + classes + ").");
      }
      double d = ((Number) v).doubleValue();
      if (d >= classes && d == Math.rint(d) && d < Integer.MAX_VALUE) {
        throw new IllegalArgumentException(where + d + " is outside [0, " + classes + ") for " + classes + " classes: the"
            + " network's output layer has " + classes + " units, one per class. If there are " + ((long) d + 1) + " or more"
            + " classes, widen the output layer; otherwise index the labels with StringIndexer.");
      }
      if (!(d >= 0 && d < classes)) {
        throw new IllegalArgumentException(where + d + " is outside [0, " + classes + ") for " + classes
            + " classes. Index labels with StringIndexer.");
      }
      throw new IllegalArgumentException(where + d + " is not a class index (an integer in [0, " + classes
          + ")). Index labels with StringIndexer.");
    }
  }
}
