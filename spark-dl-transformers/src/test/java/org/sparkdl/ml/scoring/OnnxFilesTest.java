package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.onnx.proto.OnnxProto.ModelProto;
import org.sparkdl.testkit.SharedSpark;

/**
 * Models written with {@code write().format("onnx")} and read back with {@code loadOnnx}: the same
 * network, weights and predictions; the graph's inputs and outputs named after the model's columns.
 * ONNX Runtime's view of these files is checked by the Python suite and the tensor-backend fixtures.
 */
@ExtendWith(SharedSpark.class)
class OnnxFilesTest {

  @Test
  void aClassifierWrittenAsOnnxLoadsBackWithTheSameNetworkWeightsAndPredictions(SparkSession spark, @TempDir Path tmp) throws IOException {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("nnClf_onnx", 4, 6, 3);
    String path = tmp.resolve("model.onnx").toString();
    model.write().format("onnx").save(path);
    NeuralNetworkClassificationModel back = NeuralNetworkClassificationModel.loadOnnx(path);
    assertEquals(model.spec(), back.spec());
    assertArrayEquals(model.weights(), back.weights());
    Dataset<Row> data = ScoringFixtures.frame(spark, 20, 4, 2);
    List<double[]> expected = ScoringFixtures.vectors(model.transform(data), "probability");
    List<double[]> found = ScoringFixtures.vectors(back.transform(data), "probability");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), found.get(i), 0, "row " + i);
    }
  }

  @Test
  void theGraphIsNamedAfterTheModelsColumns(SparkSession spark, @TempDir Path tmp) throws IOException {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("nnClf_cols", 4, 3);
    model.setFeaturesCol("pixels").setProbabilityCol("");
    Path path = tmp.resolve("cols.onnx");
    model.write().format("onnx").save(path.toString());
    ModelProto onnx = ModelProto.parseFrom(Files.readAllBytes(path));
    assertEquals(List.of("pixels"), onnx.getGraph().getInputList().stream().map(v -> v.getName()).toList());
    assertEquals(List.of("rawPrediction", "prediction"),
        onnx.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
    assertEquals(17, onnx.getOpsetImport(0).getVersion());
  }

  @Test
  void aRegressorWrittenAsOnnxLoadsBack(SparkSession spark, @TempDir Path tmp) throws IOException {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("nnReg_onnx", 4, 5, 1);
    String path = tmp.resolve("reg.onnx").toString();
    model.write().format("onnx").save(path);
    NeuralNetworkRegressionModel back = NeuralNetworkRegressionModel.loadOnnx(path);
    assertEquals(model.spec(), back.spec());
    Dataset<Row> data = ScoringFixtures.frame(spark, 10, 4, 1);
    assertArrayEquals(ScoringFixtures.doubles(model.transform(data), "prediction"),
        ScoringFixtures.doubles(back.transform(data), "prediction"), 0);
  }

  @Test
  void anExistingFileNeedsOverwriteAndTheInternalFormatStaysTheDefault(SparkSession spark, @TempDir Path tmp)
      throws IOException {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("nnClf_over", 4, 3);
    String path = tmp.resolve("m.onnx").toString();
    model.write().format("onnx").save(path);
    assertThrows(IOException.class, () -> model.write().format("onnx").save(path));
    model.write().format("onnx").overwrite().save(path);
    assertTrue(Files.isRegularFile(Path.of(path)));
    String dir = tmp.resolve("dir").toString();
    model.write().save(dir);
    assertEquals(model.spec(), NeuralNetworkClassificationModel.load(dir).spec());
  }

  @Test
  void thresholdsAreRefusedSinceTheGraphPredictsTheMostProbableClass(SparkSession spark, @TempDir Path tmp) throws IOException {
    NeuralNetworkClassificationModel model = ScoringFixtures.classifier("nnClf_thr", 4, 3);
    model.setThresholds(new double[] {0.2, 0.3, 0.5});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.write().format("onnx").save(tmp.resolve("t.onnx").toString()));
    assertEquals("Model nnClf_thr has thresholds set; the ONNX graph's prediction is the most probable class. Clear"
        + " thresholds (or set predictionCol to '') before writing it as ONNX.", e.getMessage());
  }

  @Test
  void aFileThatIsNotOnnxFailsWithItsName(SparkSession spark, @TempDir Path tmp) throws IOException {
    Path bad = tmp.resolve("bad.onnx");
    Files.write(bad, new byte[] {(byte) 0xff, 1, 2, 3});
    ModelFileException e = assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.loadOnnx(
        bad.toString()));
    assertTrue(e.getMessage().startsWith("bad.onnx: is not a readable ONNX model (truncated or damaged?)"), e.getMessage());
  }
}
