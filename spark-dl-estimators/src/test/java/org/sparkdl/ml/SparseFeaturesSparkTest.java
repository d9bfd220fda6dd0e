package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.spark.ml.linalg.SQLDataTypes;
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
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.testkit.SharedSpark;

/**
 * Sparse features through the estimator: encoded and trained as sparse rows, scored as sparse rows,
 * learning what the same rows densified teach, in both execution paths, and chosen by default for
 * a wide Vector column.
 */
@ExtendWith(SharedSpark.class)
class SparseFeaturesSparkTest {
  private static final StructType SCHEMA = new StructType().add("features", SQLDataTypes.VectorType())
      .add("label", DataTypes.DoubleType);

  /** Rows of {@code width} with 1 to 3 non-zeros; the class is where the first one falls (thirds of the width). */
  private static Dataset<Row> rows(SparkSession spark, int n, int width, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(3);
      int k = 1 + r.nextInt(3);
      java.util.TreeMap<Integer, Double> entries = new java.util.TreeMap<>();
      entries.put(label * (width / 3) + r.nextInt(width / 3), 1.0 + r.nextDouble());
      while (entries.size() < k) {
        entries.put(r.nextInt(width), 0.5 * r.nextGaussian());
      }
      Vector v = Vectors.sparse(width, entries.keySet().stream().mapToInt(Integer::intValue).toArray(),
          entries.values().stream().mapToDouble(Double::doubleValue).toArray());
      rows.add(RowFactory.create(v, (double) label));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  /** A softmax regression of {@code width} inputs, weights starting at zero, its input sparse or not. */
  private static String network(int width, boolean sparse) {
    return "{\"format_version\": 1, \"inputs\": [{\"name\": \"features\", \"shape\": [" + width + "]"
        + (sparse ? ", \"sparse\": true" : "") + "}], \"layers\": [{\"type\": \"dense\", \"name\": \"out\", \"units\": 3,"
        + " \"init\": \"zeros\"}]}";
  }

  private static NeuralNetworkClassifier classifier(String json) {
    return new NeuralNetworkClassifier().setNetwork(json).setOptimizer("sgd").setLearningRate(0.5).setMaxEpochs(4)
        .setBatchSize(16).setSeed(3);
  }

  private static double[] probabilities(NeuralNetworkClassificationModel m, Dataset<Row> data) {
    return m.transform(data).select("probability").collectAsList().stream()
        .flatMapToDouble(r -> java.util.Arrays.stream(((Vector) r.get(0)).toArray())).toArray();
  }

  @Test
  void sparseRowsTrainAndScoreAsTheSameRowsDensifiedInEitherExecution(SparkSession spark) {
    Dataset<Row> data = rows(spark, 600, 30, 5).cache();
    NeuralNetworkClassificationModel sparse = classifier(network(30, true)).fit(data);
    NeuralNetworkClassificationModel dense = classifier(network(30, false)).fit(data);
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", () -> classifier(network(30, true)).fit(data));
    assertTrue(sparse.spec().inputs().get(0).sparse());
    assertFalse(dense.spec().inputs().get(0).sparse());
    double[] ps = probabilities(sparse, data);
    double[] pd = probabilities(dense, data);
    double[] pr = probabilities(rounds, data);
    for (int i = 0; i < ps.length; i++) {
      assertEquals(pd[i], ps[i], 1e-5, "probability " + i + ": sparse rows against the same rows densified");
      assertEquals(ps[i], pr[i], 1e-6, "probability " + i + ": one job per round against the barrier stage");
    }
    List<Double> loss = sparse.summary().lossHistory();
    assertEquals(dense.summary().lossHistory().get(3), loss.get(3), 1e-5);
    assertTrue(loss.get(3) < loss.get(0) / 2, "it learns: " + loss);
  }

  @Test
  void featuresLayoutOverridesHowTheFirstInputIsRead(SparkSession spark) {
    Dataset<Row> data = rows(spark, 300, 30, 7).cache();
    NeuralNetworkClassificationModel byParam = classifier(network(30, false)).setFeaturesLayout("sparse").fit(data);
    NeuralNetworkClassificationModel byJson = classifier(network(30, true)).fit(data);
    assertTrue(byParam.spec().inputs().get(0).sparse());
    assertArrayEquals(byJson.weights(), byParam.weights(), "the param and the JSON flag train the same network");
    NeuralNetworkClassificationModel dense = classifier(network(30, true)).setFeaturesLayout("dense").fit(data);
    assertFalse(dense.spec().inputs().get(0).sparse());

    NeuralNetworkClassifier wide = new NeuralNetworkClassifier().setLayers(20_000, 3);
    assertTrue(wide.resolveNetwork(SCHEMA, "features").inputs().get(0).sparse());
    assertFalse(wide.setFeaturesLayout("dense").resolveNetwork(SCHEMA, "features").inputs().get(0).sparse());
    assertFalse(new NeuralNetworkClassifier().setLayers(30, 3).resolveNetwork(SCHEMA, "features").inputs().get(0).sparse());

    String activationFirst = "{\"format_version\": 1, \"inputs\": [{\"name\": \"features\", \"shape\": [30]}], \"layers\":"
        + " [{\"type\": \"activation\", \"name\": \"act\", \"function\": \"tanh\"}, {\"type\": \"dense\", \"name\": \"out\","
        + " \"units\": 3}]}";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> classifier(activationFirst).setFeaturesLayout("sparse").fit(data));
    assertEquals("Param featuresLayout is sparse, but the network cannot read sparse rows: Input 'features' is sparse;"
        + " only dense layers may read it, but layer 'act' (activation) does. Set featuresLayout to dense or auto.",
        e.getMessage());
  }

