package org.sparkdl.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.spec.NetworkSpec;

/**
 * The params every spark-dl estimator and model shares, with one valid non-default value each, for
 * {@link ParamsContract}. A param added to the library without a sample here fails the contract.
 */
public final class NetworkParamSamples {
  /** The names of the shared params. */
  public static final List<String> NAMES = List.of("network", "layers", "hiddenActivation", "optimizer", "learningRate",
      "weightDecay", "clipNorm", "learningRateSchedule", "batchSize", "maxEpochs", "tol", "seed", "weightCol",
      "validationIndicatorCol", "syncMode", "localSteps", "aggregationDepth", "numWorkers", "backend", "validateInput",
      "checkpointDir", "checkpointInterval", "inputShape", "channelMean", "channelStd");

  /** A small valid network: 4 inputs, 8 tanh units, 3 outputs. */
  public static final String NETWORK_JSON =
      NetworkSpec.builder().input("features", 4).dense(8).tanh().dense(3).build().toJson();

  private NetworkParamSamples() {}

  /** One valid, non-default value for each shared param, by name. */
  public static Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("network", NETWORK_JSON);
    m.put("layers", new int[] {4, 8, 3});
    m.put("hiddenActivation", "tanh");
    m.put("optimizer", "sgd");
    m.put("learningRate", 0.01);
    m.put("weightDecay", 1e-4);
    m.put("clipNorm", 1.0);
    m.put("learningRateSchedule", "cosine:100");
    m.put("batchSize", 32);
    m.put("maxEpochs", 3);
    m.put("tol", 1e-3);
    m.put("seed", 7L);
    m.put("weightCol", "w");
    m.put("validationIndicatorCol", "isVal");
    m.put("syncMode", "average");
    m.put("localSteps", 4);
    m.put("aggregationDepth", 3);
    m.put("numWorkers", 3);
    m.put("backend", "cpu");
    m.put("validateInput", false);
    m.put("checkpointDir", "file:/tmp/spark-dl-checkpoints");
    m.put("checkpointInterval", 2);
    m.put("inputShape", new int[] {1, 2, 2});
    m.put("channelMean", new double[] {0.5});
    m.put("channelStd", new double[] {0.25});
    return m;
  }

  /** Adds {@link #values()} to {@code contract} and declares the shared params. */
  public static ParamsContract addTo(ParamsContract contract) {
    contract.declares(NAMES.toArray(new String[0]));
    values().forEach(contract::sample);
    return contract;
  }
}
