package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.testkit.SharedSpark;

/** Saving and loading estimators, and the models they fit. */
@ExtendWith(SharedSpark.class)
class EstimatorPersistenceTest {

  static String uri(Path p) {
    return p.toUri().toString();
  }

  static void assertSameParams(Params expected, Params actual) {
    assertEquals(expected.getClass(), actual.getClass());
    assertEquals(expected.uid(), actual.uid());
    for (Param<?> p : expected.params()) {
      Param<Object> q = actual.getParam(p.name());
      assertEquals(expected.isSet(p), actual.isSet(q), "whether " + p.name() + " is set");
      if (expected.isDefined(p)) {
        assertTrue(Objects.deepEquals(expected.getOrDefault(p), actual.getOrDefault(q)), p.name());
      }
    }
  }

  @Test
  void aClassifierLoadsBackWithItsUidAndParams(@TempDir Path dir) throws IOException {
    NeuralNetworkClassifier clf = new NeuralNetworkClassifier("nnClf_s").setLayers(4, 16, 3).setOptimizer("sgd")
        .setLearningRate(0.02).setSeed(9).setSyncMode("average").setWeightCol("w").setThresholds(new double[] {1, 2, 3})
        .setFeaturesCol("x").setValidateInput(false);
    clf.write().save(uri(dir.resolve("clf")));
    NeuralNetworkClassifier loaded = NeuralNetworkClassifier.load(uri(dir.resolve("clf")));
    assertSameParams(clf, loaded);
    assertArrayEquals(new int[] {4, 16, 3}, loaded.getLayers());
  }

  @Test
  void theInputShapeAndChannelStatisticsLoadBack(@TempDir Path dir) throws IOException {
    NeuralNetworkRegressor reg = new NeuralNetworkRegressor("nnReg_shape").setLayers(12, 1).setInputShape(3, 2, 2)
        .setChannelMean(0.485, 0.456, 0.406).setChannelStd(0.229, 0.224, 0.225);
    reg.write().save(uri(dir.resolve("reg")));
    NeuralNetworkRegressor loaded = NeuralNetworkRegressor.load(uri(dir.resolve("reg")));
    assertSameParams(reg, loaded);
    assertArrayEquals(new int[] {3, 2, 2}, loaded.getInputShape());
    assertArrayEquals(new double[] {0.229, 0.224, 0.225}, loaded.getChannelStd());
    NeuralNetworkClassifier unset = NeuralNetworkClassifier.load(saved(new NeuralNetworkClassifier("nnClf_unset"), dir));
    assertFalse(unset.isSet(unset.inputShape()));
    assertArrayEquals(new int[0], unset.getInputShape());
  }

  static String saved(NeuralNetworkClassifier clf, Path dir) throws IOException {
    String path = uri(dir.resolve(clf.uid()));
    clf.write().save(path);
    return path;
  }

  @Test
  void aRegressorLoadsBackWithItsLoss(@TempDir Path dir) throws IOException {
    NeuralNetworkRegressor reg = new NeuralNetworkRegressor("nnReg_s").setLayers(4, 1).setLoss("huber:0.5").setMaxEpochs(3);
    reg.write().save(uri(dir.resolve("reg")));
    NeuralNetworkRegressor loaded = NeuralNetworkRegressor.read().load(uri(dir.resolve("reg")));
    assertSameParams(reg, loaded);
    assertEquals("huber:0.5", loaded.getLoss());
  }

  @Test
  void savingAnEstimatorOverAnExistingPathNeedsOverwrite(@TempDir Path dir) throws IOException {
    String path = uri(dir.resolve("clf"));
    new NeuralNetworkClassifier("first").setMaxEpochs(2).write().save(path);
    assertEquals("Path " + path + " already exists. To overwrite it, please use write.overwrite().save(path) for Scala and use"
        + " write().overwrite().save(path) for Java and Python.", assertThrows(FileAlreadyExistsException.class,
            () -> new NeuralNetworkClassifier("second").write().save(path)).getMessage());
    assertEquals("first", NeuralNetworkClassifier.load(path).uid());
    new NeuralNetworkClassifier("second").setMaxEpochs(4).write().overwrite().save(path);
    NeuralNetworkClassifier loaded = NeuralNetworkClassifier.load(path);
    assertEquals("second", loaded.uid());
    assertEquals(4, loaded.getMaxEpochs());
  }

  @Test
  void aDirectoryOfAnotherStageIsRefusedByName(@TempDir Path dir) throws IOException {
    String path = uri(dir.resolve("reg"));
    new NeuralNetworkRegressor("nnReg_x").write().save(path);
    assertEquals("metadata: describes a org.sparkdl.ml.NeuralNetworkRegressor; expected org.sparkdl.ml.NeuralNetworkClassifier.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassifier.load(path)).getMessage());
    assertEquals("metadata: describes a org.sparkdl.ml.NeuralNetworkRegressor; expected"
        + " org.sparkdl.ml.NeuralNetworkClassificationModel.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(path)).getMessage());
  }

  @Test
  void aFittedModelLoadsBackWithProvenanceAndIdenticalPredictions(SparkSession spark, @TempDir Path dir) throws IOException {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 150, 2, 2);
    NeuralNetworkClassificationModel model = new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(2).setBatchSize(50)
        .setLearningRate(0.05).setSeed(3).fit(data);
    Path path = dir.resolve("model");
    model.write().save(uri(path));
    JsonNode meta = new ObjectMapper().readTree(Files.readString(path.resolve("metadata/part-00000")));
    assertEquals(NeuralNetworkClassificationModel.class.getName(), meta.get("class").asText());
    assertEquals(model.uid(), meta.get("uid").asText());
    assertEquals(spark.version(), meta.get("sparkVersion").asText());
    JsonNode provenance = meta.get("sparkdl");
    assertEquals(150, provenance.get("trainingRows").asLong());
    assertEquals(2, provenance.get("epochs").asInt());
    assertEquals(3, provenance.get("seed").asLong());
    assertEquals("auto", provenance.get("backend").asText());
    assertEquals(model.summary().lossHistory().get(1), provenance.get("finalLoss").asDouble());

    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(uri(path));
    assertEquals(model.uid(), loaded.uid());
    assertTrue(loaded.hasSummary(), "the summary is saved with the model");
    assertEquals(model.summary(), loaded.summary());
    assertEquals(2, loaded.summary().trainAccuracyHistory().size());
    assertEquals("training", loaded.summary().confusionMatrixSource());
    assertEquals(9, loaded.summary().confusionMatrix().toArray().length);
    assertEquals(150, java.util.Arrays.stream(loaded.summary().confusionMatrix().toArray()).sum(), 0);
    assertEquals(3L, loaded.getSeed());
    assertArrayEquals(model.weights(), loaded.weights());
    List<Row> before = model.transform(data).collectAsList();
    assertEquals(before, loaded.transform(data).collectAsList());
  }
}
