package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.autograd.Tape;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testkit.ImageFiles;
import org.sparkdl.testkit.SharedSpark;
import org.sparkdl.train.Inference;

/** Models scoring shaped inputs: batch-norm buffers, input shapes, normalisation, images and sequences with lengths. */
@ExtendWith(SharedSpark.class)
class ShapedScoringTest {
  /** conv 2@3x3 (same), batch norm, relu, dense 3 over [1, 4, 4]. */
  static final NetworkSpec BN_CNN = NetworkSpec.builder().input("image", 1, 4, 4)
      .conv2d(2, 3, c -> c.withPadding(Padding.of(1))).batchNorm().relu().flatten().dense(3).build();

  /** Running means 0.5 and -0.25, running variances 2 and 0.5: far from the initial 0 and 1. */
  static final float[] BUFFERS = {0.5f, -0.25f, 2f, 0.5f};

  /** The rows' features, each 16 values, as the network sees them. */
  static float[] pixels(int rows) {
    float[] x = new float[rows * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.37);
    }
    return x;
  }

  static Dataset<Row> frame(SparkSession spark, float[] x, int width) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < x.length / width; r++) {
      double[] v = new double[width];
      for (int j = 0; j < width; j++) {
        v[j] = x[r * width + j];
      }
      rows.add(RowFactory.create((long) r, Vectors.dense(v)));
    }
    return ScoringFixtures.frame(spark, rows, ScoringFixtures.SCHEMA, 2);
  }

  /** The outputs of {@code spec} with {@code weights} and {@code buffers} on the local backend, inference mode. */
  static float[] local(NetworkSpec spec, float[] weights, float[] buffers, float[] x) {
    try (Network n = Network.uninitialised(spec, ExecutorBackends.host(), DType.FLOAT32)) {
      n.parameters().values().copyFrom(weights);
      if (buffers != null) {
        n.buffers().values().copyFrom(buffers);
      }
      return Inference.predict(n, x, n.inputShape(), 64);
    }
  }

  static void assertRows(float[] expected, List<double[]> actual, int width) {
    for (int r = 0; r < actual.size(); r++) {
      for (int j = 0; j < width; j++) {
        assertEquals(expected[r * width + j], actual.get(r)[j], 1e-5, "row " + r + ", output " + j);
      }
    }
  }

  @Test
  void aBatchNormModelScoresWithItsRunningStatistics(SparkSession spark) {
    float[] weights = ScoringFixtures.weights(BN_CNN, 3);
    float[] x = pixels(6);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassificationModel("bn", BN_CNN, weights, BUFFERS);
    assertArrayEquals(BUFFERS, model.buffers());
    List<double[]> raw = ScoringFixtures.vectors(model.transform(frame(spark, x, 16)), "rawPrediction");
    assertRows(local(BN_CNN, weights, BUFFERS, x), raw, 3);
    float[] defaults = local(BN_CNN, weights, null, x);
    assertFalse(Math.abs(defaults[0] - raw.get(0)[0]) < 1e-3, "initial statistics would score otherwise");
    double[] one = model.predictRaw(Vectors.dense(toDoubles(x, 0, 16))).toArray();
    assertArrayEquals(raw.get(0), one, 1e-6);
    assertEquals("NeuralNetworkClassificationModel: uid=bn, numClasses=3, numFeatures=16, parameters=" + weights.length
        + ", buffers=4", model.toString());
  }

  static double[] toDoubles(float[] x, int from, int n) {
    double[] d = new double[n];
    for (int j = 0; j < n; j++) {
      d[j] = x[from + j];
    }
    return d;
  }

  @Test
  void savingAndLoadingKeepsTheBuffers(SparkSession spark, @TempDir Path dir) {
    float[] weights = ScoringFixtures.weights(BN_CNN, 4);
    NeuralNetworkRegressionModel model = new NeuralNetworkRegressionModel("bnReg", BN_CNN, weights, BUFFERS);
    String path = dir.resolve("m").toUri().toString();
    try {
      model.write().save(path);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    NeuralNetworkRegressionModel loaded = NeuralNetworkRegressionModel.load(path);
    assertArrayEquals(BUFFERS, loaded.buffers());
    assertArrayEquals(weights, loaded.weights());
    Dataset<Row> data = frame(spark, pixels(5), 16);
    List<double[]> before = ScoringFixtures.vectors(model.transform(data), "prediction");
    List<double[]> after = ScoringFixtures.vectors(loaded.transform(data), "prediction");
    for (int r = 0; r < before.size(); r++) {
      assertArrayEquals(before.get(r), after.get(r), 0.0, "row " + r);
    }
    NeuralNetworkRegressionModel plain = ScoringFixtures.regressor("plain", 4, 2);
    assertEquals(0, plain.buffers().length);
  }

  @Test
  void buffersThatDoNotFitTheNetworkAreRefusedWhenLoaded() {
    ModelData data = ModelData.of(BN_CNN, ScoringFixtures.weights(BN_CNN, 1), new float[3]);
    try (Network n = Network.uninitialised(BN_CNN, ExecutorBackends.host(), DType.FLOAT32)) {
      assertEquals("The model holds 3 buffer values; its network [batch_norm_1.running_mean, batch_norm_1.running_var] has 4.",
          assertThrows(IllegalArgumentException.class, () -> data.loadInto(n)).getMessage());
    }
  }

  @Test
  void vectorsFillTheNetworksShapeAndTheInputShapeMustAgree(SparkSession spark) {
    float[] weights = ScoringFixtures.weights(BN_CNN, 5);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassificationModel("shape", BN_CNN, weights);
    model.setInputShape(1, 4, 4);
    Dataset<Row> data = frame(spark, pixels(3), 16);
    assertRows(local(BN_CNN, weights, null, pixels(3)), ScoringFixtures.vectors(model.transform(data), "rawPrediction"), 3);
    model.setInputShape(16);
    assertEquals("Param inputShape [16] does not match the network's input 'image' of shape [1, 4, 4]; leave inputShape empty"
        + " or make the two agree.", assertThrows(IllegalArgumentException.class, () -> model.transform(data)).getMessage());
  }

  @Test
  void channelStatisticsNormaliseTheFeaturesOfBothScoringPaths(SparkSession spark) {
    float[] weights = ScoringFixtures.weights(BN_CNN, 6);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassificationModel("norm", BN_CNN, weights, BUFFERS)
        .setChannelMean(0.25).setChannelStd(0.5);
    float[] x = pixels(4);
    float[] normalised = x.clone();
    for (int i = 0; i < x.length; i++) {
      normalised[i] = (x[i] - 0.25f) / 0.5f;
    }
    List<double[]> raw = ScoringFixtures.vectors(model.transform(frame(spark, x, 16)), "rawPrediction");
    assertRows(local(BN_CNN, weights, BUFFERS, normalised), raw, 3);
    assertArrayEquals(raw.get(1), model.predictRaw(Vectors.dense(toDoubles(x, 16, 16))).toArray(), 1e-6);
    assertEquals("Features have 15 values; the input layer expects 16.",
        assertThrows(IllegalArgumentException.class, () -> model.predictRaw(Vectors.dense(new double[15]))).getMessage());
    NeuralNetworkClassificationModel three = model.copy(new ParamMap().put(model.channelMean(), new double[] {1, 2, 3}));
    assertEquals("Param channelMean has 3 values; the input shape [1, 4, 4] has 1 channel.",
        assertThrows(IllegalArgumentException.class, () -> three.transformSchema(ScoringFixtures.SCHEMA)).getMessage());
    assertEquals("Param channelStd [0.0] is invalid: every value must be finite and > 0.",
        assertThrows(IllegalArgumentException.class, () -> model.setChannelStd(0)).getMessage());
    assertEquals("Param channelMean [NaN] is invalid: every value must be finite.",
        assertThrows(IllegalArgumentException.class, () -> model.setChannelMean(Double.NaN)).getMessage());
    assertEquals("Param inputShape [1, 0] is invalid: at most 8 dimensions, each > 0.",
        assertThrows(IllegalArgumentException.class, () -> model.setInputShape(1, 0)).getMessage());
  }

  @Test
  void imagesFromTheImageSourceAreScored(SparkSession spark, @TempDir Path dir) {
    NetworkSpec rgb = NetworkSpec.builder().input("image", 3, 2, 2).conv2d(2, 1).relu().flatten().dense(2).build();
    float[] weights = ScoringFixtures.weights(rgb, 7);
    ImageFiles.write(ImageFiles.colour(2, 2, 10), "png", dir.resolve("a.png"));
    ImageFiles.write(ImageFiles.colour(2, 2, 70), "png", dir.resolve("b.png"));
    Dataset<Row> images = spark.read().format("image").load(dir.toString()).withColumnRenamed("image", "features")
        .withColumn("id", functions.when(functions.col("features.origin").endsWith("a.png"), 0L).otherwise(1L));
    NeuralNetworkClassificationModel model = new NeuralNetworkClassificationModel("img", rgb, weights);
    float[] expected = local(rgb, weights, null, concat(ImageFiles.channelsFirst(ImageFiles.colour(2, 2, 10), 3),
        ImageFiles.channelsFirst(ImageFiles.colour(2, 2, 70), 3)));
    assertRows(expected, ScoringFixtures.vectors(model.transform(images), "rawPrediction"), 2);
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** seq [3, 2] flattened and joined with lengths [1], then dense 2. */
  static NetworkSpec sequenceNetwork() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String seq = b.addInput("seq", 3, 2);
    String len = b.addInput("lengths", 1);
    b.addConcat("joined", -1, b.addFlatten("flat", seq), len);
    b.addDense("out", 2, "joined");
    return b.build();
  }

  @Test
  void sequencesAreScoredWithTheirLengths(SparkSession spark) {
    NetworkSpec spec = sequenceNetwork();
    float[] weights = ScoringFixtures.weights(spec, 8);
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    List<Row> rows = List.of(RowFactory.create(0L, new float[][] {{1, 2}}), RowFactory.create(1L, new float[][] {{3, 4}, {5, 6},
        {7, 8}}));
    NeuralNetworkRegressionModel model = new NeuralNetworkRegressionModel("seq", spec, weights);
    List<double[]> out = ScoringFixtures.vectors(model.transform(ScoringFixtures.frame(spark, rows, schema, 2)), "prediction");
    float[] padded = {1, 2, 0, 0, 0, 0, 3, 4, 5, 6, 7, 8};
    try (Network n = Network.uninitialised(spec, ExecutorBackends.host(), DType.FLOAT32);
        Scope s = ExecutorBackends.host().openScope("expected")) {
      n.parameters().values().copyFrom(weights);
      Tape tape = new Tape(s, false, 0);
      Tensor x = s.of(DType.FLOAT32, Shape.of(2, 3, 2), padded);
      Tensor len = s.of(DType.FLOAT32, Shape.of(2, 1), new float[] {1, 3});
      float[] expected = n.forward(Map.of("seq", tape.constant(x), "lengths", tape.constant(len))).get("out").value()
          .toFloatArray();
      assertRows(expected, out, 2);
    }
    StructType vectors = new StructType().add("features", SQLDataTypes.VectorType());
    assertEquals("The network reads a 'lengths' input, which only sequence columns (array<array<float>>,"
        + " array<array<double>>, array<int>, array<long>) give; column 'features' holds vectors.",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(vectors)).getMessage());
  }
}
