package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.nn.Network;
import org.sparkdl.testkit.SharedSpark;

@ExtendWith(SharedSpark.class)
class ModelInfoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void transformOutputModelInfoGivesOneRowDescribingTheModelAndItsSummary(SparkSession spark) throws Exception {
    TrainingSummary s = new TrainingSummary(List.of(0.5, 0.25), List.of(), List.of(), "accuracy", 8, 100, List.of(0.7, 1.4),
        1.5, 2, false, List.of("a warning"), List.of(0.6, 0.85), Matrices.dense(2, 2, new double[] {40, 5, 10, 45}), "training");
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf_info", 4, 8, 3).setSummary(s);
    NeuralNetworkClassificationModel info = model.copy(ParamMap.empty()).setTransformOutput("modelInfo");

    List<Row> rows = info.transform(ScoringFixtures.frame(spark, 10, 4, 2)).collectAsList();

    assertEquals(1, rows.size());
    assertEquals(List.of("modelInfo"), List.of(rows.get(0).schema().fieldNames()));
    JsonNode j = JSON.readTree(rows.get(0).getString(0));
    assertEquals("org.sparkdl.ml.NeuralNetworkClassificationModel", j.get("class").asText());
    assertEquals("clf_info", j.get("uid").asText());
    assertEquals(4, j.get("numFeatures").asInt());
    assertEquals(3, j.get("numOutputs").asInt());
    assertEquals(model.modelData().specJson(), j.get("network").asText());
    assertEquals(Network.describe(model.spec()), j.get("layers").asText());
    assertEquals(model.toString(), j.get("toString").asText());
    assertTrue(j.get("hasSummary").asBoolean());
    assertEquals(0.25, j.at("/summary/lossHistory/1").asDouble());
    assertEquals(10.0, j.at("/summary/confusionMatrix/values/1").asDouble(), "row by row: true 0, predicted 1");
    assertEquals("a warning", j.at("/summary/warnings/0").asText());
    assertEquals("predictions", model.getTransformOutput(), "the original keeps predicting");
  }

  @Test
  void aModelWithoutSummaryDescribesItselfWithANullSummary(SparkSession spark) throws Exception {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("reg_info", 4, 8, 1).setTransformOutput("modelInfo");

    JsonNode j = JSON.readTree(model.transform(spark.range(1).toDF()).first().getString(0));

    assertFalse(j.get("hasSummary").asBoolean());
    assertTrue(j.get("summary").isNull());
    assertEquals(1, j.get("numOutputs").asInt());
  }

  @Test
  void sqlCanAskForTheLibraryVersionWithoutAGateway(SparkSession spark) {
    Row r = spark.sql("SELECT reflect('org.sparkdl.ml.scoring.ModelInfo', 'libraryVersion')").first();
    assertEquals(ModelInfo.libraryVersion(), r.getString(0));
  }

  @Test
  void transformOutputAcceptsOnlyItsTwoValues() {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("clf_bad", 4, 8, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setTransformOutput("json"));
    assertTrue(e.getMessage().contains("transformOutput given invalid value json"), e.getMessage());
  }
}
