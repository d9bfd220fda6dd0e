package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.testkit.SharedSpark;

/**
 * Fine-tuning: a fit that starts from a saved model's weights ({@code initialModel}), with a new
 * head where the shapes differ and layers frozen ({@code frozenLayers}), in each execution mode.
 */
@ExtendWith(SharedSpark.class)
class FineTuningTest {

  /** The first layer's weights and bias of a model of 4-12-k: the first 4 * 12 + 12 values. */
  private static float[] firstLayer(NetworkModel m) {
    return Arrays.copyOf(m.weights(), 4 * 12 + 12);
  }

  @Test
  void aNewHeadTrainsOnTopOfFrozenSavedLayersInEveryMode(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> three = NeuralNetworkClassifierTest.blobs(spark, 300, 3, 2).cache();
    NeuralNetworkClassificationModel base = new NeuralNetworkClassifier().setLayers(4, 12, 3).setBatchSize(32)
        .setLearningRate(0.01).setSeed(7).setMaxEpochs(3).fit(three);
    String saved = tmp.resolve("base").toString();
    base.write().save(saved);
    Dataset<Row> two = three.filter("label < 2").cache();
    String[][] modes = {{"gradient", "barrier"}, {"average", "barrier"}, {"gradient", "rounds"}};
    for (String[] mode : modes) {
      String what = mode[0] + " " + mode[1];
      spark.conf().set(ExecutionPlan.MODE_CONF, mode[1]);
      try {
        NeuralNetworkClassificationModel tuned = new NeuralNetworkClassifier().setLayers(4, 12, 2).setBatchSize(32)
            .setLearningRate(0.05).setSeed(8).setMaxEpochs(3).setSyncMode(mode[0]).setLocalSteps(2)
            .setInitialModel(saved).setFrozenLayers("dense_1").fit(two);
        assertArrayEquals(firstLayer(base), firstLayer(tuned), what + ": the frozen layer is the saved one");
        assertEquals(2, tuned.numClasses(), what);
        double accuracy = tuned.transform(two).filter("prediction = label").count() / (double) two.count();
        assertTrue(accuracy > 0.9, what + ": the new head learns on the frozen features, accuracy " + accuracy);
        // without freezing, the saved layer is where the fit starts, and it moves
        NeuralNetworkClassificationModel free = new NeuralNetworkClassifier().setLayers(4, 12, 2).setBatchSize(32)
            .setLearningRate(0.05).setSeed(8).setMaxEpochs(1).setSyncMode(mode[0]).setLocalSteps(2)
            .setInitialModel(saved).fit(two);
        assertFalse(Arrays.equals(firstLayer(base), firstLayer(free)), what);
      } finally {
        spark.conf().unset(ExecutionPlan.MODE_CONF);
      }
    }
  }

  @Test
  void withoutLayersTheFitContinuesTheSavedNetworkFromItsWeights(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 300, 5, 2).cache();
    NeuralNetworkClassifier scratch = new NeuralNetworkClassifier().setLayers(4, 12, 3).setBatchSize(32)
        .setLearningRate(0.01).setSeed(7).setMaxEpochs(4);
    NeuralNetworkClassificationModel base = scratch.fit(data);
    String saved = tmp.resolve("base").toString();
    // saved inside a pipeline: the fit finds the model among the stages
    new Pipeline().setStages(new PipelineStage[] {scratch}).fit(data).write().save(saved);
    NeuralNetworkClassificationModel pipelined = (NeuralNetworkClassificationModel)
        org.apache.spark.ml.PipelineModel.load(saved).stages()[0];
    NeuralNetworkClassificationModel more = new NeuralNetworkClassifier().setInitialModel(saved).setBatchSize(32)
        .setLearningRate(0.01).setSeed(7).setMaxEpochs(1).fit(data);
    assertEquals(pipelined.spec(), more.spec(), "the saved network, without layers set");
    assertTrue(more.summary().lossHistory().get(0) < base.summary().lossHistory().get(0) * 0.8,
        "the first epoch starts where the saved fit ended: " + more.summary().lossHistory() + " vs "
            + base.summary().lossHistory());
  }

  @Test
  void anOnnxFileStartsTheFitAsASavedModelDoes(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> three = NeuralNetworkClassifierTest.blobs(spark, 300, 3, 2).cache();
    NeuralNetworkClassificationModel base = new NeuralNetworkClassifier().setLayers(4, 12, 3).setBatchSize(32)
        .setLearningRate(0.01).setSeed(7).setMaxEpochs(3).fit(three);
    String onnx = tmp.resolve("base.onnx").toString();
    base.write().format("onnx").save(onnx);
    NeuralNetworkClassificationModel tuned = new NeuralNetworkClassifier().setLayers(4, 12, 2).setBatchSize(32)
        .setLearningRate(0.05).setSeed(8).setMaxEpochs(2).setInitialModel(onnx).setFrozenLayers("dense_1")
        .fit(three.filter("label < 2"));
    assertArrayEquals(firstLayer(base), firstLayer(tuned), "the frozen layer is the exported one, to the bit");
  }

  @Test
  void badNamesAndPathsAreClearErrors(SparkSession spark, @TempDir Path tmp) throws Exception {
    Dataset<Row> data = NeuralNetworkClassifierTest.blobs(spark, 60, 3, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NeuralNetworkClassifier()
        .setLayers(4, 12, 3).setMaxEpochs(1).setFrozenLayers("dense_1, conv*").fit(data));
    assertEquals("Param frozenLayers 'dense_1, conv*': No layer matches [conv*] (a layer name, or a prefix ending in *);"
        + " the network's layers are [dense_1, relu_1, dense_2].", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NeuralNetworkClassifier()
        .setLayers(4, 12, 3).setMaxEpochs(1).setFrozenLayers("dense*").fit(data));
    assertTrue(e.getMessage().contains("leaves no parameter to train"), e.getMessage());
    String other = tmp.resolve("other").toString();
    new NeuralNetworkClassifier().setLayers(4, 5, 5, 3).setMaxEpochs(1).fit(data).write().save(other);
    e = assertThrows(IllegalArgumentException.class, () -> new NeuralNetworkClassifier().setLayers(4, 12, 3)
        .setMaxEpochs(1).setInitialModel(other).fit(data));
    assertTrue(e.getMessage().startsWith("initialModel " + other + " shares no parameter (by name and shape)"),
        e.getMessage());
    Exception missing = assertThrows(Exception.class, () -> new NeuralNetworkClassifier().setLayers(4, 12, 3)
        .setMaxEpochs(1).setInitialModel(tmp.resolve("nothing").toString()).fit(data));
    assertTrue(String.valueOf(missing.getMessage()).contains("nothing"), String.valueOf(missing.getMessage()));
  }
}
