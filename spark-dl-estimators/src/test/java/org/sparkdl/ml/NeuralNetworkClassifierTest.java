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
import org.sparkdl.ml.scoring.NeuralNetworkClassificationModel;
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
    assertEquals(3, model.numClasses());
    assertEquals(4, model.numFeatures());
    Vector raw = model.predictRaw(first.getAs("features"));
    assertEquals(((Vector) first.getAs("rawPrediction")).apply(1), raw.apply(1), 1e-5);
  }
}
