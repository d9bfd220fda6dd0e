package org.sparkdl.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reference definitions of the functions whose formulas Java's {@code Math} lacks. */
class UnaryOpTest {
  /** {@code (x, erf(x), 0.5 x (1 + erf(x / sqrt 2)))} from CPython's {@code math.erf}. */
  private static final double[][] ERF_AND_GELU = {
      {-7.0, -1.0, -8.958667141456544e-12},
      {-4.2, -0.9999999971445058, -5.605214586679175e-05},
      {-3.0, -0.9999779095030014, -0.00404969409489031},
      {-1.5, -0.9661051464753108, -0.10021080190328713},
      {-0.3, -0.3286267594591274, -0.1146265733433142},
      {0.0, 0.0, 0.0},
      {0.001, 0.0011283787909692365, 0.000500398942213911},
      {0.5, 0.5204998778130465, 0.34573123063700656},
      {1.0, 0.8427007929497149, 0.8413447460685429},
      {2.0, 0.9953222650189527, 1.9544997361036416},
      {3.3, 0.9999969422902035, 3.2984047003301336},
      {5.0, 0.9999999999984626, 4.999998566742141},
      {9.0, 1.0, 9.0},
  };

  @Test
  void erfAndExactGeluMatchTheirReferenceValuesToDoublePrecision() {
    for (double[] row : ERF_AND_GELU) {
      assertEquals(row[1], UnaryOp.erf(row[0]), 1e-15, "erf(" + row[0] + ")");
      assertEquals(row[2], UnaryOp.GELU_ERF.apply(row[0], 0), 1e-15 * Math.max(1, Math.abs(row[0])),
          "gelu_erf(" + row[0] + ")");
    }
  }

  @Test
  void exactGeluDerivativeMatchesCentralDifferences() {
    derivativeMatchesCentralDifferences(UnaryOp.GELU_ERF, 6);
  }

  /** {@code op}'s derivative against central differences at steps of 0.37 over {@code [-bound, bound]}. */
  private static void derivativeMatchesCentralDifferences(UnaryOp op, double bound) {
    double h = 1e-6;
    for (double x = -bound; x <= bound; x += 0.37) {
      double numeric = (op.apply(x + h, 0) - op.apply(x - h, 0)) / (2 * h);
      assertEquals(numeric, op.derivative(x, op.apply(x, 0), 0), 1e-8, op + " at " + x);
    }
  }

  @Test
  void exactGeluIsNotTheTanhForm() {
    assertEquals(0.8413447460685429, UnaryOp.GELU_ERF.apply(1, 0), 1e-15);
    assertEquals(0.8411919906082768, UnaryOp.GELU.apply(1, 0), 1e-15);
  }

  /** {@code (x, x / (1 + e^-x))} from CPython's {@code math.exp}. */
  private static final double[][] SILU = {
      {-30.0, -2.8072868906517896e-12},
      {-5.0, -0.03346425462142428},
      {-1.0, -0.2689414213699951},
      {-0.25, -0.10945587477855048},
      {0.0, 0.0},
      {0.5, 0.3112296656009273},
      {1.0, 0.7310585786300049},
      {3.0, 2.8577223804672998},
      {20.0, 19.999999958776925},
  };

  @Test
  void siluMatchesItsReferenceValuesAndSaturates() {
    for (double[] row : SILU) {
      assertEquals(row[1], UnaryOp.SILU.apply(row[0], 0), 1e-15 * Math.max(1, Math.abs(row[1])), "silu(" + row[0] + ")");
    }
    assertEquals(800.0, UnaryOp.SILU.apply(800, 0));
    assertEquals(-0.0, UnaryOp.SILU.apply(-800, 0));
    assertEquals(1.0, UnaryOp.SILU.derivative(800, 800, 0));
    assertEquals(0.0, UnaryOp.SILU.derivative(-800, -0.0, 0), 0.0);
  }

  @Test
  void siluDerivativeMatchesCentralDifferences() {
    derivativeMatchesCentralDifferences(UnaryOp.SILU, 12);
  }

