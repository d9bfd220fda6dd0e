package org.sparkdl.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/** Every differentiable op against central finite differences in float64, on random inputs. */
class OpsGradientTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 7);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  /** Random normal values, kept at least {@code gap} away from 0 (kinks of ReLU, |x|, Huber's threshold is handled per test). */
  private Tensor rand(double gap, int... dims) {
    return ws.normalAwayFromZero(gap, dims);
  }

  private Tensor rand(int... dims) {
    return rand(0, dims);
  }

  @Test
  void addSubMulDivWithBroadcasting() {
    GradCheck.check(be, List.of(rand(3, 4), rand(4)), (t, in) -> Ops.add(in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(3, 1), rand(3, 4)), (t, in) -> Ops.sub(in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(2, 3, 4), rand(3, 1)), (t, in) -> Ops.mul(in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(3, 4), rand(0.5, 4)), (t, in) -> Ops.div(in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(3, 4)), (t, in) -> Ops.mul(in.get(0), in.get(0)));
  }

  @ParameterizedTest
  @EnumSource(UnaryOp.class)
  void everyElementwiseFunction(UnaryOp op) {
    double p = switch (op) {
      case LEAKY_RELU -> 0.1;
      case ELU -> 1.3;
      case SCALE -> -2.5;
      case ADD_SCALAR -> 0.75;
      case HUBER -> 0.8;
      default -> 0;
    };
    Tensor x = rand(0.05, 4, 5);
    if (op == UnaryOp.SQRT || op == UnaryOp.LOG) {
      be.map(UnaryOp.ABS, x, x, 0);
    }
    if (op == UnaryOp.HUBER) {
      // keep inputs away from the threshold, where the second derivative jumps
      double[] v = x.toDoubleArray();
      for (int i = 0; i < v.length; i++) {
        if (Math.abs(Math.abs(v[i]) - p) < 0.05) {
          v[i] += 0.1;
        }
      }
      x.copyFrom(v);
    }
    GradCheck.check(be, List.of(x), (t, in) -> Ops.map(op, in.get(0), p));
  }

  @Test
  void matmulForAllTransposesAndBatches() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = ta ? rand(4, 3) : rand(3, 4);
        Tensor b = tb ? rand(5, 4) : rand(4, 5);
        GradCheck.check(be, List.of(a, b), (t, in) -> Ops.matmul(in.get(0), ta, in.get(1), tb));
      }
    }
    GradCheck.check(be, List.of(rand(2, 3, 4), rand(2, 4, 2)), (t, in) -> Ops.matmul(in.get(0), false, in.get(1), false));
    GradCheck.check(be, List.of(rand(2, 4, 3), rand(2, 2, 4)), (t, in) -> Ops.matmul(in.get(0), true, in.get(1), true));
  }

  @Test
  void linearWithAndWithoutBias() {
    GradCheck.check(be, List.of(rand(5, 4), rand(3, 4), rand(3)), (t, in) -> Ops.linear(in.get(0), in.get(1), in.get(2)));
    GradCheck.check(be, List.of(rand(5, 4), rand(3, 4)), (t, in) -> Ops.linear(in.get(0), in.get(1), null));
  }

  @Test
  void sparseLinearWithAndWithoutBias() {
    // rows [[0, 1.5, 0, -2, 0, 0], [], [0.5, 0, 0, 0, 0, 3 + 1 (a repeated column)]]
    CsrMatrix x = CsrMatrix.of(scope, DType.FLOAT64, 6, new int[] {0, 2, 2, 5}, new int[] {1, 3, 0, 5, 5},
        new double[] {1.5, -2, 0.5, 3, 1});
    GradCheck.check(be, List.of(rand(6, 4), rand(4)), (t, in) -> Ops.sparseLinear(x, in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(6, 4)), (t, in) -> Ops.sparseLinear(x, in.get(0), null));
  }

  @Test
  void sparseLinearEqualsLinearOnTheDensifiedRowsForwardAndBackward() {
    CsrMatrix x = CsrMatrix.of(scope, DType.FLOAT64, 6, new int[] {0, 2, 2, 5}, new int[] {1, 3, 0, 5, 5},
        new double[] {1.5, -2, 0.5, 3, 1});
    Tensor dense = scope.of(DType.FLOAT64, Shape.of(3, 6), new double[] {
        0, 1.5, 0, -2, 0, 0,
        0, 0, 0, 0, 0, 0,
        0.5, 0, 0, 0, 0, 4});
    Tensor w = rand(6, 4);
    Tensor b = rand(4);
    Tensor g = rand(3, 4);
    Tape sparseTape = new Tape(scope, true, 1);
    Var ws1 = sparseTape.variable(w);
    Var bs = sparseTape.variable(b);
    Var ys = Ops.sparseLinear(x, ws1, bs);
    sparseTape.backward(ys, g);
    Tape denseTape = new Tape(scope, true, 1);
    Var wd = denseTape.variable(w);
    Var bd = denseTape.variable(b);
    Var yd = Ops.add(Ops.matmul(denseTape.constant(dense), false, wd, false), bd);
    denseTape.backward(yd, g);
    assertArrayEquals(yd.value().toDoubleArray(), ys.value().toDoubleArray(), 1e-12);
    assertArrayEquals(wd.grad().toDoubleArray(), ws1.grad().toDoubleArray(), 1e-12);
    assertArrayEquals(bd.grad().toDoubleArray(), bs.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void reductionsAndReshapes() {
    GradCheck.check(be, List.of(rand(3, 4)), (t, in) -> Ops.sum(in.get(0)));
    GradCheck.check(be, List.of(rand(3, 4)), (t, in) -> Ops.mean(in.get(0)));
    GradCheck.check(be, List.of(rand(3, 4, 2)), (t, in) -> Ops.sumTo(in.get(0), Shape.of(4, 1)));
    GradCheck.check(be, List.of(rand(3, 4, 2)), (t, in) -> Ops.meanPerSample(in.get(0)));
    GradCheck.check(be, List.of(rand(3, 4, 2)), (t, in) -> Ops.reshape(in.get(0), 3, 8));
  }

  @Test
  void concatenationAlongEveryAxis() {
    GradCheck.check(be, List.of(rand(3, 2), rand(3, 4)), (t, in) -> Ops.concat(-1, in.get(0), in.get(1)));
    GradCheck.check(be, List.of(rand(1, 4), rand(3, 4), rand(2, 4)), (t, in) -> Ops.concat(0, in.get(0), in.get(1), in.get(2)));
    // the concatenated gradient slices are strided views; a consumer downstream must cope
    GradCheck.check(be, List.of(rand(3, 2), rand(3, 3), rand(4, 5)),
        (t, in) -> Ops.matmul(Ops.concat(1, in.get(0), in.get(1)), false, in.get(2), true));
  }

  @Test
  void softmaxAndLogSoftmax() {
    GradCheck.check(be, List.of(rand(3, 5)), (t, in) -> Ops.softmax(in.get(0)));
    GradCheck.check(be, List.of(rand(3, 5)), (t, in) -> Ops.logSoftmax(in.get(0)));
  }

  @Test
  void softmaxCrossEntropyOnClassIndices() {
    Tensor labels = scope.of(DType.FLOAT64, Shape.of(4), new double[] {0, 2, 1, 2});
    GradCheck.check(be, List.of(rand(4, 3)), (t, in) -> Ops.softmaxCrossEntropy(in.get(0), labels));
  }

  @Test
  void dropoutUsesTheSameMaskForwardAndBackward() {
    GradCheck.check(be, List.of(rand(6, 5)), (t, in) -> Ops.dropout(in.get(0), 0.4));
  }

  @Test
  void graphsWithSharedSubgraphsResidualsAndSeveralInputs() {
    // y = relu(x W1ᵀ) ; z = tanh(y W2ᵀ) + y (residual) ; out = concat(z, x2) * sigmoid(z) shared twice
    GradCheck.check(be, List.of(rand(4, 3), rand(5, 3), rand(5, 5), rand(4, 2)), (t, in) -> {
      Var y = Ops.map(UnaryOp.RELU, Ops.linear(in.get(0), in.get(1), null), 0);
      Var z = Ops.add(Ops.map(UnaryOp.TANH, Ops.linear(y, in.get(2), null), 0), y);
      Var gate = Ops.map(UnaryOp.SIGMOID, z, 0);
      Var both = Ops.concat(1, Ops.mul(z, gate), in.get(3));
      return Ops.add(Ops.sumTo(both, Shape.of(4, 1)), Ops.sumTo(gate, Shape.of(4, 1)));
    });
  }

  @Test
  void backwardNeedsAScalarOrASeed() {
    Tape tape = new Tape(scope, true, 1);
    Var x = tape.variable(rand(2, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.backward(Ops.scale(x, 2)));
    assertEquals("backward() needs a scalar; found shape [2, 2]. Pass a seed gradient for other shapes.", e.getMessage());
    Var c = tape.constant(rand(2));
    e = assertThrows(IllegalArgumentException.class, () -> tape.backward(Ops.sum(c)));
    assertEquals("Nothing to differentiate: Var(FLOAT64 []) does not depend on any parameter.", e.getMessage());
  }
}
