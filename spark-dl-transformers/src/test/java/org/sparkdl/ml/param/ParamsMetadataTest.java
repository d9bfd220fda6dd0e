package org.sparkdl.ml.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.spec.NetworkSpec;

class ParamsMetadataTest {
  private static final String CLF = NeuralNetworkClassificationModel.class.getName();

  static NeuralNetworkClassificationModel stage(String uid) {
    return new NeuralNetworkClassificationModel(uid, NetworkSpec.mlp(new int[] {2, 2}, "relu"), new float[6]);
  }

  @Test
  void writesSparksMetadataLineWithSetAndDefaultParamsApart() throws Exception {
    NeuralNetworkClassificationModel m = stage("clf_1");
    NeuralNetworkClassificationModel set = m.copy(new ParamMap().put(m.layers(), new int[] {2, 2}).put(m.seed(), 9L));
    JsonNode json = new ObjectMapper().readTree(ParamsMetadata.toJson(set, "4.0.1", Map.of("seed", 9L)));
    assertEquals(CLF, json.get("class").asText());
    assertEquals("clf_1", json.get("uid").asText());
    assertEquals("4.0.1", json.get("sparkVersion").asText());
    assertEquals("[2,2]", json.get("paramMap").get("layers").toString());
    assertEquals(9, json.get("paramMap").get("seed").asLong());
    assertEquals(42, json.get("defaultParamMap").get("seed").asLong());
    assertEquals("\"features\"", json.get("defaultParamMap").get("featuresCol").toString());
    assertEquals(9, json.get("sparkdl").get("seed").asLong());
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    NeuralNetworkClassificationModel m = stage("clf_2");
    NeuralNetworkClassificationModel set = m.copy(new ParamMap().put(m.learningRate(), 0.5).put(m.backend(), "cpu"));
    ParamsMetadata.Loaded loaded = ParamsMetadata.parse(ParamsMetadata.toJson(set, "4.0.1", Map.of()), "metadata",
        NeuralNetworkClassificationModel.class);
    NeuralNetworkClassificationModel target = stage(loaded.uid());
    ParamsMetadata.apply(loaded, target, "metadata");
    assertEquals("clf_2", target.uid());
    assertEquals(0.5, target.getLearningRate());
    assertEquals("cpu", target.getBackend());
    assertEquals(false, target.isSet(target.seed()));
  }

  @Test
  void namesTheFileAndTheProblemInMalformedMetadata() {
    assertEquals("metadata: is not valid JSON (Unexpected end-of-input within/between Object entries).",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.parse("{\"class\":", "metadata", Object.class)).getMessage());
    assertEquals("metadata: must hold a JSON object.",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.parse("[1]", "metadata", Object.class)).getMessage());
    assertEquals("metadata: lacks the text field 'class'.",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.parse("{\"uid\":\"u\"}", "metadata", Object.class)).getMessage());
    assertEquals("metadata: describes a " + CLF + "; expected " + NeuralNetworkRegressionModel.class.getName() + ".",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.parse("{\"class\":\"" + CLF + "\",\"uid\":\"u\",\"paramMap\":{}}",
            "metadata", NeuralNetworkRegressionModel.class)).getMessage());
    assertEquals("metadata: lacks the text field 'uid'.", assertThrows(ModelFileException.class,
        () -> ParamsMetadata.parse("{\"class\":\"" + CLF + "\",\"paramMap\":{}}", "metadata",
            NeuralNetworkClassificationModel.class)).getMessage());
    assertEquals("metadata: needs paramMap and defaultParamMap objects.", assertThrows(ModelFileException.class,
        () -> ParamsMetadata.parse("{\"class\":\"" + CLF + "\",\"uid\":\"u\",\"paramMap\":[]}", "metadata",
            NeuralNetworkClassificationModel.class)).getMessage());
  }

  @Test
  void refusesParamsTheStageDoesNotHaveOrThatDoNotDecode() throws Exception {
    String head = "{\"class\":\"" + CLF + "\",\"uid\":\"u\",\"paramMap\":";
    ParamsMetadata.Loaded unknown = ParamsMetadata.parse(head + "{\"dropout\":0.5}}", "metadata", NeuralNetworkClassificationModel.class);
    assertEquals("metadata: sets param 'dropout', which NeuralNetworkClassificationModel does not have.",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.apply(unknown, stage("u"), "metadata")).getMessage());
    ParamsMetadata.Loaded invalid = ParamsMetadata.parse(head + "{\"batchSize\":0}}", "metadata", NeuralNetworkClassificationModel.class);
    assertEquals("metadata: param 'batchSize' has the invalid value 0.",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.apply(invalid, stage("u"), "metadata")).getMessage());
    ParamsMetadata.Loaded wrongType = ParamsMetadata.parse(head + "{\"layers\":\"wide\"}}", "metadata",
        NeuralNetworkClassificationModel.class);
    assertEquals("metadata: param 'layers' has the value \"wide\", which does not decode (Expected collection but got"
        + " JString(wide) for root JString(wide) and mapping Seq[int]).",
        assertThrows(ModelFileException.class, () -> ParamsMetadata.apply(wrongType, stage("u"), "metadata")).getMessage());
  }
}
