package org.sparkdl.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.backend.Backend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/**
 * The recurrent and embedding ops on their own: gradients with respect to every operand (weights
 * and biases as plain values, not parameters), reversed and masked, and the shape errors.
 */
class RecurrentOpsTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 3);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  private Tensor rand(double scale, int... dims) {
    return ws.scaledNormal(scale, dims);
  }

  @ParameterizedTest
  @EnumSource(RecurrentOps.Cell.class)
  void reversedMaskedPassWithRespectToEveryOperand(RecurrentOps.Cell cell) {
    int g = cell.gates() * 2;
    // [T, B] = [3, 2]: example 0 has 2 steps, example 1 all 3
    Tensor mask = scope.of(DType.FLOAT64, Shape.of(3, 2), new double[] {1, 1, 1, 1, 0, 1});
    for (boolean sequences : new boolean[] {false, true}) {
      GradCheck.check(be, List.of(rand(1, 2, 3, 4), rand(0.5, g, 4), rand(0.5, g, 2), rand(0.5, g), rand(0.5, g)),
          (t, in) -> RecurrentOps.run(cell, in.get(0), mask, in.get(1), in.get(2), in.get(3), in.get(4), true,
              sequences));
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {3, 32})
  void anLstmWithoutGradientsComputesWhatTheTrainingPassDoes(int hidden) {
    // float32 with 32 hidden units takes the SIMD inference step; 3 units the plain loops. The sums come in another
    // order (one gemm of [x, h] against both weights), so the two agree to float32 rounding, grown over five steps
    try (org.sparkdl.backend.cpu.CpuBackend cpu = new org.sparkdl.backend.cpu.CpuBackend(1); Scope s = cpu.openScope("lstm")) {
      java.util.Random r = new java.util.Random(5);
      java.util.function.Function<int[], Tensor> rand = dims -> {
        Tensor t = s.allocate(DType.FLOAT32, Shape.of(dims));
        float[] v = new float[t.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (2 * r.nextGaussian());
        }
        return s.of(DType.FLOAT32, Shape.of(dims), v);
      };
      Tensor x = rand.apply(new int[] {3, 5, 4});
      Tensor[] w = {rand.apply(new int[] {4 * hidden, 4}), rand.apply(new int[] {4 * hidden, hidden}),
          rand.apply(new int[] {4 * hidden}), rand.apply(new int[] {4 * hidden})};
      // [T, B] = [5, 3]: example 1 ends after 3 steps
      Tensor mask = s.of(DType.FLOAT32, Shape.of(5, 3), new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1});
      for (boolean reverse : new boolean[] {false, true}) {
        for (boolean sequences : new boolean[] {false, true}) {
          Tape training = new Tape(s, false, 0);
          Tape inference = new Tape(s, false, 0);
          float[] expected = RecurrentOps.run(RecurrentOps.Cell.LSTM, training.variable(x), mask, training.variable(w[0]),
              training.variable(w[1]), training.variable(w[2]), training.variable(w[3]), reverse, sequences).value.toFloatArray();
          Var out = RecurrentOps.run(RecurrentOps.Cell.LSTM, inference.constant(x), mask, inference.constant(w[0]),
              inference.constant(w[1]), inference.constant(w[2]), inference.constant(w[3]), reverse, sequences);
          float[] found = out.value.toFloatArray();
          assertEquals(expected.length, found.length);
          for (int i = 0; i < found.length; i++) {
            assertEquals(expected[i], found[i], 1e-5f, "reverse " + reverse + ", sequences " + sequences + ", element " + i);
          }
        }
      }
    }
  }

  @Test
  void embeddingOfAPlainTableStartsItsGradientFromZero() {
    Tensor ids = scope.of(DType.FLOAT64, Shape.of(2, 2), new double[] {1, 1, 0, 2});
    GradCheck.check(be, List.of(rand(1, 3, 2)), (t, in) -> SequenceOps.embedding(t.constant(ids), in.get(0), null));
  }

  @Test
  void shapesThatDoNotFitAreNamed() {
    try (Scope s = scope.child("errors")) {
      Tape tape = new Tape(s, false, 0);
      Var x = tape.constant(rand(1, 2, 3, 4));
      Var w = tape.constant(rand(1, 8, 4));
      Var r = tape.constant(rand(1, 8, 2));
      Var b = tape.constant(rand(1, 8));
      assertEquals("lstm needs an input [batch, steps, features]; found [2, 12].", assertThrows(
          IllegalArgumentException.class, () -> RecurrentOps.run(RecurrentOps.Cell.LSTM, tape.constant(rand(1, 2, 12)),
              null, w, r, b, b, false, false)).getMessage());
      assertEquals("gru over an input [2, 3, 4]: weights [8, 4], [8, 2] and biases [8], [8] do not fit; with H = W_hh's"
          + " second dimension they must be [3 H, features], [3 H, H], [3 H] and [3 H].", assertThrows(
              IllegalArgumentException.class, () -> RecurrentOps.run(RecurrentOps.Cell.GRU, x, null, w, r, b, b, false,
                  false)).getMessage());
      Tensor mask = s.zeros(DType.FLOAT64, Shape.of(2, 3));
      assertEquals("lstm over an input [2, 3, 4]: the mask must be [steps, batch] = [3, 2]; found [2, 3].",
          assertThrows(IllegalArgumentException.class, () -> RecurrentOps.run(RecurrentOps.Cell.LSTM, x, mask, w, r, b,
              b, false, true)).getMessage());
      Var ids = tape.constant(s.zeros(DType.FLOAT64, Shape.of(2, 3)));
      assertEquals("embedding needs a table [vocabulary, dimension]; found [2, 3, 4].", assertThrows(
          IllegalArgumentException.class, () -> SequenceOps.embedding(ids, x, null)).getMessage());
      assertEquals("embedding: padding index 8 is outside the table's rows [0, 8).", assertThrows(
          IllegalArgumentException.class, () -> SequenceOps.embedding(ids, w, 8)).getMessage());
      assertEquals("gatherRows: the table must be a matrix [rows, width]; found [2, 3, 4].", assertThrows(
          IllegalArgumentException.class, () -> be.gatherRows(x.value(), ids.value(), s.allocate(DType.FLOAT64,
              Shape.of(2, 3, 4)))).getMessage());
      Tensor wide = s.zeros(DType.FLOAT64, Shape.of(2, 16));
      assertEquals("lstmCell: gates must be contiguous; found a strided [2, 8] view.", assertThrows(
          IllegalArgumentException.class, () -> be.lstmCell(wide.slice(1, 0, 8), s.zeros(DType.FLOAT64, Shape.of(2, 2)),
              s.zeros(DType.FLOAT64, Shape.of(2, 2)), null, s.zeros(DType.FLOAT64, Shape.of(2, 2)),
              s.zeros(DType.FLOAT64, Shape.of(2, 2)), null)).getMessage());
    }
  }
}
