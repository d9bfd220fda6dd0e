package org.sparkdl.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.testing.MnistData;
import org.sparkdl.train.InMemoryDataset;

/**
 * The bundled MNIST sample as DataFrames ({@code label double, features vector}, pixels in
 * {@code [0, 1]}): the first 8000 rows for training, the last 2000 for testing, in two partitions.
 */
public final class MnistFrames {
  public static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType, false)
      .add("features", SQLDataTypes.VectorType(), false);

  private MnistFrames() {}

  public static Dataset<Row> train(SparkSession spark) {
    return frame(spark, load().slice(0, MnistData.TRAIN));
  }

  public static Dataset<Row> test(SparkSession spark) {
    InMemoryDataset all = load();
    return frame(spark, all.slice(MnistData.TRAIN, all.rows()));
  }

  /** The rows as a two-partition DataFrame. */
  public static Dataset<Row> frame(SparkSession spark, InMemoryDataset d) {
    List<Row> rows = new ArrayList<>(d.rows());
    int w = d.sampleShape().size();
    for (int r = 0; r < d.rows(); r++) {
      double[] x = new double[w];
      for (int j = 0; j < w; j++) {
        x[j] = d.features()[r * w + j];
      }
      rows.add(RowFactory.create((double) d.targets()[r], Vectors.dense(x)));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  private static InMemoryDataset load() {
    try {
      return MnistData.all();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