  @Test
  void theHardFunctionsArePiecewiseLinearAsPyTorchDefinesThem() {
    double[] x = {Double.NEGATIVE_INFINITY, -4, -3, -1.5, 0, 1.5, 3, 5, 6, 7, Double.POSITIVE_INFINITY};
    double[] relu6 = {0, 0, 0, 0, 0, 1.5, 3, 5, 6, 6, 6};
    double[] hardSigmoid = {0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1};
    double[] hardSwish = {Double.NaN, -0.0, -0.0, -0.375, 0, 1.125, 3, 5, 6, 7, Double.POSITIVE_INFINITY};
    for (int i = 0; i < x.length; i++) {
      assertEquals(relu6[i], UnaryOp.RELU6.apply(x[i], 0), "relu6(" + x[i] + ")");
      assertEquals(hardSigmoid[i], UnaryOp.HARD_SIGMOID.apply(x[i], 0), 1e-15, "hard_sigmoid(" + x[i] + ")");
      assertEquals(hardSwish[i], UnaryOp.HARD_SWISH.apply(x[i], 0), 1e-15, "hard_swish(" + x[i] + ")");
    }
    assertEquals(Double.NaN, UnaryOp.RELU6.apply(Double.NaN, 0));
  }

  @Test
  void theHardFunctionsDerivativesMatchCentralDifferencesAwayFromTheirKinks() {
    for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU6, UnaryOp.HARD_SIGMOID, UnaryOp.HARD_SWISH}) {
      derivativeMatchesCentralDifferences(op, 9);
    }
  }

  /** {@code (x, log(1 + e^x), x tanh(log(1 + e^x)))} from CPython's {@code math}. */
  private static final double[][] SOFTPLUS_AND_MISH = {
      {-30.0, 9.357622968839737e-14, -2.807286890651921e-12},
      {-3.0, 0.04858735157374206, -0.1456474612756246},
      {-1.0, 0.31326168751822286, -0.30340146137410895},
      {0.0, 0.6931471805599453, 0.0},
      {0.5, 0.9740769841801067, 0.3752452113048951},
      {2.0, 2.1269280110429727, 1.9439589595339946},
      {10.0, 10.000045398899218, 9.999999958780672},
      {30.0, 30.000000000000092, 30.0},
      {50.0, 50.0, 50.0},
  };

  @Test
  void mishMatchesItsReferenceValuesAndCentralDifferences() {
    for (double[] row : SOFTPLUS_AND_MISH) {
      assertEquals(row[1], UnaryOp.SOFTPLUS.apply(row[0], 0), 1e-15 * Math.max(1, Math.abs(row[1])), "softplus(" + row[0] + ")");
      assertEquals(row[2], UnaryOp.MISH.apply(row[0], 0), 1e-15 * Math.max(1, Math.abs(row[2])), "mish(" + row[0] + ")");
    }
    derivativeMatchesCentralDifferences(UnaryOp.MISH, 12);
    derivativeMatchesCentralDifferences(UnaryOp.SOFTPLUS, 12);
  }

  /** {@code (x, selu(x))} from CPython's {@code math} with PyTorch's constants. */
  private static final double[][] SELU = {
      {-30.0, -1.7580993408472123},
      {-3.0, -1.6705687287671118},
      {-1.0, -1.1113307378125625},
      {-0.001, -0.0017572205841202705},
      {0.0, 0.0},
      {0.5, 0.5253504936777402},
      {2.0, 2.101401974710961},
      {10.0, 10.507009873554804},
  };

  @Test
  void seluMatchesItsReferenceValuesAndCentralDifferences() {
    for (double[] row : SELU) {
      assertEquals(row[1], UnaryOp.SELU.apply(row[0], 0), 1e-15 * Math.max(1, Math.abs(row[1])), "selu(" + row[0] + ")");
    }
    derivativeMatchesCentralDifferences(UnaryOp.SELU, 9);
  }
}
