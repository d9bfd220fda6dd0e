package org.sparkdl.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What every backend's embedding and recurrent-cell kernels must do, checked against plain loops in
 * both dtypes, with and without a mask, for a hidden size that fills whole SIMD vectors (32) and one
 * that does not (5). A backend's test extends this.
 */
public abstract class SequenceKernelsContractTest {
  private static final int BATCH = 4;
  /** Rows 0 and 2 are real steps, rows 1 and 3 are padding. */
  private static final double[] MASK = {1, 0, 1, 0};

  protected Backend be;
  protected Scope scope;

  protected abstract Backend createBackend();

  @BeforeEach
  void open() {
    be = createBackend();
    scope = be.openScope("test");
  }

  @AfterEach
  void closeAndCheckLeaks() {
    scope.close();
    assertEquals(0, be.liveBytes(), "bytes still allocated after the test's scope closed");
    be.close();
  }

  private static double[] random(int n, long seed, double scale) {
    Random r = new Random(seed);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = scale * r.nextGaussian();
    }
    return a;
  }

  private Tensor tensor(DType dt, double[] values, int... dims) {
    return values == null ? null : scope.of(dt, Shape.of(dims), values);
  }

  private static void assertClose(double[] expected, Tensor actual, DType dt, String what) {
    double tol = dt == DType.FLOAT32 ? 2e-6 : 1e-14;
    double[] a = actual.toDoubleArray();
    assertEquals(expected.length, a.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), what + " element " + i);
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"FLOAT32", "FLOAT64"})
  void gatherCopiesRowsAndScatterAddSumsRepeatedOnes(DType dt) {
    double[] table = random(12, 1, 1);
    Tensor t = tensor(dt, table, 4, 3);
    Tensor ids = tensor(dt, new double[] {2, 0, 2, 3, 1, 2}, 2, 3);
    Tensor out = scope.allocate(dt, Shape.of(2, 3, 3));
    be.gatherRows(t, ids, out);
    double[] expected = new double[18];
    int[] rows = {2, 0, 2, 3, 1, 2};
    for (int k = 0; k < 6; k++) {
      System.arraycopy(table, rows[k] * 3, expected, k * 3, 3);
    }
    assertClose(expected, out, dt, "gathered rows");
    double[] src = random(18, 2, 1);
    be.scatterAddRows(tensor(dt, src, 2, 3, 3), ids, t);
    for (int k = 0; k < 6; k++) {
      for (int j = 0; j < 3; j++) {
        table[rows[k] * 3 + j] += src[k * 3 + j];
      }
    }
    assertClose(table, t, dt, "table after scatter-add");
  }

  @Test
  void aBadIndexIsReportedWithItsPositionAndNothingIsWritten() {
    Tensor t = tensor(DType.FLOAT32, random(12, 1, 1), 4, 3);
    float[] before = t.toFloatArray();
    Tensor src = tensor(DType.FLOAT32, random(9, 2, 1), 3, 3);
    for (double bad : new double[] {4, -1, 1.5, Double.NaN}) {
      Tensor ids = tensor(DType.FLOAT32, new double[] {0, bad, 3}, 3);
      IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class, () -> be.scatterAddRows(src, ids, t));
      assertEquals(1, e.position());
      assertEquals(4, e.limit());
      assertEquals("Index " + (float) bad + " at position 1 is not an integer in [0, 4).", e.getMessage());
      assertThrows(IndexOutOfRangeException.class, () -> be.gatherRows(t, ids, scope.allocate(DType.FLOAT32,
          Shape.of(3, 3))));
    }
    assertArrayEquals(before, t.toFloatArray());
  }

  @Test
  void shapesAreChecked() {
    Tensor t = scope.allocate(DType.FLOAT32, Shape.of(4, 3));
    Tensor ids = scope.allocate(DType.FLOAT32, Shape.of(2));
    assertEquals("gatherRows: indices [2] into a table [4, 3] need rows of shape [2, 3]; found [2, 4].",
        assertThrows(IllegalArgumentException.class, () -> be.gatherRows(t, ids,
            scope.allocate(DType.FLOAT32, Shape.of(2, 4)))).getMessage());
    Tensor gates = scope.allocate(DType.FLOAT32, Shape.of(2, 8));
    Tensor state = scope.allocate(DType.FLOAT32, Shape.of(2, 2));
    assertEquals("lstmCell: a state must have shape [2, 2]; found [2, 3].",
        assertThrows(IllegalArgumentException.class, () -> be.lstmCell(gates, state, state, null, state, state,
            scope.allocate(DType.FLOAT32, Shape.of(2, 3)))).getMessage());
    assertEquals("gruCell: gates must be [batch, 3 * hidden]; found [2, 8].",
        assertThrows(IllegalArgumentException.class, () -> be.gruCell(gates, gates, state, null, state, null))
            .getMessage());
    assertEquals("lstmCell: the bias must have shape [8]; found [4].",
        assertThrows(IllegalArgumentException.class, () -> be.lstmCell(gates, scope.allocate(DType.FLOAT32, Shape.of(4)),
            state, state, null, state, state, null)).getMessage());
    assertEquals("lstmCell: the mask must have shape [2]; found [3].",
        assertThrows(IllegalArgumentException.class, () -> be.lstmCell(gates, state, state,
            scope.allocate(DType.FLOAT32, Shape.of(3)), state, state, null)).getMessage());
  }

  @ParameterizedTest(name = "{0}, hidden {1}, masked {2}")
  @CsvSource({"FLOAT32, 32, false", "FLOAT32, 32, true", "FLOAT32, 5, true", "FLOAT64, 32, true"})
  void anInferenceStepGivesTheTrainingStepsStates(DType dt, int hid, boolean masked) {
    // pre-activations out to where the gates saturate, so that the inference formulas meet their extremes too
    double[] pre = random(BATCH * 4 * hid, 10, 30);
    double[] bias = random(4 * hid, 11, 1);
    Tensor m = tensor(dt, masked ? MASK : null, BATCH);
    Tensor cp = tensor(dt, random(BATCH * hid, 12, 3), BATCH, hid);
    Tensor hp = tensor(dt, random(BATCH * hid, 13, 1), BATCH, hid);
    Tensor[] states = new Tensor[6];
    for (int k = 0; k < 6; k++) {
      states[k] = scope.allocate(dt, Shape.of(BATCH, hid));
    }
    be.lstmCell(tensor(dt, pre, BATCH, 4 * hid), tensor(dt, bias, 4 * hid), cp, hp, m, states[0], states[1], states[2]);
    be.lstmStep(tensor(dt, pre, BATCH, 4 * hid), tensor(dt, bias, 4 * hid), cp, hp, m, states[3], states[4], states[5]);
    String[] names = {"c", "h", "y"};
    for (int k = 0; k < 3; k++) {
      assertClose(states[k].toDoubleArray(), states[k + 3], dt, names[k]);
      for (double v : states[k + 3].toDoubleArray()) {
        assertTrue(Double.isFinite(v), names[k] + " " + v);
      }
    }
  }

  @ParameterizedTest(name = "{0}, hidden {1}, masked {2}, bias {3}")
  @CsvSource({"FLOAT32, 32, false, false", "FLOAT32, 32, true, false", "FLOAT32, 5, true, false", "FLOAT64, 32, true, false",
      "FLOAT64, 5, false, false", "FLOAT32, 32, true, true", "FLOAT32, 5, false, true", "FLOAT64, 5, true, true"})
  void lstmCellAndItsGradientMatchPlainLoops(DType dt, int hid, boolean masked, boolean biased) {
    double[] pre = random(BATCH * 4 * hid, 3, 2);
    double[] bias = biased ? random(4 * hid, 9, 1) : null;
    double[] cPrev = random(BATCH * hid, 4, 1);
    double[] hPrev = random(BATCH * hid, 5, 1);
    double[] m = masked ? MASK : null;
    Tensor gates = tensor(dt, pre, BATCH, 4 * hid);
    Tensor c = scope.allocate(dt, Shape.of(BATCH, hid));
    Tensor h = scope.allocate(dt, Shape.of(BATCH, hid));
    Tensor y = scope.allocate(dt, Shape.of(BATCH, hid));
    Tensor cp = tensor(dt, cPrev, BATCH, hid);
    if (biased) {
      be.lstmCell(gates, tensor(dt, bias, 4 * hid), cp, tensor(dt, hPrev, BATCH, hid), tensor(dt, m, BATCH), c, h, y);
    } else {
      be.lstmCell(gates, cp, tensor(dt, hPrev, BATCH, hid), tensor(dt, m, BATCH), c, h, y);
    }

    double[] act = new double[pre.length];
    double[] ec = new double[BATCH * hid];
    double[] eh = new double[BATCH * hid];
    double[] ey = new double[BATCH * hid];
    for (int b = 0; b < BATCH; b++) {
      boolean real = m == null || m[b] != 0;
      for (int j = 0; j < hid; j++) {
        int g0 = b * 4 * hid + j;
        double i = sigmoid(pre[g0] + (biased ? bias[j] : 0));
        double f = sigmoid(pre[g0 + hid] + (biased ? bias[hid + j] : 0));
        double g = Math.tanh(pre[g0 + 2 * hid] + (biased ? bias[2 * hid + j] : 0));
        double o = sigmoid(pre[g0 + 3 * hid] + (biased ? bias[3 * hid + j] : 0));
        act[g0] = i;
        act[g0 + hid] = f;
        act[g0 + 2 * hid] = g;
        act[g0 + 3 * hid] = o;
        int s = b * hid + j;
        ec[s] = real ? f * cPrev[s] + i * g : cPrev[s];
        eh[s] = real ? o * Math.tanh(ec[s]) : hPrev[s];
        ey[s] = real ? eh[s] : 0;
      }
    }
    assertClose(act, gates, dt, "activations");
    assertClose(ec, c, dt, "c");
    assertClose(eh, h, dt, "h");
    assertClose(ey, y, dt, "y");

    double[] gy = random(BATCH * hid, 6, 1);
    double[] gh = random(BATCH * hid, 7, 1);
    double[] gc = random(BATCH * hid, 8, 1);
    Tensor ghT = tensor(dt, gh, BATCH, hid);
    Tensor gcT = tensor(dt, gc, BATCH, hid);
    Tensor gGates = scope.allocate(dt, Shape.of(BATCH, 4 * hid));
    be.lstmCellBackward(gates, cp, c, tensor(dt, m, BATCH), tensor(dt, gy, BATCH, hid), ghT, gcT, gGates);
    double[] eg = new double[pre.length];
    double[] egh = gh.clone();
    double[] egc = gc.clone();
    for (int b = 0; b < BATCH; b++) {
      if (m != null && m[b] == 0) {
        continue;
      }
      for (int j = 0; j < hid; j++) {
        int g0 = b * 4 * hid + j;
        int s = b * hid + j;
        double i = act[g0];
        double f = act[g0 + hid];
        double g = act[g0 + 2 * hid];
        double o = act[g0 + 3 * hid];
        double tc = Math.tanh(ec[s]);
        double dh = gh[s] + gy[s];
        double dc = gc[s] + dh * o * (1 - tc * tc);
        eg[g0] = dc * g * i * (1 - i);
        eg[g0 + hid] = dc * cPrev[s] * f * (1 - f);
        eg[g0 + 2 * hid] = dc * i * (1 - g * g);
        eg[g0 + 3 * hid] = dh * tc * o * (1 - o);
        egc[s] = dc * f;
        egh[s] = 0;
      }
    }
    assertClose(eg, gGates, dt, "gate gradients");
    assertClose(egh, ghT, dt, "gh");
    assertClose(egc, gcT, dt, "gc");
  }

  @ParameterizedTest(name = "{0}, hidden {1}, masked {2}")
  @CsvSource({"FLOAT32, 32, false", "FLOAT32, 32, true", "FLOAT32, 5, true", "FLOAT64, 32, true", "FLOAT64, 5, false"})
  void gruCellAndItsGradientMatchPlainLoops(DType dt, int hid, boolean masked) {
    double[] xg = random(BATCH * 3 * hid, 3, 2);
    double[] hg = random(BATCH * 3 * hid, 4, 1);
    double[] hPrev = random(BATCH * hid, 5, 1);
    double[] m = masked ? MASK : null;
    Tensor xGates = tensor(dt, xg, BATCH, 3 * hid);
    Tensor hGates = tensor(dt, hg, BATCH, 3 * hid);
    Tensor hp = tensor(dt, hPrev, BATCH, hid);
    Tensor h = scope.allocate(dt, Shape.of(BATCH, hid));
    Tensor y = scope.allocate(dt, Shape.of(BATCH, hid));
    be.gruCell(xGates, hGates, hp, tensor(dt, m, BATCH), h, y);

    double[] act = new double[xg.length];
    double[] eh = new double[BATCH * hid];
    double[] ey = new double[BATCH * hid];
    for (int b = 0; b < BATCH; b++) {
      boolean real = m == null || m[b] != 0;
      for (int j = 0; j < hid; j++) {
        int g0 = b * 3 * hid + j;
        int s = b * hid + j;
        double r = sigmoid(xg[g0] + hg[g0]);
        double z = sigmoid(xg[g0 + hid] + hg[g0 + hid]);
        double n = Math.tanh(xg[g0 + 2 * hid] + r * hg[g0 + 2 * hid]);
        act[g0] = r;
        act[g0 + hid] = z;
        act[g0 + 2 * hid] = n;
        eh[s] = real ? (1 - z) * n + z * hPrev[s] : hPrev[s];
        ey[s] = real ? eh[s] : 0;
      }
    }
    assertClose(act, xGates, dt, "activations");
    assertClose(hg, hGates, dt, "recurrent projections are read only");
    assertClose(eh, h, dt, "h");
    assertClose(ey, y, dt, "y");

    double[] gy = random(BATCH * hid, 6, 1);
    double[] gh = random(BATCH * hid, 7, 1);
    Tensor ghT = tensor(dt, gh, BATCH, hid);
    Tensor gx = scope.allocate(dt, Shape.of(BATCH, 3 * hid));
    Tensor gr = scope.allocate(dt, Shape.of(BATCH, 3 * hid));
    be.gruCellBackward(xGates, hGates, hp, tensor(dt, m, BATCH), tensor(dt, gy, BATCH, hid), ghT, gx, gr);
    double[] ex = new double[xg.length];
    double[] er = new double[xg.length];
    double[] egh = gh.clone();
    for (int b = 0; b < BATCH; b++) {
      if (m != null && m[b] == 0) {
        continue;
      }
      for (int j = 0; j < hid; j++) {
        int g0 = b * 3 * hid + j;
        int s = b * hid + j;
        double r = act[g0];
        double z = act[g0 + hid];
        double n = act[g0 + 2 * hid];
        double dh = gh[s] + gy[s];
        double dn = dh * (1 - z) * (1 - n * n);
        double dr = dn * hg[g0 + 2 * hid] * r * (1 - r);
        double dz = dh * (hPrev[s] - n) * z * (1 - z);
        ex[g0] = dr;
        ex[g0 + hid] = dz;
        ex[g0 + 2 * hid] = dn;
        er[g0] = dr;
        er[g0 + hid] = dz;
        er[g0 + 2 * hid] = dn * r;
        egh[s] = dh * z;
      }
    }
    assertClose(ex, gx, dt, "input projection gradients");
    assertClose(er, gr, dt, "recurrent projection gradients");
    assertClose(egh, ghT, dt, "gh");
  }
}
