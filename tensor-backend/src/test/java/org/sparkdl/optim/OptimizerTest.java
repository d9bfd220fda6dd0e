package org.sparkdl.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Optimizers against hand-derived steps on {@code f(x) = x^2 / 2} (gradient {@code x}), and
 * against each other on a convex problem; both float32 and float64.
 */
class OptimizerTest {
  private Backend be;
  private Scope scope;

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

  /** Runs {@code steps} updates of f(x) = x^2/2 from x0 and returns the trajectory. */
  private double[] trajectory(OptimizerSpec spec, DType dt, double x0, int steps, DoubleUnaryOperator grad) {
    Tensor p = scope.of(dt, Shape.of(1), new double[] {x0});
    Tensor g = scope.zeros(dt, Shape.of(1));
    double[] xs = new double[steps];
    try (Optimizer opt = spec.create(p, g)) {
      for (int i = 0; i < steps; i++) {
        g.copyFrom(new double[] {grad.applyAsDouble(p.item())});
        opt.step(1.0);
        xs[i] = p.item();
      }
    }
    return xs;
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void sgdWithMomentumAndNesterovFollowTheirRecurrences(DType dt) {
    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
    assertArrayEquals(new double[] {0.9, 0.81, 0.729}, trajectory(OptimizerSpec.sgd(0.1), dt, 1, 3, x -> x), tol);
    // buf = 0.9 buf + g: 1, 1.8, 2.34 -> x = 0.9, 0.72, 0.486
    assertArrayEquals(new double[] {0.9, 0.72, 0.486},
        trajectory(OptimizerSpec.sgd(0.1).withMomentum(0.9, false), dt, 1, 3, x -> x), tol);
    // step = g + 0.9 buf: 1.9 -> 0.81; g = 0.81, buf = 1.71, step = 2.349 -> 0.5751
    assertArrayEquals(new double[] {0.81, 0.5751},
        trajectory(OptimizerSpec.sgd(0.1).withMomentum(0.9, true), dt, 1, 2, x -> x), tol);
    // L2 weight decay adds wd x to the gradient: g = 1 + 0.5 -> x = 1 - 0.15
    assertArrayEquals(new double[] {0.85}, trajectory(OptimizerSpec.sgd(0.1).withWeightDecay(0.5), dt, 1, 1, x -> x), tol);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void adamFirstStepsMatchTheBiasCorrectedRule(DType dt) {
    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-12;
    // t=1: m = 0.1, v = 0.001, mhat = 1, vhat = 1 -> x1 = 1 - 0.1 (less a hair for eps)
    // t=2: g = x1, m = 0.09 + 0.1 x1, v = 0.000999 + 0.001 x1^2, mhat = m/0.19, vhat = v/0.001999
    double x1 = 1 - 0.1 / (1 + 1e-8);
    double m2 = 0.09 + 0.1 * x1;
    double v2 = 0.000999 + 0.001 * x1 * x1;
    double x2 = x1 - 0.1 * (m2 / 0.19) / (Math.sqrt(v2 / 0.001999) + 1e-8);
    assertArrayEquals(new double[] {x1, x2}, trajectory(OptimizerSpec.adam(0.1), dt, 1, 2, x -> x), tol);
    // Adam's first step is lr * sign(g), whatever the gradient's size
    assertEquals(5 - 0.1 / (1 + 1e-8 / 5e4), trajectory(OptimizerSpec.adam(0.1), dt, 5, 1, x -> 1e4 * x)[0], tol * 5);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void adamWDecaysWeightsDecoupledFromTheGradient(DType dt) {
    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
    // zero gradient: moments stay 0, so only the decoupled decay acts: x *= (1 - lr wd)
    double[] xs = trajectory(OptimizerSpec.adamW(0.1, 0.5), dt, 2, 3, x -> 0);
    assertArrayEquals(new double[] {2 * 0.95, 2 * 0.95 * 0.95, 2 * Math.pow(0.95, 3)}, xs, tol);
    // plain Adam with the same decay treats it as L2 gradient: its first step is lr * sign(wd x)
    assertEquals(2 - 0.1 / (1 + 1e-8), trajectory(OptimizerSpec.adam(0.1).withWeightDecay(0.5), dt, 2, 1, x -> 0)[0], tol * 2);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void rmsPropScalesByTheRootMeanSquare(DType dt) {
    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-12;
    // sq = 0.01 g^2 -> step = lr g / (0.1 |g| + eps) = 0.1 for lr 0.01
    double x1 = 1 - 0.01 * 1 / (0.1 + 1e-8);
    double sq2 = 0.99 * 0.01 + 0.01 * x1 * x1;
    double x2 = x1 - 0.01 * x1 / (Math.sqrt(sq2) + 1e-8);
    assertArrayEquals(new double[] {x1, x2}, trajectory(OptimizerSpec.rmsProp(0.01), dt, 1, 2, x -> x), tol);
    // with momentum: buf = 0.5 buf + g / (sqrt(sq) + eps), x -= lr buf
    double buf1 = 1 / (0.1 + 1e-8);
    double buf2 = 0.5 * buf1 + x1 / (Math.sqrt(sq2) + 1e-8);
    assertArrayEquals(new double[] {x1, x1 - 0.01 * buf2},
        trajectory(OptimizerSpec.rmsProp(0.01).withMomentum(0.5, false), dt, 1, 2, x -> x), tol);
  }

  @Test
  void clippingScalesTheGlobalNormDown() {
    Tensor p = scope.zeros(DType.FLOAT64, Shape.of(2));
    Tensor g = scope.of(DType.FLOAT64, Shape.of(2), new double[] {3, 4});
    try (Optimizer opt = OptimizerSpec.sgd(1).withClipNorm(1).create(p, g)) {
      assertEquals(5, opt.step(1.0), 1e-12);
      assertArrayEquals(new double[] {-0.6, -0.8}, p.toDoubleArray(), 1e-12);
      // a norm under the limit is left alone, after the gradient scale
      assertEquals(0.5, opt.step(0.1), 1e-12);
      assertArrayEquals(new double[] {-0.9, -1.2}, p.toDoubleArray(), 1e-12);
    }
  }

  @Test
  void schedulesGiveTheirFactorsAndRoundTripAsText() {
    LearningRateSchedule step = LearningRateSchedule.parse("step:10:0.5");
    assertEquals(1, step.factor(10));
    assertEquals(0.5, step.factor(11));
    assertEquals(0.25, step.factor(25));
    LearningRateSchedule cos = LearningRateSchedule.parse("cosine:100:0.1");
    assertEquals(1, cos.factor(1), 1e-12);
    assertEquals(0.55, cos.factor(51), 1e-12);
    assertEquals(0.1, cos.factor(101), 1e-12);
    assertEquals(0.1, cos.factor(500), 1e-12);
    LearningRateSchedule warm = LearningRateSchedule.parse("warmup:4+cosine:10");
    assertArrayEquals(new double[] {0.25, 0.5, 0.75, 1, 1}, new double[] {warm.factor(1), warm.factor(2), warm.factor(3),
        warm.factor(4), warm.factor(5)}, 1e-12);
    assertEquals(0.5, warm.factor(4 + 6), 1e-12);
    for (String s : new String[] {"constant", "step:10:0.5", "cosine:100:0.1", "warmup:4+cosine:10:0.0", "warmup:3+constant"}) {
      assertEquals(s, LearningRateSchedule.parse(s).toString());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("linear:3"));
    assertEquals("Learning-rate schedule 'linear:3' is invalid; expected constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>.",
        e.getMessage());
  }

  @Test
  void scheduleDrivesTheRateOfEachStep() {
    // sgd with step decay halving every step: x -= lr * 0.5^(t-1) * g with constant g = 1
    double[] xs = trajectory(OptimizerSpec.sgd(1).withSchedule("step:1:0.5"), DType.FLOAT64, 0, 3, x -> 1);
    assertArrayEquals(new double[] {-1, -1.5, -1.75}, xs, 1e-15);
  }

  @ParameterizedTest
  @EnumSource(value = OptimizerKind.class)
  void everyOptimizerMinimisesAnIllConditionedQuadratic(OptimizerKind kind) {
    // f(x) = sum(c_i x_i^2) / 2 with curvatures 1..100
    int n = 8;
    Tensor p = scope.of(DType.FLOAT32, Shape.of(n), new double[] {1, -1, 1, -1, 1, -1, 1, -1});
    Tensor g = scope.zeros(DType.FLOAT32, Shape.of(n));
    double[] c = {1, 2, 5, 10, 20, 40, 70, 100};
    try (Optimizer opt = kind.spec.create(p, g)) {
      for (int i = 0; i < 2000; i++) {
        double[] x = p.toDoubleArray();
        double[] grad = new double[n];
        for (int j = 0; j < n; j++) {
          grad[j] = c[j] * x[j];
        }
        g.copyFrom(grad);
        opt.step(1.0);
      }
    }
    for (double x : p.toDoubleArray()) {
      assertTrue(Math.abs(x) < 1e-2, kind + " left " + x);
    }
  }

  enum OptimizerKind {
    SGD(OptimizerSpec.sgd(0.015)),
    MOMENTUM(OptimizerSpec.sgd(0.005).withMomentum(0.9, false)),
    NESTEROV(OptimizerSpec.sgd(0.005).withMomentum(0.9, true)),
    ADAM(OptimizerSpec.adam(0.01).withSchedule("cosine:2000:0.01")),
    ADAMW(OptimizerSpec.adamW(0.01, 0.01).withSchedule("warmup:50+cosine:1950:0.01")),
    RMSPROP(OptimizerSpec.rmsProp(0.003).withSchedule("step:500:0.3"));

    final OptimizerSpec spec;

    OptimizerKind(OptimizerSpec spec) {
      this.spec = spec;
    }
  }

  @Test
  void restoringSavedStateContinuesExactly() {
    double[] straight = trajectory(OptimizerSpec.adam(0.05), DType.FLOAT64, 3, 6, x -> x * x * x);
    Tensor p = scope.of(DType.FLOAT64, Shape.of(1), new double[] {3});
    Tensor g = scope.zeros(DType.FLOAT64, Shape.of(1));
    Map<String, double[]> saved = new java.util.HashMap<>();
    long steps;
    try (Optimizer opt = OptimizerSpec.adam(0.05).create(p, g)) {
      for (int i = 0; i < 3; i++) {
        double x = p.item();
        g.copyFrom(new double[] {x * x * x});
        opt.step(1.0);
      }
      opt.state().forEach((k, v) -> saved.put(k, v.toDoubleArray()));
      steps = opt.steps();
    }
    try (Optimizer resumed = OptimizerSpec.adam(0.05).create(p, g); Scope s = scope.child("saved")) {
      Map<String, Tensor> state = new java.util.HashMap<>();
      saved.forEach((k, v) -> state.put(k, s.of(DType.FLOAT64, Shape.of(1), v)));
      resumed.restore(state, steps);
      for (int i = 3; i < 6; i++) {
        double x = p.item();
        g.copyFrom(new double[] {x * x * x});
        resumed.step(1.0);
        assertEquals(straight[i], p.item(), 0.0, "step " + i);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resumed.restore(Map.of(), 1));
      assertEquals("Saved adam state lacks 'm'; found [].", e.getMessage());
    }
  }

  @Test
  void invalidHyperParametersAreRejectedWithTheirValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.adam(-1));
    assertEquals("Optimizer: learningRate must be > 0, found -1.0.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.sgd(0.1).withMomentum(0, true));
    assertEquals("Optimizer: Nesterov momentum needs momentum > 0, found 0.0.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.of("adagrad", 0.1));
    assertEquals("Unknown optimizer 'adagrad'; known: sgd, adam, adamw, rmsprop.", e.getMessage());
  }
}
