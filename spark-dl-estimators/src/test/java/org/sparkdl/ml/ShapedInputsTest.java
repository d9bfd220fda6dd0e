package org.sparkdl.ml;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.testkit.SharedSpark;

/**
 * Vectors fed in the network's shape, channel normalisation, and sequences of steps or token ids
 * with their lengths, through fit and transform in local[2].
 */
@ExtendWith(SharedSpark.class)
class ShapedInputsTest {

  /** A small CNN over the blobs' 4 features seen as a 1x2x2 image. */
  static NetworkSpec blobCnn() {
    return NetworkSpec.builder().input("image", 1, 2, 2).conv2d(6, 2, c -> c.withPadding(Padding.of(1))).relu()
        .flatten().dense(3).build();
  }

  static NeuralNetworkClassifier classifier() {
    return new NeuralNetworkClassifier().setMaxEpochs(4).setBatchSize(32).setLearningRate(0.03).setSeed(5);
  }

  @Test
  void vectorsFeedAShapedInputWithOrWithoutInputShape(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 240, 8, 2);
    NeuralNetworkClassificationModel implicit = classifier().setNetwork(blobCnn()).fit(data);
    NeuralNetworkClassificationModel explicit = classifier().setNetwork(blobCnn()).setInputShape(1, 2, 2).fit(data);
    assertArrayEquals(implicit.weights(), explicit.weights());
    assertArrayEquals(new int[] {1, 2, 2}, explicit.getInputShape());
    assertTrue(TrainingFixtures.accuracy(explicit.transform(data)) > 0.9);
    for (String type : new String[] {"float32", "float64"}) {
      Dataset<Row> arrays = data.withColumn("features", vector_to_array(col("features"), type));
      NeuralNetworkClassificationModel fromArrays = classifier().setNetwork(blobCnn()).setInputShape(1, 2, 2).fit(arrays);
      assertArrayEquals(explicit.weights(), fromArrays.weights(), type);
      assertEquals(explicit.transform(data).select("prediction").collectAsList(),
          fromArrays.transform(arrays).select("prediction").collectAsList(), type);
    }
  }

  @Test
  void anInputShapeThatDisagreesWithTheNetworkFailsBeforeAnyJob(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 40, 8, 2);
    assertEquals("Param inputShape [4] does not match the network's input 'image' of shape [1, 2, 2]; leave inputShape"
        + " empty or make the two agree.", TrainingFixtures.schemaError(spark, classifier().setNetwork(blobCnn())
            .setInputShape(4), data));
    assertEquals("Param inputShape [1, 2, 3] holds 6 values; layers starts with 4 inputs.",
        TrainingFixtures.schemaError(spark, classifier().setLayers(4, 3).setInputShape(1, 2, 3), data));
    assertEquals("Param channelMean has 2 values; the input shape [1, 2, 2] has 1 channel.",
        TrainingFixtures.schemaError(spark, classifier().setLayers(4, 3).setInputShape(1, 2, 2).setChannelMean(0, 1), data));
    assertEquals("Param channelStd needs an input shape with the channels first ([channels, ...]); the input shape is [4]."
        + " Set inputShape, e.g. [1, 28, 28].", TrainingFixtures.schemaError(spark, classifier().setLayers(4, 3)
            .setChannelStd(2), data));
  }

  @Test
  void channelStatisticsTrainAsIfTheDataWereNormalised(SparkSession spark) {
    List<Row> raw = TrainingFixtures.blobRows(200, 9);
    float mean = 0.5f;
    float std = 2f;
    List<Row> normalised = new ArrayList<>();
    for (Row r : raw) {
      double[] x = ((Vector) r.get(1)).toArray().clone();
      for (int j = 0; j < x.length; j++) {
        x[j] = ((float) x[j] - mean) / std;
      }
      normalised.add(RowFactory.create(r.get(0), Vectors.dense(x)));
    }
    Dataset<Row> rawData = TrainingFixtures.frame(spark, raw, TrainingFixtures.SCHEMA, 2);
    Dataset<Row> normData = TrainingFixtures.frame(spark, normalised, TrainingFixtures.SCHEMA, 2);
    NeuralNetworkClassificationModel withParams = classifier().setLayers(4, 8, 3).setInputShape(1, 4).setChannelMean(0.5)
        .setChannelStd(2).fit(rawData);
    NeuralNetworkClassificationModel onNormalised = classifier().setLayers(4, 8, 3).fit(normData);
    assertArrayEquals(onNormalised.weights(), withParams.weights());
    assertArrayEquals(new double[] {0.5}, withParams.getChannelMean());
    List<Row> a = withParams.transform(rawData).select("rawPrediction").collectAsList();
    List<Row> b = onNormalised.transform(normData).select("rawPrediction").collectAsList();
    assertEquals(b, a);
  }

  /** Rows of 1 to 5 steps of 2 random values; label 1 when there are more than 2 steps. */
  static Dataset<Row> sequences(SparkSession spark, int n, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int steps = 1 + r.nextInt(5);
      float[][] seq = new float[steps][2];
      for (float[] step : seq) {
        step[0] = (float) r.nextGaussian();
        step[1] = (float) r.nextGaussian();
      }
      rows.add(RowFactory.create(steps > 2 ? 1.0 : 0.0, seq));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType)
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    return TrainingFixtures.frame(spark, rows, schema, 2);
  }

  /** {@code input} of {@code shape} and its lengths [1], joined and classified by a small MLP. */
  static NetworkSpec withLengths(int... shape) {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String seq = b.addInput("seq", shape);
    String len = b.addInput("lengths", 1);
    String flat = shape.length > 1 ? b.addFlatten("flat", seq) : seq;
    b.addConcat("joined", -1, flat, len);
    b.addDense("hidden", 16, "joined");
    b.addActivation("relu", "relu", "hidden");
    b.addDense("logits", 2, "relu");
    return b.build();
  }

  @Test
  void sequencesTrainWithTheirLengths(SparkSession spark) {
    Dataset<Row> data = sequences(spark, 300, 1);
    NeuralNetworkClassificationModel model = classifier().setMaxEpochs(15).setNetwork(withLengths(5, 2)).fit(data);
    assertArrayEquals(new int[0], model.getInputShape());
    assertTrue(TrainingFixtures.accuracy(model.transform(sequences(spark, 200, 2))) > 0.95, "the lengths decide the label");
  }

  @Test
  void tokenIdsTrainWithTheirLengths(SparkSession spark) {
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int[] ids = new int[1 + r.nextInt(6)];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = r.nextInt(10);
      }
      rows.add(RowFactory.create(ids.length > 3 ? 1.0 : 0.0, ids));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType)
        .add("features", DataTypes.createArrayType(DataTypes.IntegerType));
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, schema, 2);
    NeuralNetworkClassificationModel model = classifier().setMaxEpochs(15).setNetwork(withLengths(6)).setInputShape(6).fit(data);
    assertTrue(TrainingFixtures.accuracy(model.transform(data)) > 0.95);
  }

  @Test
  void badSequencesFailTheFitBeforeTraining(SparkSession spark) {
    Dataset<Row> data = sequences(spark, 40, 4).withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
    Dataset<Row> tooLong = data.withColumn("features", org.apache.spark.sql.functions.when(col("id").equalTo(3),
        org.apache.spark.sql.functions.array_repeat(col("features").getItem(0), 6)).otherwise(col("features")));
    assertEquals("Column 'features', row 3 of partition 0 (row 3 of the input, counting from 0 in partition order):"
        + " 6 steps; the input holds at most 5 (shape [5, 2]).",
        TrainingFixtures.fitError(spark, classifier().setNetwork(withLengths(5, 2)), tooLong.drop("id")));
    Dataset<Row> vectors = TrainingFixtures.blobs(spark, 40, 8, 2);
    assertEquals("The network reads a 'lengths' input, which only sequence columns (array<array<float>>,"
        + " array<array<double>>, array<int>, array<long>) give; column 'features' holds vectors.",
        TrainingFixtures.schemaError(spark, classifier().setNetwork(withLengths(4)), vectors));
  }
}
