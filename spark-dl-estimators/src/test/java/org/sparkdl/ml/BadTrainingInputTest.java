package org.sparkdl.ml;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.SharedSpark;

/**
 * Every kind of bad training input fails the fit with a message naming the column, what was
 * expected and what was found (and, for bad values, the first bad row), before a training round
 * runs, with no data left cached and nothing written to the checkpoint directory.
 *
 * <p>The data: 40 rows in two partitions, rows 0-19 in partition 0 and 20-39 in partition 1.
 */
@ExtendWith(SharedSpark.class)
class BadTrainingInputTest {
  @TempDir
  Path dir;

  NeuralNetworkClassifier classifier() {
    return new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(2).setBatchSize(16)
        .setCheckpointDir(checkpoints());
  }

  String checkpoints() {
    return dir.resolve("checkpoints").toUri().toString();
  }

  @AfterEach
  void nothingWasWritten() {
    assertFalse(Files.exists(dir.resolve("checkpoints")), "a failed fit wrote checkpoints");
  }

  /** The 40 blob rows with row {@code index} replaced by {@code bad}. */
  static Dataset<Row> withRow(SparkSession spark, int index, Row bad) {
    List<Row> rows = new ArrayList<>(TrainingFixtures.blobRows(40, 3));
    rows.set(index, bad);
    return TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA, 2);
  }

  static Dataset<Row> blobs(SparkSession spark) {
    return TrainingFixtures.blobs(spark, 40, 3, 2);
  }

  @Test
  void aMissingFeaturesColumnIsNamedWithTheColumnsThereAre(SparkSession spark) {
    Dataset<Row> data = blobs(spark).withColumnRenamed("features", "x");
    assertEquals("Column 'features' does not exist; columns: label, x.", TrainingFixtures.schemaError(spark, classifier(), data));
  }

  @Test
  void aMissingLabelColumnIsNamedWithTheColumnsThereAre(SparkSession spark) {
    Dataset<Row> data = blobs(spark).drop("label");
    assertEquals("Column 'label' does not exist; columns: features.", TrainingFixtures.schemaError(spark, classifier(), data));
  }

  @Test
  void featuresOfTheWrongTypeAreRefused(SparkSession spark) {
    Dataset<Row> strings = blobs(spark).withColumn("features", lit("1,2,3,4"));
    assertEquals("Column 'features' has type string; expected a Vector, array<float>, array<double>, a number, an image struct"
        + " (Spark's image source), binary (encoded images), array<array<float>> or array<array<double>> (sequences),"
        + " array<int> or array<long> (token ids).", TrainingFixtures.schemaError(spark, classifier(), strings));
    Dataset<Row> labels = blobs(spark).withColumn("label", lit("cat"));
    assertEquals("Column 'label' has type string; expected a number (byte, short, int, long, float, double or decimal).",
        TrainingFixtures.schemaError(spark, classifier(), labels));
  }

  @Test
  void featuresDeclaredWiderThanTheInputLayerAreRefused(SparkSession spark) {
    Dataset<Row> five = new VectorAssembler().setInputCols(new String[] {"a", "b", "c", "d", "e"}).setOutputCol("features")
        .transform(spark.range(10).selectExpr("cast(0 as double) as label", "id * 1.0 as a", "1.0 as b", "2.0 as c", "3.0 as d", "4.0 as e"));
    assertEquals("Column 'features' declares 5 values in its metadata; the input layer expects 4.",
        TrainingFixtures.schemaError(spark, classifier(), five));
  }

  @Test
  void nullFeaturesAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 27, RowFactory.create(0.0, null));
    assertEquals("Column 'features', row 7 of partition 1 (row 27 of the input, counting from 0 in partition order):"
        + " null; expected a vector of 4 values.",
        TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void nanFeaturesAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 5, RowFactory.create(2.0, Vectors.dense(1, 2, Double.NaN, 4)));
    assertEquals("Column 'features', row 5 of partition 0 (row 5 of the input, counting from 0 in partition order):"
        + " NaN at index 2.", TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void aBadRowReadFromAFileIsNamedByTheFileAndItsRowThere(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 27, RowFactory.create(0.0, Vectors.dense(1, 2, 3)));
    String path = dir.resolve("input.parquet").toUri().toString();
    data.write().parquet(path);   // two files: rows 0-19 and rows 20-39
    String message = TrainingFixtures.fitError(spark, classifier(), spark.read().parquet(path));
    assertTrue(message.matches("Column 'features', row \\d+ of partition \\d+: 3 values; the input layer expects 4\\."
        + " \\(input file file:.*/input\\.parquet/part-00001-[^ ]*\\.parquet, row 7 of the file, counting from 0\\)"),
        message);
  }

  @Test
  void aOneFileInputDealtToBothTaskSlotsStillNamesItsFirstBadRowInTheFile(SparkSession spark) {
    // one partition in local[2] is dealt to two tasks, row by row: row 4 goes to the first, row 3 to the second; the
    // error names row 3, the first in the file, and where it is in the file, as without dealing
    List<Row> rows = new ArrayList<>(TrainingFixtures.blobRows(40, 3));
    rows.set(3, RowFactory.create(0.0, Vectors.dense(1, 2, 3)));
    rows.set(4, RowFactory.create(0.0, Vectors.dense(1, 2)));
    String path = dir.resolve("one.parquet").toUri().toString();
    TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA, 1).write().parquet(path);
    String message = TrainingFixtures.fitError(spark, classifier(), spark.read().parquet(path));
    assertTrue(message.matches("Column 'features', row 3 of partition 0: 3 values; the input layer expects 4\\."
        + " \\(input file file:.*/one\\.parquet/part-00000-[^ ]*\\.parquet, row 3 of the file, counting from 0\\)"),
        message);
  }

  @Test
  void vectorsOfTheWrongSizeAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 33, RowFactory.create(0.0, Vectors.dense(1, 2, 3)));
    assertEquals("Column 'features', row 13 of partition 1 (row 33 of the input, counting from 0 in partition order):"
        + " 3 values; the input layer expects 4.",
        TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void theFirstBadRowOfAPartitionIsTheOneReported(SparkSession spark) {
    List<Row> rows = new ArrayList<>(TrainingFixtures.blobRows(40, 3));
    for (int i : new int[] {3, 8, 12, 16, 19}) {
      rows.set(i, RowFactory.create(0.0, Vectors.dense(1, 2, 3)));
    }
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA, 2);
    assertEquals("Column 'features', row 3 of partition 0 (row 3 of the input, counting from 0 in partition order):"
        + " 3 values; the input layer expects 4.",
        TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void negativeLabelsAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 4, RowFactory.create(-1.0, Vectors.dense(1, 2, 3, 4)));
    assertEquals("Column 'label', row 4 of partition 0 (row 4 of the input, counting from 0 in partition order):"
        + " -1.0 is"
        + " outside [0, 3) for 3 classes. Index labels with StringIndexer.",
        TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void nonIntegerLabelsAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 28, RowFactory.create(1.5, Vectors.dense(1, 2, 3, 4)));
    assertEquals("Column 'label', row 8 of partition 1 (row 28 of the input, counting from 0 in partition order):"
        + " 1.5 is not a class index (an integer in [0, 3))."
        + " Index labels with StringIndexer.", TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void labelsNotBelowTheNumberOfClassesAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 17, RowFactory.create(10.0, Vectors.dense(1, 2, 3, 4)));
    assertEquals("Column 'label', row 17 of partition 0 (row 17 of the input, counting from 0 in partition order):"
        + " 10.0 is"
        + " outside [0, 10) for 10 classes: the network's output layer has 10 units, one per class. If there are 11 or"
        + " more classes, widen the output layer; otherwise index the labels with StringIndexer.",
        TrainingFixtures.fitError(spark, classifier().setLayers(4, 8, 10), data));
    Dataset<Row> three = withRow(spark, 20, RowFactory.create(3.0, Vectors.dense(1, 2, 3, 4)));
    assertEquals("Column 'label', row 0 of partition 1 (row 20 of the input, counting from 0 in partition order):"
        + " 3.0 is"
        + " outside [0, 3) for 3 classes: the network's output layer has 3 units, one per class. If there are 4 or more"
        + " classes, widen the output layer; otherwise index the labels with StringIndexer.",
        TrainingFixtures.fitError(spark, classifier(), three));
  }

  @Test
  void nullLabelsAreReportedWithTheirRow(SparkSession spark) {
    Dataset<Row> data = withRow(spark, 3, RowFactory.create(null, Vectors.dense(1, 2, 3, 4)));
    assertEquals("Column 'label', row 3 of partition 0 (row 3 of the input, counting from 0 in partition order):"
        + " null; expected a class index in [0, 3).",
        TrainingFixtures.fitError(spark, classifier(), data));
  }

  @Test
  void anEmptyDataFrameIsRefused(SparkSession spark) {
    Dataset<Row> empty = spark.createDataFrame(List.of(), TrainingFixtures.SCHEMA);
    assertEquals("The training data is empty: no rows to fit.", TrainingFixtures.fitError(spark, classifier(), empty));
    Dataset<Row> allValidation = blobs(spark).withColumn("isVal", lit(true));
    assertEquals("The training data is empty: no rows to fit (every row is marked for validation).",
        TrainingFixtures.fitError(spark, classifier().setValidationIndicatorCol("isVal"), allValidation));
  }

  @Test
  void negativeWeightsAreReportedWithTheirRow(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Row r : TrainingFixtures.blobRows(40, 3)) {
      rows.add(RowFactory.create(r.get(0), r.get(1), rows.size() == 23 ? -0.5 : 1.0));
    }
    StructType schema = TrainingFixtures.SCHEMA.add("w", DataTypes.DoubleType);
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, schema, 2);
    assertEquals("Column 'w', row 3 of partition 1 (row 23 of the input, counting from 0 in partition order):"
        + " -0.5 is negative; weights must be >= 0.",
        TrainingFixtures.fitError(spark, classifier().setWeightCol("w"), data));
    assertEquals("Column 'weight' does not exist; columns: label, features, w.",
        TrainingFixtures.schemaError(spark, classifier().setWeightCol("weight"), data));
  }

  @Test
  void aValidationIndicatorThatIsNotBooleanIsRefused(SparkSession spark) {
    Dataset<Row> data = blobs(spark).withColumn("isVal", lit(1));
    assertEquals("Column 'isVal' (validationIndicatorCol) has type int; expected boolean.",
        TrainingFixtures.schemaError(spark, classifier().setValidationIndicatorCol("isVal"), data));
    assertEquals("Column 'held' does not exist; columns: label, features, isVal.",
        TrainingFixtures.schemaError(spark, classifier().setValidationIndicatorCol("held"), data));
  }

  @Test
  void badRowsAreNumberedAsInTheInputWhenAValidationSplitIsSet(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    List<Row> blobs = TrainingFixtures.blobRows(40, 3);
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(blobs.get(i).get(0), i == 9 ? Vectors.dense(1, 2, 3) : blobs.get(i).get(1), i % 4 == 0));
    }
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA.add("isVal", DataTypes.BooleanType), 2);
    assertEquals("Column 'features', row 9 of partition 0 (row 9 of the input, counting from 0 in partition order):"
        + " 3 values; the input layer expects 4.",
        TrainingFixtures.fitError(spark, classifier().setValidationIndicatorCol("isVal"), data));
  }

  @Test
  void aNullValidationIndicatorIsABadRow(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    List<Row> blobs = TrainingFixtures.blobRows(40, 3);
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(blobs.get(i).get(0), blobs.get(i).get(1), i == 23 ? null : i % 4 == 0));
    }
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, TrainingFixtures.SCHEMA.add("isVal", DataTypes.BooleanType), 2);
    assertEquals("Column 'isVal', row 3 of partition 1 (row 23 of the input, counting from 0 in partition order):"
        + " null; expected true (validation) or false (training).",
        TrainingFixtures.fitError(spark, classifier().setValidationIndicatorCol("isVal"), data));
  }

  @Test
  void aClassifierNetworkMustEndInLogits(SparkSession spark) {
    NetworkSpec softmax = NetworkSpec.builder().input("features", 4).dense(8).relu().dense(3).softmax().build();
    assertEquals("The network ends in softmax (layer 'softmax_1'); a classifier's network must output logits. Remove that layer:"
        + " the classifier applies softmax itself.", TrainingFixtures.schemaError(spark, classifier().setNetwork(softmax), blobs(spark)));
    NetworkSpec one = NetworkSpec.mlp(new int[] {4, 8, 1}, "relu");
    assertEquals("A classifier's network must output one logit per class ([classes] with classes >= 2); this one outputs [1].",
        TrainingFixtures.schemaError(spark, classifier().setNetwork(one.toJson()), blobs(spark)));
    assertEquals("Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.",
        TrainingFixtures.schemaError(spark, new NeuralNetworkClassifier(), blobs(spark)));
  }

  @Test
  void thresholdsMustMatchTheNumberOfClasses(SparkSession spark) {
    assertEquals("Param thresholds has 2 values; the model has 3 classes.",
        TrainingFixtures.schemaError(spark, classifier().setThresholds(new double[] {0.5, 0.5}), blobs(spark)));
  }

  @Test
  void aRegressionTargetMustHaveTheOutputWidth(SparkSession spark) {
    NeuralNetworkRegressor twoOutputs = new NeuralNetworkRegressor().setLayers(4, 8, 2).setMaxEpochs(2).setCheckpointDir(checkpoints());
    assertEquals("Column 'label' holds one number per row; the output layer expects 2 values.",
        TrainingFixtures.schemaError(spark, twoOutputs, blobs(spark)));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Vector y = i == 26 ? Vectors.dense(1, 2, 3) : Vectors.dense(i, -i);
      rows.add(RowFactory.create(y, Vectors.dense(i, 1, 2, 3)));
    }
    StructType schema = new StructType().add("label", SQLDataTypes.VectorType()).add("features", SQLDataTypes.VectorType());
    assertEquals("Column 'label', row 6 of partition 1 (row 26 of the input, counting from 0 in partition order):"
        + " 3 values; the output layer expects 2.",
        TrainingFixtures.fitError(spark, twoOutputs, TrainingFixtures.frame(spark, rows, schema, 2)));
  }
}
