package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
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
 * Attention, the Transformer encoder block and the layers around it against central finite
 * differences in float64 (relative error below {@value GradCheck#TOLERANCE} for every element of
 * every input and parameter), on random inputs of 3 examples of 4 steps with mixed lengths 4, 1, 2.
 *
 * <p>The sizes are small on purpose: with the check's step of 1e-6, one unit in the last place of
 * the loss already moves a numeric derivative by about 1e-10 times the loss, and some derivatives
 * of attention are exactly 0 (a key bias shifts every score of a row alike) or small, so a loss
 * summed over many large outputs would measure rounding, not the gradient.
 */
class AttentionGradientTest {
  private static final int BATCH = 3;
  private static final int STEPS = 4;
  private static final int FEATURES = 4;
  private static final double[] LENGTHS = {4, 1, 2};
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(1, 23);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();
  private final Random random = ws.random();

  private Tensor rand(int... dims) {
    return ws.normal(dims);
  }

  private Tensor lengths() {
    return scope.of(DType.FLOAT64, Shape.of(BATCH, 1), LENGTHS);
  }

  /** Moves biases and norm scales off their constant starts (0 and 1), so every gradient path is exercised. */
  private void randomise(List<Parameter> params) {
    for (Parameter p : params) {
      if (p.init() == Init.ZEROS || p.init() == Init.ONES) {
        double[] v = new double[p.shape().size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (p.init() == Init.ONES ? 1 : 0) + 0.1 * random.nextGaussian();
        }
        p.value().copyFrom(v);
      }
    }
  }

  static Stream<Arguments> attentionOptions() {
    List<Arguments> all = new ArrayList<>();
    for (int heads : new int[] {1, 2, 4}) {
      for (boolean causal : new boolean[] {false, true}) {
        for (boolean masked : new boolean[] {false, true}) {
          for (boolean bias : new boolean[] {false, true}) {
            all.add(Arguments.of(heads, causal, masked, bias));
          }
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "heads {0}, causal {1}, lengths {2}, bias {3}")
  @MethodSource("attentionOptions")
  void multiHeadAttentionWithRespectToInputAndEveryParameter(int heads, boolean causal, boolean masked, boolean bias) {
    MultiHeadAttention attn = new MultiHeadAttention("attn", FEATURES, heads, causal, bias);
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, attn.parameters())) {
      store.initialise(heads);
      randomise(store.parameters());
      Tensor lengths = lengths();
      double worst = GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), store.parameters(), (t, in) -> {
        List<org.sparkdl.autograd.Var> args = new ArrayList<>(in);
        if (masked) {
          args.add(t.constant(lengths));
        }
        return attn.forward(args);
      });
      assertTrue(worst < GradCheck.TOLERANCE);
    }
  }

  @ParameterizedTest(name = "normFirst {0}")
  @ValueSource(booleans = {false, true})
  void wholeEncoderBlockWithLengthsDropoutAndPooling(boolean normFirst) {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", STEPS, FEATURES);
    String len = b.addInput("len", 1);
    String pos = b.addPositionalEmbedding("pos", x);
    String enc = b.addTransformerEncoder("enc", pos, 2, 6, 0.2, normFirst, len);
    b.addSequenceMeanPool("pool", enc, len);
    try (Network net = Network.create(b.build(), be, DType.FLOAT64, 5)) {
      List<Parameter> params = net.parameters().parameters();
      randomise(params);
      Tensor lengths = lengths();
      GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), params,
          (t, in) -> net.forward(Map.of("x", in.get(0), "len", t.constant(lengths))).get("pool"));
    }
  }

  @Test
  void stackedCausalBlocksWithoutLengths() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", STEPS, FEATURES);
    String first = b.addTransformerEncoder(null, "x", 4, 6, 0, true, null);
    b.addTransformerEncoder(null, first, 1, 4, 0, false, null);
    b.addSequenceMeanPool(null, b.addMultiHeadAttention(null, 2, true, false, "encoder_2.norm2", null), null);
    try (Network net = Network.create(b.build(), be, DType.FLOAT64, 6)) {
      randomise(net.parameters().parameters());
      GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), net.parameters().parameters(),
          (t, in) -> net.forward(in.get(0)));
    }
  }

  @Test
  void positionalEmbeddingMeanPoolingAndDenseOnTheLastAxis() {
    PositionalEmbedding pos = new PositionalEmbedding("pos", Shape.of(STEPS, FEATURES), Init.NORMAL);
    Dense dense = new Dense("dense", FEATURES, 3, true, Init.GLOROT_UNIFORM);
    SequenceMeanPool pool = new SequenceMeanPool("pool");
    List<Parameter> params = new ArrayList<>(pos.parameters());
    params.addAll(dense.parameters());
    try (ParameterStore store = new ParameterStore(be, DType.FLOAT64, params)) {
      store.initialise(7);
      randomise(params);
      Tensor lengths = lengths();
      GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), params,
          (t, in) -> pool.forward(List.of(dense.forward(List.of(pos.forward(in))), t.constant(lengths))));
      GradCheck.check(be, List.of(rand(BATCH, STEPS, FEATURES)), params,
          (t, in) -> pool.forward(List.of(dense.forward(List.of(pos.forward(in))))));
      // pooling over a rank-4 input, masked
      GradCheck.check(be, List.of(rand(BATCH, STEPS, 2, 3)), (t, in) -> pool.forward(List.of(in.get(0),
          t.constant(lengths))));
    }
  }
}
