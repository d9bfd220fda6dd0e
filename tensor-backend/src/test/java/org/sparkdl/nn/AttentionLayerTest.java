package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.autograd.AttentionOps;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What attention and sequence pooling do with masks: padded keys are never attended, padded
 * outputs are zero, a causal layer never looks ahead, huge scores stay finite, and bad lengths are
 * refused with the layer, the row and the value named.
 */
class AttentionLayerTest {
  private static final int STEPS = 5;
  private static final int FEATURES = 8;
  private Backend be;
  private Scope scope;
  private final Random random = new Random(31);

  @BeforeEach
  void open() {
    be = new CpuBackend(1);
    scope = be.openScope("test");
  }

  @AfterEach
  void close() {
    scope.close();
    assertEquals(0, be.liveBytes());
  }

  private double[] gaussian(int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * random.nextGaussian();
    }
    return v;
  }

  /** The layer's output for {@code x [B, T, D]} and the given lengths (or none), row-major. */
  private double[] run(Layer layer, DType dt, double[] x, double[] lengths) {
    int batch = x.length / (STEPS * FEATURES);
    try (Scope s = scope.child("run")) {
      Tape tape = new Tape(s, false, 0);
      List<Var> in = new ArrayList<>(List.of(tape.constant(s.of(dt, Shape.of(batch, STEPS, FEATURES), x))));
      if (lengths != null) {
        in.add(tape.constant(s.of(dt, Shape.of(batch, 1), lengths)));
      }
      return layer.forward(in).value().toDoubleArray();
    }
  }

  private ParameterStore bind(MultiHeadAttention attn, DType dt) {
    ParameterStore store = new ParameterStore(be, dt, attn.parameters());
    store.initialise(3);
    for (Parameter p : attn.parameters()) {
      if (p.init() == Init.ZEROS) {
        p.value().copyFrom(gaussian(p.shape().size(), 0.5));
      }
    }
    return store;
  }

  @Test
  void paddedKeysAreNotAttendedAndPaddedOutputsAreZero() {
    MultiHeadAttention attn = new MultiHeadAttention("attn", FEATURES, 2, false, true);
    try (ParameterStore store = bind(attn, DType.FLOAT64)) {
      double[] x = gaussian(2 * STEPS * FEATURES, 1);
      double[] lengths = {3, 1};
      double[] y = run(attn, DType.FLOAT64, x, lengths);
      double[] changed = x.clone();
      for (int t = 3; t < STEPS; t++) {                // padding of example 0
        for (int f = 0; f < FEATURES; f++) {
          changed[(t) * FEATURES + f] += 100;
        }
      }
      for (int t = 1; t < STEPS; t++) {                // padding of example 1
        for (int f = 0; f < FEATURES; f++) {
          changed[(STEPS + t) * FEATURES + f] -= 100;
        }
      }
      double[] y2 = run(attn, DType.FLOAT64, changed, lengths);
      for (int b = 0; b < 2; b++) {
        for (int t = 0; t < STEPS; t++) {
          for (int f = 0; f < FEATURES; f++) {
            int i = (b * STEPS + t) * FEATURES + f;
            if (t >= lengths[b]) {
              assertEquals(0, y[i], 0.0, "padded output " + i);
            } else {
              assertEquals(y[i], y2[i], 1e-12, "valid output " + i + " moved when only padding changed");
            }
          }
        }
      }
      // an example of length 1 attends only to itself: its output is its own value, projected
      double[] unmasked = run(attn, DType.FLOAT64, x, null);
      assertNotEquals(unmasked[STEPS * FEATURES], y[STEPS * FEATURES]);
    }
  }

  @Test
  void aCausalLayerNeverLooksAhead() {
    MultiHeadAttention attn = new MultiHeadAttention("attn", FEATURES, 4, true, true);
    try (ParameterStore store = bind(attn, DType.FLOAT64)) {
      double[] x = gaussian(STEPS * FEATURES, 1);
      double[] y = run(attn, DType.FLOAT64, x, null);
      for (int step = 0; step < STEPS; step++) {
        double[] changed = x.clone();
        changed[step * FEATURES + 2] += 10;
        double[] y2 = run(attn, DType.FLOAT64, changed, null);
        for (int i = 0; i < STEPS * FEATURES; i++) {
          if (i < step * FEATURES) {
            assertEquals(y[i], y2[i], 1e-12, "output " + i + " saw step " + step);
          }
        }
        assertNotEquals(y[step * FEATURES], y2[step * FEATURES]);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void hugeScoresStayFiniteWithEveryMask(DType dt) {
    MultiHeadAttention attn = new MultiHeadAttention("attn", FEATURES, 2, true, true);
    try (ParameterStore store = bind(attn, dt)) {
      double[] y = run(attn, dt, gaussian(3 * STEPS * FEATURES, 1e4), new double[] {1, STEPS, 2});
      for (double v : y) {
        assertTrue(Double.isFinite(v), "non-finite output " + v);
      }
    }
  }

  @Test
  void meanPoolingCountsOnlyTheValidSteps() {
    double[] x = gaussian(2 * STEPS * FEATURES, 1);
    SequenceMeanPool pool = new SequenceMeanPool("pool");
    double[] masked = run(pool, DType.FLOAT64, x, new double[] {2, STEPS});
    double[] plain = run(pool, DType.FLOAT64, x, null);
    for (int b = 0; b < 2; b++) {
      int len = b == 0 ? 2 : STEPS;
      for (int f = 0; f < FEATURES; f++) {
        double valid = 0;
        double all = 0;
        for (int t = 0; t < STEPS; t++) {
          double v = x[(b * STEPS + t) * FEATURES + f];
          all += v;
          valid += t < len ? v : 0;
        }
        assertEquals(valid / len, masked[b * FEATURES + f], 1e-12);
        assertEquals(all / STEPS, plain[b * FEATURES + f], 1e-12);
      }
    }
  }

  @Test
  void badLengthsAreRefusedNamingTheLayerRowAndValue() {
    MultiHeadAttention attn = new MultiHeadAttention("attn", FEATURES, 2, false, true);
    try (ParameterStore store = bind(attn, DType.FLOAT32)) {
      double[] x = gaussian(3 * STEPS * FEATURES, 1);
      assertEquals("Layer 'attn': row 1 has length 0.0; lengths must be whole numbers from 1 to 5 (the steps of the"
          + " sequence).", assertThrows(IllegalArgumentException.class,
              () -> run(attn, DType.FLOAT32, x, new double[] {2, 0, 3})).getMessage());
      assertEquals("Layer 'attn': row 2 has length 6.0; lengths must be whole numbers from 1 to 5 (the steps of the"
          + " sequence).", assertThrows(IllegalArgumentException.class,
              () -> run(attn, DType.FLOAT32, x, new double[] {2, 5, 6})).getMessage());
      assertEquals("Layer 'attn': row 0 has length 2.5; lengths must be whole numbers from 1 to 5 (the steps of the"
          + " sequence).", assertThrows(IllegalArgumentException.class,
              () -> run(attn, DType.FLOAT32, x, new double[] {2.5, 1, 1})).getMessage());
      assertEquals("Layer 'pool': row 0 has length NaN; lengths must be whole numbers from 1 to 5 (the steps of the"
          + " sequence).", assertThrows(IllegalArgumentException.class,
              () -> run(new SequenceMeanPool("pool"), DType.FLOAT32, x, new double[] {Double.NaN, 1, 1})).getMessage());
    }
  }

  @Test
  void wrongShapesAreRefusedNamingTheLayer() {
    assertEquals("Layer 'attn': 6 features do not split into 4 heads.",
        assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention("attn", 6, 4, false, true))
            .getMessage());
    MultiHeadAttention attn = new MultiHeadAttention("attn", 4, 2, false, true);
    try (ParameterStore store = bind(attn, DType.FLOAT64); Scope s = scope.child("shapes")) {
      Tape tape = new Tape(s, false, 0);
      Var x = tape.constant(s.allocate(DType.FLOAT64, Shape.of(2, 3, 5)));
      assertEquals("Layer 'attn' expects an input [batch, steps, 4]; found [2, 3, 5].",
          assertThrows(IllegalArgumentException.class, () -> attn.forward(List.of(x))).getMessage());
      Var ok = tape.constant(s.zeros(DType.FLOAT64, Shape.of(2, 3, 4)));
      Var lengths = tape.constant(s.zeros(DType.FLOAT64, Shape.of(2)));
      assertEquals("Layer 'attn': the lengths must have shape [2, 1] (one per example); found [2].",
          assertThrows(IllegalArgumentException.class, () -> attn.forward(List.of(ok, lengths))).getMessage());
      assertEquals("scaledDotProduct needs packed queries, keys and values [batch, steps, 3 * heads * width]; found"
          + " [2, 3, 4] for 2 heads.", assertThrows(IllegalArgumentException.class,
              () -> AttentionOps.scaledDotProduct(ok, 2, null)).getMessage());
      PositionalEmbedding pos = new PositionalEmbedding("pos", Shape.of(3, 5), Init.NORMAL);
      assertEquals("Layer 'pos' expects examples of shape [3, 5]; found [2, 3, 4] (batch first).",
          assertThrows(IllegalArgumentException.class, () -> pos.forward(List.of(ok))).getMessage());
      assertEquals("Layer 'pool' expects an input [batch, steps, ...]; found [2, 3].",
          assertThrows(IllegalArgumentException.class, () -> new SequenceMeanPool("pool")
              .forward(List.of(tape.constant(s.allocate(DType.FLOAT64, Shape.of(2, 3)))))).getMessage());
    }
  }
}
