package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
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

/**
 * {@code classWeights}: balanced weights help a rare class; listed weights count a row as that
 * many rows, exactly as a weight column or repeated rows do; bad values are refused by name.
 */
@ExtendWith(SharedSpark.class)
class ClassWeightsTest {
  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("features", SQLDataTypes.VectorType()).add("w", DataTypes.DoubleType);

  /**
   * Two overlapping classes in 2 dimensions, one row in {@code every} of class 1; column {@code w}
   * is {@code weightOfOne} for class 1 and 1 for class 0; each class-1 row appears {@code copies} times.
   */
  private static List<Row> rows(int n, int every, double weightOfOne, int copies, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = i % every == 0 ? 1 : 0;
      Row row = RowFactory.create((double) c, Vectors.dense(c + r.nextGaussian() * 0.8, c - r.nextGaussian() * 0.8),
          c == 1 ? weightOfOne : 1.0);
      for (int k = 0; k < (c == 1 ? copies : 1); k++) {
        rows.add(row);
      }
    }
    return rows;
  }

  private static double recallOfOne(NeuralNetworkClassificationModel m, Dataset<Row> data) {
    List<Row> ones = m.transform(data).where("label = 1").select("prediction").collectAsList();
    return ones.stream().filter(r -> r.getDouble(0) == 1.0).count() / (double) ones.size();
  }

  @Test
  void balancedWeightsRaiseTheRecallOfARareClass(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.frame(spark, rows(2000, 20, 1, 1, 1), SCHEMA, 2).cache();
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier().setLayers(2, 8, 2).setMaxEpochs(8).setBatchSize(64)
        .setLearningRate(0.02).setSeed(5);
    double plain = recallOfOne(clf.fit(data), data);
    NeuralNetworkClassificationModel balanced = clf.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setClassWeights("balanced").fit(data);
    double weighted = recallOfOne(balanced, data);
    assertTrue(plain < 0.4 && weighted > plain + 0.3, "recall of class 1: " + plain + " unweighted, " + weighted
        + " balanced");
    assertEquals("balanced", balanced.getClassWeights());
  }

  @Test
  void listedWeightsTrainToTheSameBitsAsTheSameWeightColumnInBothExecutionModes(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.frame(spark, rows(300, 4, 3, 1, 2), SCHEMA, 2).cache();
    for (String mode : List.of("barrier", "rounds")) {
      NeuralNetworkClassificationModel byColumn = TrainingFixtures.withExecution(spark, mode, () -> clf().setWeightCol("w")
          .fit(data));
      NeuralNetworkClassificationModel byClass = TrainingFixtures.withExecution(spark, mode, () -> clf().setClassWeights(1, 3)
          .fit(data));
      assertArrayEquals(byColumn.weights(), byClass.weights(), mode);
      assertEquals(byColumn.summary().lossHistory(), byClass.summary().lossHistory(), mode);
    }
  }

  @Test
  void listedWeightsTakeTheSameFirstStepAsRepeatedRows(SparkSession spark) {
    List<Row> once = rows(200, 4, 1, 1, 3);
    List<Row> thrice = rows(200, 4, 1, 3, 3);
    // one step over every row, so that the order of the rows does not matter
    NeuralNetworkClassificationModel weighted = clf().setMaxEpochs(1).setBatchSize(thrice.size()).setClassWeights("1,3")
        .fit(TrainingFixtures.frame(spark, once, SCHEMA, 1));
    NeuralNetworkClassificationModel repeated = clf().setMaxEpochs(1).setBatchSize(thrice.size())
        .fit(TrainingFixtures.frame(spark, thrice, SCHEMA, 1));
    assertEquals(1, weighted.summary().rounds());
    assertEquals(repeated.summary().lossHistory().get(0), weighted.summary().lossHistory().get(0), 1e-6);
    float[] a = weighted.weights();
    float[] b = repeated.weights();
    for (int i = 0; i < a.length; i++) {
      assertEquals(b[i], a[i], 1e-6, "weight " + i);
    }
    float[] plain = clf().setMaxEpochs(1).setBatchSize(thrice.size()).fit(TrainingFixtures.frame(spark, once, SCHEMA, 1))
        .weights();
    assertTrue(java.util.stream.IntStream.range(0, a.length).anyMatch(i -> Math.abs(a[i] - plain[i]) > 1e-4),
        "the class weights change the step");
  }

  private static NeuralNetworkClassifier clf() {
    return new NeuralNetworkClassifier().setLayers(2, 4, 2).setOptimizer("sgd").setLearningRate(0.5).setMaxEpochs(2)
        .setBatchSize(32).setSeed(11);
  }

  @Test
  void badClassWeightsAreRefusedNamingTheParam(SparkSession spark) {
    assertEquals("Param classWeights '1,-2' is invalid: weight 1 is -2.0; every weight must be finite and >= 0.",
        assertThrows(IllegalArgumentException.class, () -> clf().setClassWeights("1,-2")).getMessage());
    assertEquals("Param classWeights '0.0,0.0' is invalid: every weight is 0, so no row would count; give at least one class a"
        + " weight > 0.", assertThrows(IllegalArgumentException.class, () -> clf().setClassWeights(0, 0)).getMessage());
    assertEquals("Param classWeights 'balance' is invalid: weight 0 'balance' is not a number; expected balanced or weights"
        + " like 1,5 (one per class).", assertThrows(IllegalArgumentException.class, () -> clf().setClassWeights("balance"))
        .getMessage());
    assertEquals("Param classWeights '1.0,NaN' is invalid: weight 1 is NaN; every weight must be finite and >= 0.",
        assertThrows(IllegalArgumentException.class, () -> clf().setClassWeights(1, Double.NaN)).getMessage());
    Dataset<Row> data = TrainingFixtures.frame(spark, rows(20, 4, 1, 1, 4), SCHEMA, 1);
    assertEquals("Param classWeights '1.0,2.0,3.0' holds 3 weights; the network outputs 2 classes, so it needs 2 (one per"
        + " class, in class order), or balanced.", assertThrows(IllegalArgumentException.class,
            () -> clf().setClassWeights(1, 2, 3).fit(data)).getMessage());
    assertEquals("Param classWeights is 'balanced'; class weights apply to classifiers, and a regressor has no classes."
        + " Leave it empty (weightCol weighs rows).", assertThrows(IllegalArgumentException.class,
            () -> new NeuralNetworkRegressor().setLayers(2, 1).setClassWeights("balanced").fit(data)).getMessage());
  }
}
