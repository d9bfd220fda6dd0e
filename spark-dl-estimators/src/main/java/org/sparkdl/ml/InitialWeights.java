package org.sparkdl.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.backend.Backend;
import org.sparkdl.ml.scoring.ModelData;
import org.sparkdl.ml.scoring.SavedModel;
import org.sparkdl.nn.Network;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Tensor;

/**
 * The start of a fine-tuning fit ({@code initialModel}): a saved model's weights copied into the
 * network to train, parameter by parameter, where the name and shape agree; the others keep the
 * values their initialisers gave them.
 */
final class InitialWeights {
  private static final Logger LOG = LoggerFactory.getLogger(InitialWeights.class);

  private InitialWeights() {}

  /** The network of the saved model at {@code path} (a model alone, in a PipelineModel, or an .onnx file), as the fit would train it. */
  static ModelData of(SparkSession spark, String path) {
    return ((NetworkModel) SavedModel.load(spark, path, "initialModel", false).model()).modelData();
  }

  /**
   * Copies into {@code network} every parameter and buffer of the model at {@code path} whose name
   * and shape it shares, and says at INFO which were taken and which start from their initialisers.
   *
   * @throws IllegalArgumentException when the two networks share no parameter
   */
  static void apply(SparkSession spark, String path, Network network, String who) {
    ModelData saved = of(spark, path);
    List<String> taken = new ArrayList<>();
    List<String> fresh = new ArrayList<>();
    try (Network from = Network.uninitialised(saved.spec(), Backend.of(network.parameters().values()), DType.FLOAT32)) {
      saved.loadInto(from);
      copy(from.parameters().named(), network.parameters().named(), taken, fresh);
      copy(from.buffers().named(), network.buffers().named(), taken, fresh);
      if (taken.isEmpty()) {
        throw new IllegalArgumentException("initialModel " + path + " shares no parameter (by name and shape) with the"
            + " network to train: it has " + describe(from.parameters().named()) + "; the network has "
            + describe(network.parameters().named()) + ".");
      }
    }
    LOG.info("{}: starts from initialModel {}: {} taken {}{}", who, path, taken.size(), taken,
        fresh.isEmpty() ? "" : "; from their initialisers " + fresh);
  }

  private static void copy(Map<String, Tensor> from, Map<String, Tensor> to, List<String> taken, List<String> fresh) {
    to.forEach((name, target) -> {
      Tensor source = from.get(name);
      if (source != null && source.shape().equals(target.shape())) {
        Backend.of(target).copy(source, target);
        taken.add(name);
      } else {
        fresh.add(source == null ? name : name + " (saved " + source.shape() + ", here " + target.shape() + ")");
      }
    });
  }

  private static String describe(Map<String, Tensor> named) {
    List<String> out = new ArrayList<>();
    named.forEach((name, t) -> out.add(name + " " + t.shape()));
    return out.toString();
  }
}
