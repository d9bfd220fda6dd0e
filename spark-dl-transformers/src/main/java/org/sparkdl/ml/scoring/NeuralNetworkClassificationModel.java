package org.sparkdl.ml.scoring;

import org.apache.spark.ml.util.MLReader;

/**
 * The former name of {@link org.sparkdl.ml.NeuralNetworkClassificationModel}, kept so that models and
 * pipelines saved under it still load: Spark's {@code Pipeline.load} and {@code
 * DefaultParamsReader} find a stage's reader through the class named in its metadata. Loading
 * gives the model under its current name.
 *
 * @deprecated use {@link org.sparkdl.ml.NeuralNetworkClassificationModel}
 */
@Deprecated
public final class NeuralNetworkClassificationModel {
  private NeuralNetworkClassificationModel() {}

  /** The reader of {@link org.sparkdl.ml.NeuralNetworkClassificationModel}, which also reads saves made under this name. */
  public static MLReader<org.sparkdl.ml.NeuralNetworkClassificationModel> read() {
    return org.sparkdl.ml.NeuralNetworkClassificationModel.read();
  }

  /** Loads the model saved at {@code path}. */
  public static org.sparkdl.ml.NeuralNetworkClassificationModel load(String path) {
    return read().load(path);
  }
}
