package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
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
import org.sparkdl.ml.scoring.TrainingSummary;
import org.sparkdl.testkit.SharedSpark;

/** The regressor learns y = x1 + x2 + x3 + x4 (and, as a vector target, that sum and x1 - x2) on 400 rows. */
@ExtendWith(SharedSpark.class)
class NeuralNetworkRegressorTest {

  static double[] x(Random r) {
    return new double[] {2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1};
  }

  static Dataset<Row> sums(SparkSession spark, int n) {
    Random r = new Random(21);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] v = x(r);
      rows.add(RowFactory.create(v[0] + v[1] + v[2] + v[3], Vectors.dense(v), i % 5 == 0));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType())
        .add("isVal", DataTypes.BooleanType);
    return TrainingFixtures.frame(spark, rows, schema, 2);
  }

  static NeuralNetworkRegressor regressor() {
    return new NeuralNetworkRegressor().setLayers(4, 1).setMaxEpochs(30).setBatchSize(200).setLearningRate(0.1).setSeed(3);
  }

  @Test
  void learnsTheSumOfTheFeaturesWithADoublePrediction(SparkSession spark) {
    Dataset<Row> data = sums(spark, 400);
    NeuralNetworkRegressionModel model = regressor().fit(data);
    Dataset<Row> scored = model.transform(data);
    assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
    double rmse = new RegressionEvaluator().setMetricName("rmse").evaluate(scored);
    assertTrue(rmse < 0.05, "rmse " + rmse);
    Row first = scored.first();
    assertEquals(first.getDouble(0), model.predict(first.getAs("features")), 0.2);
    assertEquals(30, model.summary().epochs());
  }

  @Test
  void aValidationSplitReportsRmsePerEpoch(SparkSession spark) {
    NeuralNetworkRegressionModel model = regressor().setMaxEpochs(5).setValidationIndicatorCol("isVal").fit(sums(spark, 400));
    TrainingSummary s = model.summary();
    assertEquals("rmse", s.metricName());
    assertEquals(320, s.trainingRows());
    assertEquals(5, s.validationMetricHistory().size());
    assertTrue(s.validationMetricHistory().get(4) < s.validationMetricHistory().get(0), s.validationMetricHistory().toString());
    assertEquals(List.of(), s.trainAccuracyHistory(), "a regressor has no accuracy");
    assertEquals(0, s.confusionMatrix().numRows());
    assertEquals("", s.confusionMatrixSource());
  }

  @Test
  void aVectorTargetGivesAVectorPrediction(SparkSession spark) {
    Random r = new Random(22);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      double[] v = x(r);
      rows.add(RowFactory.create(Vectors.dense(v[0] + v[1] + v[2] + v[3], v[0] - v[1]), Vectors.dense(v)));
    }
    StructType schema = new StructType().add("label", SQLDataTypes.VectorType()).add("features", SQLDataTypes.VectorType());
    Dataset<Row> data = TrainingFixtures.frame(spark, rows, schema, 2);
    NeuralNetworkRegressionModel model = regressor().setLayers(4, 2).fit(data);
    assertEquals(2, model.numOutputs());
    Dataset<Row> scored = model.transform(data);
    assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("prediction").dataType());
    double squares = 0;
    for (Row row : scored.collectAsList()) {
      double[] y = ((Vector) row.getAs("label")).toArray();
      double[] p = ((Vector) row.getAs("prediction")).toArray();
      squares += (y[0] - p[0]) * (y[0] - p[0]) + (y[1] - p[1]) * (y[1] - p[1]);
    }
    double rmse = Math.sqrt(squares / (2 * 400));
    assertTrue(rmse < 0.05, "rmse " + rmse);
  }

  @Test
  void theHuberLossTrains(SparkSession spark) {
    Dataset<Row> data = sums(spark, 400);
    NeuralNetworkRegressionModel model = regressor().setLoss("huber:0.5").setMaxEpochs(10).fit(data);
    List<Double> loss = model.summary().lossHistory();
    assertTrue(loss.get(9) < loss.get(0) / 4, loss.toString());
    double rmse = new RegressionEvaluator().setMetricName("rmse").evaluate(model.transform(data));
    assertTrue(rmse < 0.3, "rmse " + rmse);
  }
}
