package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/**
 * Embedding and recurrent layers inside networks built from specs: parameter names, what masking
 * means (a padded example gives what its unpadded prefix gives alone), whole-network gradients,
 * and the errors for bad token ids and lengths.
 */
class RecurrentNetworkTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 5);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  private Tensor rand(int... dims) {
    return ws.normal(dims);
  }

  /** tokens [6] and lengths [1] -> embedding(20, 4, padding 0) -> 2-layer bidirectional LSTM -> GRU -> dense 3. */
  private static NetworkSpec textNetwork() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String tokens = b.addInput("tokens", 6);
    String lengths = b.addInput("lengths", 1);
    String emb = b.addEmbedding("emb", 20, 4, 0, tokens);
    String lstm = b.addLstm("lstm", 3, l -> l.withLengths(lengths).withNumLayers(2).withBidirectional(true)
        .withReturnSequences(true), emb);
    String gru = b.addGru("gru", 3, g -> g.withLengths(lengths), lstm);
    b.addDense("out", 3, gru);
    return b.build();
  }

  private Tensor tokens() {
    return scope.of(DType.FLOAT64, Shape.of(3, 6), new double[] {
        4, 7, 19, 0, 0, 0,
        3, 3, 12, 8, 1, 2,
        9, 0, 0, 0, 0, 0});
  }

  private Tensor lengths(double... values) {
    return scope.of(DType.FLOAT64, Shape.of(values.length, 1), values);
  }

  @Test
  void parametersUsePytorchNamesAndThePaddingRowStartsAtZero() {
    try (Network net = Network.create(textNetwork(), be, DType.FLOAT64, 1)) {
      List<String> names = net.parameters().names();
      assertEquals(List.of("emb.weight",
          "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
          "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse",
          "lstm.bias_hh_l0_reverse",
          "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
          "lstm.weight_ih_l1_reverse", "lstm.weight_hh_l1_reverse", "lstm.bias_ih_l1_reverse",
          "lstm.bias_hh_l1_reverse",
          "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0",
          "out.weight", "out.bias"), names);
      Map<String, Tensor> named = net.parameters().named();
      assertEquals(Shape.of(12, 4), named.get("lstm.weight_ih_l0").shape());
      assertEquals(Shape.of(12, 6), named.get("lstm.weight_ih_l1_reverse").shape());
      assertEquals(Shape.of(9, 6), named.get("gru.weight_ih_l0").shape());
      assertArrayEquals(new double[4], named.get("emb.weight").slice(0, 0, 1).toDoubleArray());
      // PyTorch's U(-1/sqrt(H), 1/sqrt(H)) with H = 3
      for (double w : named.get("lstm.weight_hh_l1").toDoubleArray()) {
        assertEquals(0, w, 1 / Math.sqrt(3));
      }
    }
  }

  @Test
  void pytorchInitialisersHaveSpecNames() {
    assertEquals(Init.STANDARD_NORMAL, Init.of("standard_normal"));
    assertEquals(Init.INVERSE_SQRT_UNIFORM, Init.of("inverse_sqrt_uniform"));
    assertEquals("Unknown initialiser 'orthogonal'; known: glorot_uniform, glorot_normal, he_uniform, he_normal,"
        + " uniform, normal, zeros, ones, standard_normal, inverse_sqrt_uniform.",
        assertThrows(IllegalArgumentException.class, () -> Init.of("orthogonal")).getMessage());
  }

  @Test
  void wholeNetworkGradientsWithMixedLengths() {
    try (Network net = Network.create(textNetwork(), be, DType.FLOAT64, 2)) {
      Tensor tokens = tokens();
      Tensor lengths = lengths(3, 6, 1);
      // the padding row is a constant, so it is left out of the check
      Parameter emb = net.parameters().parameters().get(0);
      Parameter rows = new Parameter("emb.weight[1:]", Shape.of(19, 4), emb.init(), 20, 4);
      rows.bind(emb.value().slice(0, 1, 20), emb.grad().slice(0, 1, 20));
      List<Parameter> params = new java.util.ArrayList<>(net.parameters().parameters().subList(1, 23));
      params.add(rows);
      GradCheck.check(be, List.of(), params,
          (t, in) -> net.forward(Map.of("tokens", t.constant(tokens), "lengths", t.constant(lengths))).get("out"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm", "gru"})
  void aPaddedExampleGivesWhatItsPrefixGivesAlone(String cell) {
    Recurrent seq = RecurrentGradientTest.layer(cell, 2, true, true);
    Recurrent last = RecurrentGradientTest.layer(cell, 2, true, false);
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, seq.parameters());
        ParameterStore same = new ParameterStore(be, DType.FLOAT64, last.parameters());
        Scope s = scope.child("forward")) {
      store.initialise(7);
      be.copy(store.values(), same.values());
      Tensor x = rand(2, 5, 3);
      Tape tape = new Tape(s, false, 0);
      List<Var> padded = List.of(tape.constant(x), tape.constant(lengths(2, 5)));
      double[] y = seq.forward(padded).value().toDoubleArray();
      double[] h = last.forward(padded).value().toDoubleArray();
      Var prefix = tape.constant(x.slice(0, 0, 1).slice(1, 0, 2));
      double[] yAlone = seq.forward(List.of(prefix)).value().toDoubleArray();
      double[] hAlone = last.forward(List.of(prefix)).value().toDoubleArray();
      // example 0: steps 0 and 1 as alone, zeros after; its last state (both directions) as alone
      for (int i = 0; i < 2 * 6; i++) {
        assertEquals(yAlone[i], y[i], 1e-12, "sequence output " + i);
      }
      for (int i = 2 * 6; i < 5 * 6; i++) {
        assertEquals(0.0, y[i], "padded output " + i);
      }
      for (int i = 0; i < 6; i++) {
        assertEquals(hAlone[i], h[i], 1e-12, "last state " + i);
      }
      // example 1 has every step: the same as without lengths
      double[] full = last.forward(List.of(tape.constant(x))).value().toDoubleArray();
      for (int i = 6; i < 12; i++) {
        assertEquals(full[i], h[i], 1e-12, "last state of the full example " + i);
      }
    }
  }

  private String forwardError(Tensor tokens, Tensor lengths) {
    try (Network net = Network.create(textNetwork(), be, DType.FLOAT64, 3); Scope s = scope.child("bad")) {
      Tape tape = new Tape(s, false, 0);
      return assertThrows(IllegalArgumentException.class, () -> net.forward(Map.of("tokens", tape.constant(tokens),
          "lengths", tape.constant(lengths)))).getMessage();
    }
  }

  @Test
  void tokenIdsOutsideTheVocabularyNameTheLayerExampleAndStep() {
    Tensor ok = lengths(3, 6, 1);
    double[][] bad = {{20, 5}, {-1, 0}, {2.5, 17}};
    String[] expected = {
        "Layer 'emb': token id 20.0 in example 0 (step 5) is not an integer in [0, 20), the vocabulary.",
        "Layer 'emb': token id -1.0 in example 0 (step 0) is not an integer in [0, 20), the vocabulary.",
        "Layer 'emb': token id 2.5 in example 2 (step 5) is not an integer in [0, 20), the vocabulary."};
    for (int k = 0; k < bad.length; k++) {
      double[] ids = tokens().toDoubleArray();
      ids[(int) bad[k][1]] = bad[k][0];
      assertEquals(expected[k], forwardError(scope.of(DType.FLOAT64, Shape.of(3, 6), ids), ok));
    }
  }

  @Test
  void lengthsOutsideOneToStepsNameTheLayerAndExample() {
    assertEquals("Layer 'lstm': length 0.0 of example 1 is not an integer in [1, 6], the number of steps.",
        forwardError(tokens(), lengths(3, 0, 1)));
    assertEquals("Layer 'lstm': length 7.0 of example 0 is not an integer in [1, 6], the number of steps.",
        forwardError(tokens(), lengths(7, 6, 1)));
    assertEquals("Layer 'lstm': length 2.5 of example 2 is not an integer in [1, 6], the number of steps.",
        forwardError(tokens(), lengths(3, 6, 2.5)));
  }

  @Test
  void layersCalledDirectlyCheckTheirInputs() {
    Lstm lstm = new Lstm("lstm", 3, 4, 1, false, false);
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, lstm.parameters());
        Scope s = scope.child("direct")) {
      Tape tape = new Tape(s, false, 0);
      assertEquals("Layer 'lstm' expects input [batch, steps, 3]; found [2, 5, 4].",
          assertThrows(IllegalArgumentException.class, () -> lstm.forward(List.of(tape.constant(rand(2, 5, 4)))))
              .getMessage());
      assertEquals("Layer 'lstm' expects lengths [batch, 1] = [2, 1] for an input of 2 examples; found [3, 1].",
          assertThrows(IllegalArgumentException.class, () -> lstm.forward(List.of(tape.constant(rand(2, 5, 3)),
              tape.constant(lengths(1, 2, 3))))).getMessage());
      Embedding emb = new Embedding("emb", 5, 2, null);
      assertEquals("Layer 'emb' expects token ids [batch, steps]; found [2, 5, 3].",
          assertThrows(IllegalArgumentException.class, () -> emb.forward(List.of(tape.constant(rand(2, 5, 3)))))
              .getMessage());
    }
    assertEquals("Layer 'gru': input size, hidden size and number of layers must be >= 1; found 3, 0 and 1.",
        assertThrows(IllegalArgumentException.class, () -> new Gru("gru", 3, 0, 1, false, false)).getMessage());
    assertEquals("Layer 'emb': vocabulary size and dimension must be >= 1; found 0 and 2.",
        assertThrows(IllegalArgumentException.class, () -> new Embedding("emb", 0, 2, null)).getMessage());
    assertEquals("Layer 'emb': padding index 5 is outside [0, 5).",
        assertThrows(IllegalArgumentException.class, () -> new Embedding("emb", 5, 2, 5)).getMessage());
  }
}
