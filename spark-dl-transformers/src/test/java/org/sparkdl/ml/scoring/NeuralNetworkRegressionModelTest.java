package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.testkit.NetworkParamSamples;
import org.sparkdl.testkit.ParamsContract;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith(SharedSpark.class)
class NeuralNetworkRegressionModelTest {

  @Test
  void honoursTheParamsContract() {
    ParamsContract contract = ParamsContract.of(ScoringFixtures.regressor("regModel_1", 4, 8, 1))
        .sample("featuresCol", "f").sample("labelCol", "y").sample("predictionCol", "pred").sample("transformOutput", "modelInfo");
    org.sparkdl.ml.param.ParamTable.samples().forEach(contract::sample);
    NetworkParamSamples.addTo(contract).check();
  }

  @Test
  void oneOutputGivesADoublePrediction(SparkSession spark) {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("reg", 4, 8, 1);
    Dataset<Row> scored = model.transform(ScoringFixtures.frame(spark, 60, 4, 2));
    assertEquals(List.of("id", "features", "prediction"), List.of(scored.columns()));
    assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
    for (Row r : scored.collectAsList()) {
      Vector x = r.getAs("features");
      assertEquals(model.predict(x), r.<Double>getAs("prediction"), 1e-5);
      assertEquals(model.predict(x), model.predictVector(x).apply(0));
    }
    assertEquals(1, model.numOutputs());
    assertEquals("NeuralNetworkRegressionModel: uid=reg, numOutputs=1, numFeatures=4, parameters=49", model.toString());
  }

  @Test
  void severalOutputsGiveAVectorPrediction(SparkSession spark) {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("reg", 4, 8, 2).setPredictionCol("y");
    Dataset<Row> scored = model.transform(ScoringFixtures.frame(spark, 60, 4, 2));
    assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("y").dataType());
    for (Row r : scored.collectAsList()) {
      assertArrayEquals(model.predictVector(r.getAs("features")).toArray(), ((Vector) r.getAs("y")).toArray(), 1e-5);
    }
  }

  @Test
  void refusesAnEmptyOrTakenPredictionColumn() {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("reg", 4, 8, 1);
    assertEquals("Column 'prediction' already exists; columns: id, features, prediction. Choose another output column name.",
        assertThrows(IllegalArgumentException.class,
            () -> model.transformSchema(ScoringFixtures.SCHEMA.add("prediction", DataTypes.DoubleType))).getMessage());
    model.setPredictionCol("");
    assertEquals("predictionCol is empty; nothing to output.",
        assertThrows(IllegalArgumentException.class, () -> model.transformSchema(ScoringFixtures.SCHEMA)).getMessage());
  }

  @Test
  void predictRefusesFeaturesOfTheWrongWidth() {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("reg", 4, 8, 1);
    assertEquals("Features have 3 values; the input layer expects 4.", assertThrows(IllegalArgumentException.class,
        () -> model.predict(org.apache.spark.ml.linalg.Vectors.dense(1, 2, 3))).getMessage());
  }
}
