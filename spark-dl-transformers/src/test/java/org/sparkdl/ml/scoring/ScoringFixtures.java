package org.sparkdl.ml.scoring;

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
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.testkit.SharedSpark;

/** Models with seeded initial weights and small DataFrames to score, for the scoring tests. */
final class ScoringFixtures {
  /** {@code id long, features vector}. */
  static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType());

  private ScoringFixtures() {}

  /** The initial weights Kaiming/Xavier initialisation gives {@code spec} under {@code seed}. */
  static float[] weights(NetworkSpec spec, long seed) {
    try (Network n = Network.create(spec, ExecutorBackends.host(), DType.FLOAT32, seed)) {
      return n.parameters().values().toFloatArray();
    }
  }

  /** A classifier MLP of {@code layers} (relu between), seeded weights. */
  static NeuralNetworkClassificationModel classifier(String uid, int... layers) {
    NetworkSpec spec = NetworkSpec.mlp(layers, "relu");
    return new NeuralNetworkClassificationModel(uid, spec, weights(spec, 11));
  }

  /** A regressor MLP of {@code layers} (relu between), seeded weights. */
  static NeuralNetworkRegressionModel regressor(String uid, int... layers) {
    NetworkSpec spec = NetworkSpec.mlp(layers, "relu");
    return new NeuralNetworkRegressionModel(uid, spec, weights(spec, 13));
  }

  /** Row i of {@link #frame}: Gaussian features of {@code width}; every fourth row sparse. */
  static Vector features(Random r, int i, int width) {
    double[] x = new double[width];
    for (int j = 0; j < width; j++) {
      x[j] = r.nextGaussian();
    }
    if (i % 4 == 0) {
      x[0] = 0;
      return Vectors.dense(x).toSparse();
    }
    return Vectors.dense(x);
  }

  /** {@code n} rows of {@link #SCHEMA} in {@code partitions} partitions (contiguous slices of ids). */
  static Dataset<Row> frame(SparkSession spark, int n, int width, int partitions) {
    Random r = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create((long) i, features(r, i, width)));
    }
    return spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, partitions), SCHEMA);
  }

  /** {@code rows} as a DataFrame of {@code schema} in {@code partitions} partitions. */
  static Dataset<Row> frame(SparkSession spark, List<Row> rows, StructType schema, int partitions) {
    return spark.createDataFrame(SharedSpark.jsc(spark).parallelize(rows, partitions), schema);
  }

  /** The vector column {@code col} of {@code scored}, ordered by id, as arrays. */
  static List<double[]> vectors(Dataset<Row> scored, String col) {
    List<double[]> out = new ArrayList<>();
    for (Row r : scored.orderBy("id").select(col).collectAsList()) {
      out.add(((Vector) r.get(0)).toArray());
    }
    return out;
  }

  /** The double column {@code col} of {@code scored}, ordered by id. */
  static double[] doubles(Dataset<Row> scored, String col) {
    return scored.orderBy("id").select(col).collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
  }
}
