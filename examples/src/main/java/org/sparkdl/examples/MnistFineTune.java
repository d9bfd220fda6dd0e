package org.sparkdl.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkClassifier;
import org.sparkdl.train.InMemoryDataset;

/**
 * Fine-tuning on Spark from an ONNX file: a LeNet with batch normalisation ({@link
 * MnistCnnSpark#lenet()}) is trained on the digits 0-4 of the bundled MNIST sample and exported to
 * ONNX ({@code write().format("onnx")}); the file is imported back ({@code loadOnnx}, scored against
 * the model that wrote it), then a network of the same layers with a new 5-way head learns the
 * digits 5-9 from only 500 rows, starting from the imported weights ({@code initialModel} naming the
 * {@code .onnx} file) with its convolutional layers and their batch normalisation frozen ({@code
 * frozenLayers}). The same start with every layer trained, and the same network trained from
 * scratch on the same 500 rows, are the comparisons. Prints the three accuracies on the test digits
 * 5-9.
 *
 * <pre>
 *   mvn -q -B -pl examples exec:exec -Dexample.main=org.sparkdl.examples.MnistFineTune
 *   mvn -q -B -pl examples exec:exec -Dexample.main=org.sparkdl.examples.MnistFineTune -Dexample.args="3 30 500"
 * </pre>
 *
 * <p>Arguments (all optional): {@code baseEpochs} over the digits 0-4 (default 3), {@code
 * tuneEpochs} over the 500 rows (default 30), {@code rows} of digits 5-9 to learn from (default
 * 500), {@code master} (default {@code local[2]}).
 */
public final class MnistFineTune {
  private MnistFineTune() {}

  /** The rows of {@code d} whose label is in {@code [from, to)}, at most {@code limit}, labels shifted down by {@code from}. */
  static InMemoryDataset digits(InMemoryDataset d, int from, int to, int limit) {
    int w = MnistIdx.WIDTH;
    float[] x = new float[Math.min(limit, d.rows()) * w];
    float[] y = new float[Math.min(limit, d.rows())];
    int n = 0;
    for (int r = 0; r < d.rows() && n < limit; r++) {
      float label = d.targets()[r];
      if (label >= from && label < to) {
        System.arraycopy(d.features(), r * w, x, n * w, w);
        y[n++] = label - from;
      }
    }
    return InMemoryDataset.classification(Arrays.copyOf(x, n * w), w, Arrays.copyOf(y, n));
  }

  private static NeuralNetworkClassifier lenet(int classes, int epochs, int rows) {
    int batch = 64;
    long rounds = (long) epochs * ((rows + batch - 1) / batch);
    return new NeuralNetworkClassifier().setNetwork(MnistCnnSpark.lenet(classes)).setInputShape(1, 28, 28)
        .setOptimizer("adam").setLearningRate(1e-3).setLearningRateSchedule("cosine:" + rounds + ":0")
        .setBatchSize(batch).setMaxEpochs(epochs).setSeed(42);
  }

  public static void main(String[] args) throws Exception {
    int baseEpochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int tuneEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    String master = args.length > 3 ? args[3] : "local[2]";
    SparkSession spark = MnistSpark.session(master, "spark-dl MNIST fine-tuning");
    Path dir = Files.createTempDirectory("sparkdl-finetune");
    try {
      InMemoryDataset all = MnistIdx.load();
      InMemoryDataset train = all.slice(0, MnistIdx.TRAIN_ROWS);
      InMemoryDataset test = all.slice(MnistIdx.TRAIN_ROWS, all.rows());
      Dataset<Row> low = MnistSpark.frame(spark, digits(train, 0, 5, Integer.MAX_VALUE)).cache();
      Dataset<Row> high = MnistSpark.frame(spark, digits(train, 5, 10, rows)).cache();
      Dataset<Row> highTest = MnistSpark.frame(spark, digits(test, 5, 10, Integer.MAX_VALUE)).cache();
      System.out.printf("MNIST sample: %d training rows of digits 0-4; %d of digits 5-9 to fine-tune on; %d test rows of"
          + " digits 5-9; %s%n", low.count(), high.count(), highTest.count(), master);

      long t0 = System.nanoTime();
      NeuralNetworkClassificationModel base = lenet(10, baseEpochs, (int) low.count()).fit(low);
      String onnx = dir.resolve("lenet-0-4.onnx").toUri().toString();
      base.write().format("onnx").save(onnx);
      System.out.printf("LeNet on digits 0-4: %d epochs, %.1f s, exported to %s (%,d bytes)%n", baseEpochs,
          (System.nanoTime() - t0) / 1e9, onnx, Files.size(dir.resolve("lenet-0-4.onnx")));
      // the file read back into our layers scores as the model that wrote it
      Dataset<Row> lowTest = MnistSpark.frame(spark, digits(test, 0, 5, Integer.MAX_VALUE));
      MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
      NeuralNetworkClassificationModel imported = NeuralNetworkClassificationModel.loadOnnx(onnx);
      System.out.printf("Test accuracy on digits 0-4: trained model %.2f%%, imported from ONNX %.2f%%%n",
          100 * accuracy.evaluate(base.transform(lowTest)), 100 * accuracy.evaluate(imported.transform(lowTest)));

      t0 = System.nanoTime();
      NeuralNetworkClassificationModel tuned = lenet(5, tuneEpochs, rows).setInitialModel(onnx)
          .setFrozenLayers("conv*,batch_norm*").fit(high);
      double tunedSeconds = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      NeuralNetworkClassificationModel whole = lenet(5, tuneEpochs, rows).setInitialModel(onnx).fit(high);
      double wholeSeconds = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      NeuralNetworkClassificationModel scratch = lenet(5, tuneEpochs, rows).fit(high);
      double scratchSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("Digits 5-9 from %d rows, %d epochs, test accuracy:%n", high.count(), tuneEpochs);
      System.out.printf("  from the ONNX file, conv layers frozen, new head  %.2f%% in %.1f s%n",
          100 * accuracy.evaluate(tuned.transform(highTest)), tunedSeconds);
      System.out.printf("  from the ONNX file, every layer trained, new head %.2f%% in %.1f s%n",
          100 * accuracy.evaluate(whole.transform(highTest)), wholeSeconds);
      System.out.printf("  from scratch                                      %.2f%% in %.1f s%n",
          100 * accuracy.evaluate(scratch.transform(highTest)), scratchSeconds);
    } finally {
      spark.stop();
      FileUtil.fullyDelete(dir.toFile());
    }
  }
}
