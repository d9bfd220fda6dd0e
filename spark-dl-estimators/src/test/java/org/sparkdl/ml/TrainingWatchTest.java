package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.testkit.SharedSpark;

/** Fits that go silently wrong are named: divergence, no learning, missing classes, weights that sum to zero. */
@ExtendWith(SharedSpark.class)
class TrainingWatchTest {
  private static final DistributedTrainer.Objective TEN = new DistributedTrainer.Objective("softmax_cross_entropy", true, 10);

  @Test
  void aLossHundredsOfTimesItsStartIsDivergenceAndStopsWhenAsked() {
    TrainingWatch w = new TrainingWatch("Clf u", TEN, 1e6, false);
    w.epoch(1, 3.1);
    assertEquals(List.of(), w.warnings());
    w.epoch(2, 4.8e13);
    assertEquals(1, w.warnings().size());
    assertEquals("Clf u: the training loss reached 4.800e+13 in epoch 2, 2.08e+13 times its starting level (2.303,"
        + " a uniform guess over 10 classes): training is diverging. Likely causes: learningRate 1.00e+06 is too high for"
        + " this network, or the features are on very different scales (standardize them). Lower learningRate, set"
        + " clipNorm, or set stopOnDivergence to stop such fits.", w.warnings().get(0));
    w.epoch(3, 9e13);
    assertEquals(1, w.warnings().size(), "said once");

    TrainingWatch stopping = new TrainingWatch("Clf u", TEN, 1e6, true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopping.epoch(1, 1e9));
    assertTrue(e.getMessage().endsWith("Stopped: stopOnDivergence is set."), e.getMessage());

    TrainingWatch regression = new TrainingWatch("Reg u", new DistributedTrainer.Objective("mse", false, 0), 0.1, false);
    regression.epoch(1, 2.0);
    regression.epoch(2, 150.0);
    assertEquals(List.of(), regression.warnings(), "75 times the first epoch is not yet divergence");
    regression.epoch(3, 250.0);
    assertTrue(regression.warnings().get(0).contains("the first epoch's"), regression.warnings().get(0));
  }

  @Test
  void aClassifierStuckAtAUniformGuessForTwoEpochsIsNotLearning() {
    TrainingWatch w = new TrainingWatch("Clf u", TEN, 1e-9, false);
    w.epoch(1, 2.30);
    w.epoch(2, 1.2);
    w.epoch(3, 2.31);
    assertEquals(List.of(), w.warnings(), "one epoch near the guess is not enough");
    w.epoch(4, 2.29);
    assertEquals(1, w.warnings().size());
    assertTrue(w.warnings().get(0).startsWith("Clf u: the training loss is 2.2900 after epoch 4, within 3% of a uniform guess"
        + " over 10 classes (ln 10 = 2.3026) for two epochs: the network is not learning."), w.warnings().get(0));
  }

  @Test
  void missingClassesAreCountedAndASingleClassNamed() {
    TrainingWatch all = new TrainingWatch("Clf u", new DistributedTrainer.Objective("x", true, 3), 0.01, false);
    all.classes(new long[] {5, 1, 9});
    assertEquals(List.of(), all.warnings());
    TrainingWatch one = new TrainingWatch("Clf u", new DistributedTrainer.Objective("x", true, 3), 0.01, false);
    one.classes(new long[] {0, 40, 0});
    assertEquals(List.of("Clf u: the training rows hold 1 of the 3 classes the network outputs (rows per class: 0: 0, 1: 40,"
        + " 2: 0). With a single class the model learns to predict it for every row."), one.warnings());
  }

  @Test
  void featuresOfVeryDifferentOrHugeScalesGetAHint() {
    TrainingWatch even = new TrainingWatch("Clf u", TEN, 0.01, false);
    even.featureScale("features", new double[] {3, 0.5, 0, 40});
    assertEquals(List.of(), even.warnings());
    TrainingWatch uneven = new TrainingWatch("Clf u", TEN, 0.01, false);
    uneven.featureScale("features", new double[] {3, 2e5, 0.01, 4});
    assertEquals(List.of("Clf u: the features of column 'features' have very different scales: feature 1 reaches 2.00e+05,"
        + " feature 2 only 0.0100 (largest |value| of each). Standardize them (e.g. StandardScaler): the network trains"
        + " faster and more stably."), uneven.warnings());
    TrainingWatch huge = new TrainingWatch("Clf u", TEN, 0.01, false);
    huge.featureScale("x", new double[] {3e38});
    assertEquals(List.of("Clf u: column 'x' holds values as large as 3.00e+38; sums of such values overflow float32"
        + " arithmetic (the loss becomes infinite or NaN). Scale the features (e.g. StandardScaler or MinMaxScaler)."),
        huge.warnings());
  }

  @Test
  void fitsReportWhatWentWrongInTheirSummary(SparkSession spark) {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 300, 5, 2).cache();
    NeuralNetworkClassificationModel wild = new NeuralNetworkClassifier().setLayers(4, 16, 3).setLearningRate(1e6)
        .setMaxEpochs(2).setSeed(1).fit(data);
    assertTrue(wild.summary().warnings().stream().anyMatch(w -> w.contains("training is diverging")),
        wild.summary().warnings().toString());
    IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> new NeuralNetworkClassifier()
        .setLayers(4, 16, 3).setLearningRate(1e6).setMaxEpochs(2).setSeed(1).setStopOnDivergence(true)
        .fit(data));
    assertTrue(String.valueOf(stopped.getMessage()).contains("stopOnDivergence is set"), stopped.getMessage());

    Dataset<Row> oneClass = data.where("label = 1");
    NeuralNetworkClassificationModel single = new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(1).fit(oneClass);
    assertTrue(single.summary().warnings().get(0).contains("hold 1 of the 3 classes"), single.summary().warnings().toString());

    NeuralNetworkClassificationModel fine = new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(3).fit(data);
    assertEquals(List.of(), fine.summary().warnings());

    org.apache.spark.sql.api.java.UDF1<org.apache.spark.ml.linalg.Vector, org.apache.spark.ml.linalg.Vector> stretch = v -> {
      double[] x = v.toArray().clone();
      x[2] *= 1e6;
      return org.apache.spark.ml.linalg.Vectors.dense(x);
    };
    spark.udf().register("stretch", stretch, new org.apache.spark.ml.linalg.VectorUDT());
    NeuralNetworkClassificationModel stretched = new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(1)
        .fit(data.withColumn("features", functions.callUDF("stretch", functions.col("features"))));
    assertTrue(stretched.summary().warnings().stream().anyMatch(w -> w.contains("very different scales: feature 2")),
        stretched.summary().warnings().toString());

    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new NeuralNetworkClassifier()
        .setLayers(4, 8, 3).setMaxEpochs(1).setWeightCol("w").fit(data.withColumn("w", functions.lit(0.0))));
    assertTrue(zero.getMessage().endsWith("the training rows' weights (column 'w') sum to 0.0 in epoch 1: no row counts, so"
        + " there is nothing to learn. Give the rows positive weights."), zero.getMessage());
  }
}
