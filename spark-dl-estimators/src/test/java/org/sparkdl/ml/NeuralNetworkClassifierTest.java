package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
import org.sparkdl.testkit.SharedSpark;

@ExtendWith(SharedSpark.class)
class NeuralNetworkClassifierTest {

  /** Three Gaussian blobs in 4 dimensions, labels 0..2, in {@code partitions} partitions. */
  static Dataset<Row> blobs(SparkSession spark, int n, long seed, int partitions) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    double[][] centers = {{2, 0, 0, 1}, {0, 2, 1, 0}, {-2, -2, 0, 0}};
    for (int i = 0; i < n; i++) {
      int c = i % 3;
      double[] x = new double[4];
      for (int j = 0; j < 4; j++) {
        x[j] = centers[c][j] + 0.5 * r.nextGaussian();
      }
      rows.add(RowFactory.create((double) c, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  static double accuracy(Dataset<Row> scored) {
    List<Row> rows = scored.select("label", "prediction").collectAsList();
    long correct = rows.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count();
    return (double) correct / rows.size();
  }

  /** A 3-class confusion matrix of {@code rows} rows whose diagonal holds the share {@code accuracy} of them. */
  static void assertConfusionMatches(org.apache.spark.ml.linalg.Matrix m, long rows, double accuracy) {
    assertEquals(3, m.numRows());
    assertEquals(3, m.numCols());
    double sum = 0;
    double diagonal = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        sum += m.apply(i, j);
      }
      diagonal += m.apply(i, i);
    }
    assertEquals(rows, sum, 0, m.toString());
    assertEquals(accuracy, diagonal / sum, 1e-12, m.toString());
  }

  @Test
  void fitsAndScoresSeparableBlobs(SparkSession spark) {
    Dataset<Row> data = blobs(spark, 600, 1, 2);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setLayers(4, 16, 3).setMaxEpochs(5)
        .setBatchSize(32).setLearningRate(0.01).fit(data);
    Dataset<Row> scored = model.transform(data);
    assertEquals(List.of("label", "features", "rawPrediction", "probability", "prediction"), List.of(scored.columns()));
    assertTrue(accuracy(scored) > 0.97, "accuracy " + accuracy(scored));
    Row first = scored.first();
    Vector prob = first.getAs("probability");
    assertEquals(1.0, prob.toArray()[0] + prob.toArray()[1] + prob.toArray()[2], 1e-6);
    assertEquals(5, model.summary().epochs());
    assertTrue(model.summary().lossHistory().get(4) < model.summary().lossHistory().get(0));
    List<Double> trainAccuracy = model.summary().trainAccuracyHistory();
    assertEquals(5, trainAccuracy.size());
    assertTrue(trainAccuracy.get(4) > trainAccuracy.get(0) && trainAccuracy.get(4) > 0.97, trainAccuracy.toString());
    assertEquals("training", model.summary().confusionMatrixSource(), "no validation split: the last epoch's training rows");
    assertConfusionMatches(model.summary().confusionMatrix(), 600, trainAccuracy.get(4));
    assertTrue(model.summary().toString().contains(String.format(", train accuracy %.4f", trainAccuracy.get(4))),
        model.summary().toString());
    Dataset<Row> history = model.summary().toDataFrame(spark);
    assertEquals(List.of("epoch", "loss", "trainAccuracy", "seconds"), List.of(history.columns()));
    List<Row> epochs = history.orderBy("epoch").collectAsList();
    assertEquals(model.summary().lossHistory(), epochs.stream().map(r -> r.getDouble(1)).toList());
    assertEquals(trainAccuracy, epochs.stream().map(r -> r.getDouble(2)).toList());
    assertEquals(model.summary().epochSeconds(), epochs.stream().map(r -> r.getDouble(3)).toList());
    // where the fit ended, kept for a progress display to read once: 5 epochs of 19 steps, the last loss
    double[] ended = FitProgress.of(model.uid());
    assertEquals(List.of(5.0, 5.0, 5.0 * 19, 19.0, model.summary().lossHistory().get(4), 1.0),
        List.of(ended[0], ended[1], ended[2], ended[3], ended[4], ended[6]));
    assertTrue(ended[5] > 0 && ended[5] <= model.summary().seconds(), "seconds " + ended[5]);
    assertEquals(null, FitProgress.of(model.uid()));
    assertEquals(3, model.numClasses());
    assertEquals(4, model.numFeatures());
    Vector raw = model.predictRaw(first.getAs("features"));
    assertEquals(((Vector) first.getAs("rawPrediction")).apply(1), raw.apply(1), 1e-5);
  }

  @Test
  void validationFractionHoldsOutASeededRandomShareOfTheRows(SparkSession spark) {
    Dataset<Row> data = blobs(spark, 600, 2, 2).cache();
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(4, 16, 3).setMaxEpochs(3).setSeed(9)
        .setValidationFraction(0.25);
    NeuralNetworkClassificationModel a = clf.fit(data);
    NeuralNetworkClassificationModel b = clf.fit(data);
    long held = 600 - a.summary().trainingRows();
    assertTrue(held > 110 && held < 190, "rows held out for validation: " + held);
    assertEquals(3, a.summary().validationMetricHistory().size());
    assertTrue(a.summary().validationMetricHistory().get(2) > 0.9, a.summary().toString());
    assertEquals("validation", a.summary().confusionMatrixSource());
    assertConfusionMatches(a.summary().confusionMatrix(), held, a.summary().validationMetricHistory().get(2));
    assertEquals(3, a.summary().trainAccuracyHistory().size());
    assertEquals(a.summary().trainingRows(), b.summary().trainingRows(), "the same seed holds out the same rows");
    assertEquals(a.summary().lossHistory(), b.summary().lossHistory());
    assertEquals(List.of("label", "features", "rawPrediction", "probability", "prediction"),
        List.of(a.transform(data).columns()), "the drawn split column stays inside the fit");
    assertEquals("Param validationFraction 1.0 is invalid: it must be in [0, 1).", org.junit.jupiter.api.Assertions
        .assertThrows(IllegalArgumentException.class, () -> clf.setValidationFraction(1.0)).getMessage());
  }
}
