package org.sparkdl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.MeanSquaredError;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** The trainer on networks of several named inputs, as sequences with their lengths arrive. */
class LocalTrainerInputsTest {
  private static final CpuBackend CPU = new CpuBackend(1);

  @AfterAll
  static void close() {
    assertEquals(0, CPU.liveBytes());
    CPU.close();
  }

  /** seq [3, 2] flattened, joined with lengths [1], dense 1: the target is the number of steps. */
  static NetworkSpec sequenceNetwork() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String seq = b.addInput("seq", 3, 2);
    String len = b.addInput("lengths", 1);
    b.addConcat("joined", -1, b.addFlatten("flat", seq), len);
    b.addDense("out", 1, "joined");
    return b.build();
  }

  @Test
  void trainsAndEvaluatesANetworkOfTwoInputsFedByName() {
    try (Network net = Network.create(sequenceNetwork(), CPU, DType.FLOAT32, 3);
        LocalTrainer t = new LocalTrainer(net, new MeanSquaredError(), OptimizerSpec.adam(0.05), 3);
        Scope s = CPU.openScope("data")) {
      // flat [B, 6] sequences, as the Arrow batches hold them, and each row's length
      Tensor seq = s.of(DType.FLOAT32, Shape.of(4, 6), new float[] {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 0,
          0, 0, 0});
      Tensor lengths = s.of(DType.FLOAT32, Shape.of(4, 1), new float[] {1, 2, 3, 1});
      Tensor target = s.of(DType.FLOAT32, Shape.of(4, 1), new float[] {1, 2, 3, 1});
      Map<String, Tensor> inputs = Map.of("seq", seq, "lengths", lengths);
      double first = t.evaluate(inputs, target, null, false).meanLoss();
      for (int i = 0; i < 200; i++) {
        t.zeroGradients();
        BatchStats b = t.accumulateGradients(inputs, target, null, i);
        assertEquals(4, b.rows());
        t.applyGradients(b.weightSum());
      }
      double last = t.evaluate(inputs, target, null, false).meanLoss();
      assertTrue(last < first / 100, "loss fell from " + first + " to " + last);
      assertEquals("Input 'lengths' is missing; the network reads [seq, lengths].",
          assertThrows(IllegalArgumentException.class, () -> t.accumulateGradients(seq, target, null, 0)).getMessage());
    }
  }

  @Test
  void refusesANetworkOfSeveralOutputs() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 2);
    b.addDense("a", 1, x);
    b.addDense("b", 1, x);
    NetworkSpec twoOutputs = b.outputs("a", "b").build();
    try (Network net = Network.create(twoOutputs, CPU, DType.FLOAT32, 1);
        LocalTrainer t = new LocalTrainer(net, new MeanSquaredError(), OptimizerSpec.adam(0.01), 1);
        Scope s = CPU.openScope("data")) {
      Tensor in = s.of(DType.FLOAT32, Shape.of(1, 2), new float[] {1, 2});
      Tensor y = s.of(DType.FLOAT32, Shape.of(1, 1), new float[] {1});
      assertEquals("The network has 2 outputs; a trainer needs one.",
          assertThrows(IllegalArgumentException.class, () -> t.accumulateGradients(in, y, null, 0)).getMessage());
    }
  }
}
