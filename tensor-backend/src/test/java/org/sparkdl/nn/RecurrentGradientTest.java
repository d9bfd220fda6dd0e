package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/**
 * LSTM and GRU against finite differences in float64, for every combination of one or two layers,
 * one or two directions, last state or whole sequence, and all steps real or lengths that mix 1,
 * T and one in between; and the embedding with and without a padding row.
 */
class RecurrentGradientTest {
  private static final int BATCH = 3;
  private static final int STEPS = 4;
  private static final int FEATURES = 3;
  private static final int HIDDEN = 3;
  /** Lengths of the three examples: one step, all steps, and two. */
  private static final double[] LENGTHS = {1, STEPS, 2};

  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 23);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  private Tensor rand(int... dims) {
    return ws.normal(dims);
  }

  static Stream<Arguments> everyOption() {
    List<Arguments> all = new ArrayList<>();
    for (String cell : List.of("lstm", "gru")) {
      for (int layers : new int[] {1, 2}) {
        for (boolean bidirectional : new boolean[] {false, true}) {
          for (boolean sequences : new boolean[] {false, true}) {
            for (boolean masked : new boolean[] {false, true}) {
              all.add(Arguments.of(cell, layers, bidirectional, sequences, masked));
            }
          }
        }
      }
    }
    return all.stream();
  }

  static Recurrent layer(String cell, int layers, boolean bidirectional, boolean sequences) {
    return cell.equals("lstm")
        ? new Lstm(cell, FEATURES, HIDDEN, layers, bidirectional, sequences)
        : new Gru(cell, FEATURES, HIDDEN, layers, bidirectional, sequences);
  }

  @ParameterizedTest(name = "{0}, {1} layer(s), bidirectional {2}, sequences {3}, masked {4}")
  @MethodSource("everyOption")
  void recurrentLayersWithRespectToInputAndEveryParameter(String cell, int layers, boolean bidirectional,
      boolean sequences, boolean masked) {
    Recurrent r = layer(cell, layers, bidirectional, sequences);
    Tensor lengths = scope.of(DType.FLOAT64, Shape.of(BATCH, 1), LENGTHS);
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, r.parameters())) {
      store.initialise(5);
      double worst = GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), store.parameters(),
          (t, in) -> r.forward(masked ? List.of(in.get(0), t.constant(lengths)) : List.of(in.get(0))));
      assertTrue(worst < GradCheck.TOLERANCE, "worst relative error " + worst);
    }
  }

  @Test
  void embeddingWithRespectToItsTableWithRepeatedIds() {
    Embedding e = new Embedding("embedding", 5, 3, null);
    Tensor ids = scope.of(DType.FLOAT64, Shape.of(2, 4), new double[] {0, 3, 3, 4, 1, 0, 2, 3});
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, e.parameters())) {
      store.initialise(3);
      GradCheck.check(be, List.of(), store.parameters(), (t, in) -> e.forward(List.of(t.constant(ids))));
    }
  }

  @Test
  void embeddingWithPaddingIndexChecksEveryOtherRowAndLeavesThePaddingRowAtZero() {
    Embedding e = new Embedding("embedding", 5, 3, 0);
    Tensor ids = scope.of(DType.FLOAT64, Shape.of(2, 4), new double[] {0, 1, 3, 4, 0, 0, 2, 3});
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, e.parameters())) {
      store.initialise(3);
      e.afterInitialise();
      Parameter w = store.parameters().get(0);
      assertEquals(List.of(0.0, 0.0, 0.0), rows(w.value(), 0), "the padding row starts at zero");
      // the rows a gradient may reach, as a parameter of their own; the padding row is a constant
      Parameter others = new Parameter("embedding.weight[1:]", Shape.of(4, 3), w.init(), 5, 3);
      others.bind(w.value().slice(0, 1, 5), w.grad().slice(0, 1, 5));
      GradCheck.check(be, List.of(), List.of(others), (t, in) -> {
        Var y = e.forward(List.of(t.constant(ids)));
        return org.sparkdl.autograd.Ops.mul(y, y);
      });
      assertEquals(List.of(0.0, 0.0, 0.0), rows(w.grad(), 0), "the padding row's gradient");
    }
  }

  @Test
  void embeddingPaddingRowInTheMiddleGetsNoGradientAndTheOthersTheirs() {
    Tensor ids = scope.of(DType.FLOAT64, Shape.of(2, 3), new double[] {2, 1, 2, 4, 2, 0});
    double[][] grads = new double[2][];
    for (int k = 0; k < 2; k++) {
      Embedding e = new Embedding("embedding", 5, 2, k == 0 ? null : 2);
      try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, e.parameters());
          Scope s = scope.child("pass")) {
        store.initialise(3);
        org.sparkdl.autograd.Tape tape = new org.sparkdl.autograd.Tape(s, true, 0);
        tape.backward(org.sparkdl.autograd.Ops.sum(e.forward(List.of(tape.constant(ids)))));
        grads[k] = store.grads().toDoubleArray();
      }
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(i / 2 == 2 ? 0.0 : grads[0][i], grads[1][i], "gradient element " + i);
    }
    assertEquals(3.0, grads[0][4], "row 2 is read three times");
  }

  private static List<Double> rows(Tensor t, int row) {
    double[] v = t.slice(0, row, row + 1).toDoubleArray();
    List<Double> out = new ArrayList<>();
    for (double x : v) {
      out.add(x);
    }
    return out;
  }
}