  @Test
  void lazyAdamGivesTheSameModelInTheBarrierStageAndOneJobPerRoundInEitherSyncMode(SparkSession spark) {
    Dataset<Row> data = rows(spark, 500, 40, 8).cache();
    String json = "{\"format_version\": 1, \"inputs\": [{\"name\": \"features\", \"shape\": [40], \"sparse\": true}],"
        + " \"layers\": [{\"type\": \"dense\", \"name\": \"hidden\", \"units\": 8}, {\"type\": \"activation\","
        + " \"name\": \"relu\", \"function\": \"tanh\"}, {\"type\": \"dense\", \"name\": \"out\", \"units\": 3}]}";
    Supplier<NeuralNetworkClassificationModel> fit = () -> new NeuralNetworkClassifier().setNetwork(json).setMaxEpochs(3)
        .setBatchSize(16).setLearningRate(0.01).setSeed(5).fit(data);
    NeuralNetworkClassificationModel barrier = fit.get();
    NeuralNetworkClassificationModel rounds = TrainingFixtures.withExecution(spark, "rounds", fit);
    float[] a = barrier.weights();
    float[] b = rounds.weights();
    for (int i = 0; i < a.length; i++) {
      assertEquals(b[i], a[i], 1e-6, "weight " + i);
    }
    assertEquals(rounds.summary().lossHistory().get(2), barrier.summary().lossHistory().get(2), 1e-6);

    // average mode: the barrier stage averages only the rows some task touched, the per-round path the whole table
    Supplier<NeuralNetworkClassificationModel> averaged = () -> new NeuralNetworkClassifier().setNetwork(json)
        .setSyncMode("average").setLocalSteps(4).setMaxEpochs(3).setBatchSize(16).setLearningRate(0.01).setSeed(5).fit(data);
    float[] c = averaged.get().weights();
    float[] d = TrainingFixtures.withExecution(spark, "rounds", averaged).weights();
    double moved = 0;
    for (int i = 0; i < c.length; i++) {
      assertEquals(d[i], c[i], 1e-5, "average mode, weight " + i);
      moved += Math.abs(c[i] - a[i]);
    }
    assertTrue(moved > 1e-3, "average mode trains a different model than gradient mode");
  }

  @Test
  void aWideVectorColumnFeedingLayersIsReadAsSparseRowsAndTheModelKeepsIt(SparkSession spark, @TempDir Path tmp)
      throws java.io.IOException {
    int width = 30_000;
    Dataset<Row> data = rows(spark, 900, width, 6).cache();
    for (String mode : List.of("gradient", "average")) {
      NeuralNetworkClassificationModel m = new NeuralNetworkClassifier().setLayers(width, 16, 3).setMaxEpochs(6)
          .setSyncMode(mode).setLocalSteps(4).setSeed(4).fit(data);
      assertTrue(m.spec().inputs().get(0).sparse(), "a Vector column of " + width + " values is read sparse by default");
      double accuracy = m.transform(data).where("prediction = label").count() / 900.0;
      assertTrue(accuracy > 0.9, mode + " mode: training accuracy " + accuracy);
      if (mode.equals("gradient")) {
        String path = tmp.resolve("wide").toString();
        m.write().overwrite().save(path);
        NeuralNetworkClassificationModel back = NeuralNetworkClassificationModel.load(path);
        assertTrue(back.spec().inputs().get(0).sparse());
        double[] a = probabilities(m, data);
        double[] b = probabilities(back, data);
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i], b[i], 0, "the loaded model scores as the fitted one");
        }
      }
    }
    NeuralNetworkClassificationModel narrow = new NeuralNetworkClassifier().setLayers(30, 4, 3).setMaxEpochs(1)
        .fit(rows(spark, 60, 30, 7));
    assertFalse(narrow.spec().inputs().get(0).sparse(), "narrow vectors stay dense");
  }
}
