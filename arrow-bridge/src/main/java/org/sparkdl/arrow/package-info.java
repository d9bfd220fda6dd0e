/**
 * Between Spark rows and tensors, through Apache Arrow.
 *
 * <p><b>Training.</b> On the driver, {@link org.sparkdl.arrow.TrainingColumns} resolves and
 * type-checks the features, label or target, and weight columns ({@link
 * org.sparkdl.arrow.InputColumn}). On the executors, a {@link org.sparkdl.arrow.BatchEncoder}
 * converts each partition once into Arrow record batches of float32 values, validating every row,
 * and serializes each batch as Arrow IPC bytes for Spark to persist; every epoch then reads them
 * back with {@link org.sparkdl.arrow.ArrowBatch}, whose columns are tensors viewing the Arrow
 * memory without a copy.
 *
 * <p><b>Shaped inputs.</b> A {@link org.sparkdl.arrow.FeatureInput} says how the features column
 * fills the network's input: vectors and arrays in any shape of their width, the struct of Spark's
 * image source and encoded images ({@code binaryFile}) decoded to {@code [C, H, W]} in [0, 1] with
 * optional per-channel normalisation, and sequences of steps or token ids zero-padded to {@code
 * [T, F]} or {@code [T]}, with each row's length for a {@code lengths} input. The decoders run on the
 * executors, once per row, as part of the validating pass.
 *
 * <p><b>Scoring.</b> A {@link org.sparkdl.arrow.BatchScorer} turns a partition's rows into lazy
 * batches of features in a reused off-heap buffer, runs a {@link org.sparkdl.arrow.BatchFunction}
 * on each, and appends {@link org.sparkdl.arrow.PredictionColumns} to every row.
 *
 * <p><b>Memory.</b> All Arrow memory comes from one root allocator per JVM ({@link
 * org.sparkdl.arrow.ArrowMemory}); each batch, encoder and scorer owns a child allocator and closes
 * it, so a leak fails at the close that should have freed it. Tensors over Arrow memory are
 * borrowed ({@link org.sparkdl.arrow.ArrowTensors}): they free nothing and are revoked when their
 * memory goes, after which using them throws {@link java.lang.IllegalStateException}.
 *
 * <p><b>Errors.</b> Bad columns are reported on the driver; bad rows from the task, as an {@link
 * java.lang.IllegalArgumentException} naming the column, the row's position in its partition
 * (0-based), the partition, and what was expected and found, e.g. {@code Column 'features', row
 * 1204 of partition 3: 783 values; the input layer expects 784.}
 */
package org.sparkdl.arrow;
