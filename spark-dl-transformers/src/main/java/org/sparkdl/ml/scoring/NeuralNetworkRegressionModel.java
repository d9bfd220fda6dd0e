package org.sparkdl.ml.scoring;

import org.apache.spark.ml.util.MLReader;

/**
 * The former name of {@link org.sparkdl.ml.NeuralNetworkRegressionModel}, kept so that models and
 * pipelines saved under it still load: Spark's {@code Pipeline.load} and {@code
 * DefaultParamsReader} find a stage's reader through the class named in its metadata. Loading
 * gives the model under its current name.
 *
 * @deprecated use {@link org.sparkdl.ml.NeuralNetworkRegressionModel}
 */
@Deprecated
public final class NeuralNetworkRegressionModel {
  private NeuralNetworkRegressionModel() {}

  /** The reader of {@link org.sparkdl.ml.NeuralNetworkRegressionModel}, which also reads saves made under this name. */
  public static MLReader<org.sparkdl.ml.NeuralNetworkRegressionModel> read() {
    return org.sparkdl.ml.NeuralNetworkRegressionModel.read();
  }

  /** Loads the model saved at {@code path}. */
  public static org.sparkdl.ml.NeuralNetworkRegressionModel load(String path) {
    return read().load(path);
  }
}
