package org.sparkdl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.autograd.Tape;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.nn.Dense;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.Parameter;
import org.sparkdl.nn.ParameterStore;
import org.sparkdl.nn.SoftmaxCrossEntropy;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.GradCheck;

/**
 * A network whose input is sparse against the same network fed the densified rows: the same
 * training where the optimizer's rule makes them so, the lazy rule where it does not, gradients
 * against finite differences, and gradients cleared row by row.
 */
class SparseInputTrainingTest {
  private static final CpuBackend CPU = new CpuBackend(1);
  private static final int WIDTH = 12;

  @AfterAll
  static void close() {
    assertEquals(0, CPU.liveBytes());
    CPU.close();
  }

  private static NetworkSpec network(boolean sparse) {
    NetworkSpec.Builder b = NetworkSpec.builder();
    if (sparse) {
      b.sparseInput("features", WIDTH);
    } else {
      b.input("features", WIDTH);
    }
    return b.dense(6).activation("relu").dense(3).build();
  }

  /** A batch: each row's columns and values, as sparse rows and densified, with a label per row. */
  private record Batch(int[][] columns, double[][] values, double[] labels) {
    CsrMatrix sparse(Scope s, DType dt) {
      int entries = 0;
      for (int[] c : columns) {
        entries += c.length;
      }
      int[] starts = new int[columns.length + 1];
      int[] cols = new int[entries];
      double[] vals = new double[entries];
      int k = 0;
      for (int i = 0; i < columns.length; i++) {
        starts[i] = k;
        for (int j = 0; j < columns[i].length; j++, k++) {
          cols[k] = columns[i][j];
          vals[k] = values[i][j];
        }
      }
      starts[columns.length] = k;
      return CsrMatrix.of(s, dt, WIDTH, starts, cols, vals);
    }

    Tensor dense(Scope s, DType dt) {
      double[] d = new double[columns.length * WIDTH];
      for (int i = 0; i < columns.length; i++) {
        for (int j = 0; j < columns[i].length; j++) {
          d[i * WIDTH + columns[i][j]] += values[i][j];
        }
      }
      return s.of(dt, Shape.of(columns.length, WIDTH), d);
    }

    Tensor labels(Scope s, DType dt) {
      return s.of(dt, Shape.of(labels.length), labels);
    }
  }

  /** Rows of 0 to 3 entries among the columns allowed, label from the first column. */
  private static Batch batch(Random r, int rows, int[] allowed) {
    int[][] c = new int[rows][];
    double[][] v = new double[rows][];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      int n = r.nextInt(4);
      c[i] = new int[n];
      v[i] = new double[n];
      for (int j = 0; j < n; j++) {
        c[i][j] = allowed[r.nextInt(allowed.length)];
        v[i][j] = r.nextGaussian();
      }
      y[i] = n == 0 ? 0 : c[i][0] % 3;
    }
    return new Batch(c, v, y);
  }

  /** The dense network's weights set to the sparse one's: the first weight transposed, the rest as they are. */
  private static void copyWeights(Network from, Network to) {
    for (Parameter p : from.parameters().parameters()) {
      Parameter q = to.parameters().parameters().stream().filter(x -> x.name().equals(p.name())).findFirst().orElseThrow();
      CPU.copy(p.rowSparse() ? p.value().t() : p.value(), q.value());
    }
  }

  private static double[] weight(Network n, String name, boolean transpose) {
    Parameter p = n.parameters().parameters().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    if (!transpose) {
      return p.value().toDoubleArray();
    }
    try (Scope s = CPU.openScope("t")) {
      Tensor t = s.allocate(p.value().dtype(), Shape.of(p.shape().dim(1), p.shape().dim(0)));
      CPU.copy(p.value().t(), t);
      return t.toDoubleArray();
    }
  }

  private static void train(LocalTrainer sparse, LocalTrainer dense, List<Batch> batches, Scope s) {
    for (int i = 0; i < batches.size(); i++) {
      Batch b = batches.get(i);
      sparse.zeroGradients();
      BatchStats a = sparse.accumulateGradients(b.sparse(s, DType.FLOAT32), b.labels(s, DType.FLOAT32), null, i);
      sparse.applyGradients(a.weightSum());
      dense.zeroGradients();
      BatchStats d = dense.accumulateGradients(b.dense(s, DType.FLOAT32), b.labels(s, DType.FLOAT32), null, i);
      dense.applyGradients(d.weightSum());
      assertEquals(d.lossSum(), a.lossSum(), 1e-5 * Math.max(1, Math.abs(d.lossSum())), "loss of step " + i);
    }
  }

  private static void assertSameWeights(Network sparse, Network dense, double tol) {
    assertArrayEquals(weight(dense, "dense_1.weight", false), weight(sparse, "dense_1.weight", true), tol);
    for (String name : List.of("dense_1.bias", "dense_2.weight", "dense_2.bias")) {
      assertArrayEquals(weight(dense, name, false), weight(sparse, name, false), tol, name);
    }
  }

  @Test
  void sgdOnSparseRowsTrainsTheSameWeightsAsOnTheDensifiedRows() {
    Random r = new Random(5);
    int[] allowed = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};   // 10 and 11 never appear
    List<Batch> batches = java.util.stream.IntStream.range(0, 30).mapToObj(i -> batch(r, 8, allowed)).toList();
    try (Network sn = Network.create(network(true), CPU, DType.FLOAT32, 7);
        Network dn = Network.create(network(false), CPU, DType.FLOAT32, 7);
        Scope s = CPU.openScope("data")) {
      copyWeights(sn, dn);
      double[] before = weight(sn, "dense_1.weight", false);
      try (LocalTrainer st = new LocalTrainer(sn, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.1).withMomentum(0, false), 1);
          LocalTrainer dt = new LocalTrainer(dn, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.1).withMomentum(0, false), 1)) {
        train(st, dt, batches, s);
      }
      assertSameWeights(sn, dn, 1e-5);
      double[] after = weight(sn, "dense_1.weight", false);
      assertNotEquals(before[0], after[0]);
      for (int j = 10 * 6; j < 12 * 6; j++) {
        assertEquals(before[j], after[j], 0, "a row no batch touched moved");
      }
    }
  }

  @Test
  void adamIsTheSameAsOnDenseRowsWhereEveryRowIsTouchedEveryStep() {
    Random r = new Random(6);
    int[] all = java.util.stream.IntStream.range(0, WIDTH).toArray();
    List<Batch> batches = java.util.stream.IntStream.range(0, 20).mapToObj(i -> {
      Batch b = batch(r, 6, all);
      // a last row with every column, so that every weight row is touched each step
      int[][] c = java.util.Arrays.copyOf(b.columns(), 7);
      double[][] v = java.util.Arrays.copyOf(b.values(), 7);
      c[6] = all;
      v[6] = r.doubles(WIDTH, -1, 1).toArray();
      double[] y = java.util.Arrays.copyOf(b.labels(), 7);
      return new Batch(c, v, y);
    }).toList();
    try (Network sn = Network.create(network(true), CPU, DType.FLOAT32, 8);
        Network dn = Network.create(network(false), CPU, DType.FLOAT32, 8);
        Scope s = CPU.openScope("data")) {
      copyWeights(sn, dn);
      try (LocalTrainer st = new LocalTrainer(sn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
          LocalTrainer dt = new LocalTrainer(dn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1)) {
        train(st, dt, batches, s);
      }
      assertSameWeights(sn, dn, 1e-5);
    }
  }

  @Test
  void lazyAdamLeavesARowAndItsMomentsAloneInStepsThatDoNotTouchIt() {
    try (Network sn = Network.create(network(true), CPU, DType.FLOAT32, 9);
        Network dn = Network.create(network(false), CPU, DType.FLOAT32, 9);
        Scope s = CPU.openScope("data");
        LocalTrainer st = new LocalTrainer(sn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
        LocalTrainer dt = new LocalTrainer(dn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1)) {
      copyWeights(sn, dn);
      Batch touches5 = new Batch(new int[][] {{5, 1}, {2}}, new double[][] {{1.5, -1}, {0.5}}, new double[] {2, 1});
      Batch misses5 = new Batch(new int[][] {{1}, {2, 3}}, new double[][] {{1}, {-1, 2}}, new double[] {0, 1});
      train(st, dt, List.of(touches5), s);
      double[] sparseAfterOne = weight(sn, "dense_1.weight", false);
      double[] denseAfterOne = weight(dn, "dense_1.weight", true);
      float[] mAfterOne = st.optimizer().state().get("m").toFloatArray();
      train(st, dt, List.of(misses5), s);
      double[] sparseAfterTwo = weight(sn, "dense_1.weight", false);
      double[] denseAfterTwo = weight(dn, "dense_1.weight", true);
      float[] mAfterTwo = st.optimizer().state().get("m").toFloatArray();
      int offset = sn.parameters().offset(sn.parameters().parameters().stream().filter(Parameter::rowSparse).findFirst()
          .orElseThrow());
      boolean denseMoved = false;
      for (int j = 5 * 6; j < 6 * 6; j++) {
        assertEquals(sparseAfterOne[j], sparseAfterTwo[j], 0, "the lazy update moved an untouched row");
        assertEquals(mAfterOne[offset + j], mAfterTwo[offset + j], 0, "the lazy update decayed an untouched row's moment");
        denseMoved |= denseAfterOne[j] != denseAfterTwo[j];
      }
      assertTrue(denseMoved, "dense Adam moves the row on momentum");
      assertNotEquals(sparseAfterOne[6], sparseAfterTwo[6], "row 1, touched by both steps, moves");
    }
  }

  @Test
  void aNetworkForSparseRowsFedDenseRowsUpdatesEveryRowAsADenseNetwork() {
    Random r = new Random(7);
    int[] allowed = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    List<Batch> batches = java.util.stream.IntStream.range(0, 10).mapToObj(i -> batch(r, 8, allowed)).toList();
    try (Network sn = Network.create(network(true), CPU, DType.FLOAT32, 11);
        Network dn = Network.create(network(false), CPU, DType.FLOAT32, 11);
        Scope s = CPU.openScope("data");
        LocalTrainer st = new LocalTrainer(sn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1);
        LocalTrainer dt = new LocalTrainer(dn, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1)) {
      copyWeights(sn, dn);
      for (int i = 0; i < batches.size(); i++) {
        Batch b = batches.get(i);
        for (LocalTrainer t : List.of(st, dt)) {
          t.zeroGradients();
          BatchStats a = t.accumulateGradients(b.dense(s, DType.FLOAT32), b.labels(s, DType.FLOAT32), null, i);
          t.applyGradients(a.weightSum());
        }
      }
      assertSameWeights(sn, dn, 1e-5);
    }
  }

  @Test
  void zeroingGradientsClearsExactlyTheTouchedRows() {
    try (Network sn = Network.create(network(true), CPU, DType.FLOAT32, 10);
        Scope s = CPU.openScope("data");
        LocalTrainer st = new LocalTrainer(sn, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.1), 1)) {
      Batch b = new Batch(new int[][] {{3, 7}, {7}}, new double[][] {{1, 2}, {-1}}, new double[] {0, 2});
      st.zeroGradients();
      st.accumulateGradients(b.sparse(s, DType.FLOAT32), b.labels(s, DType.FLOAT32), null, 0);
      Parameter w = sn.parameters().parameters().stream().filter(Parameter::rowSparse).findFirst().orElseThrow();
      assertArrayEquals(new int[] {3, 7}, w.touchedRows());
      assertTrue(java.util.Arrays.stream(w.grad().slice(0, 3, 4).toDoubleArray()).anyMatch(x -> x != 0));
      st.zeroGradients();
      assertArrayEquals(new int[0], w.touchedRows());
      assertTrue(java.util.Arrays.stream(sn.parameters().grads().toDoubleArray()).allMatch(x -> x == 0));
      assertEquals(sn.parameters().size() - WIDTH * 6, sn.parameters().denseSize(), "the row-sparse weight comes last");
    }
  }

  @Test
  void aDenseLayerByInputHasTheGradientsOfFiniteDifferences() {
    try (Scope s = CPU.openScope("gradcheck")) {
      Dense d = Dense.byInput("dense_1", WIDTH, 4, true, Init.GLOROT_UNIFORM);
      try (ParameterStore store = new ParameterStore(CPU, DType.FLOAT64, d.parameters())) {
        store.initialise(3);
        CPU.copy(s.of(DType.FLOAT64, Shape.of(4), new double[] {0.3, -0.2, 0.1, 0.4}), d.parameters().get(1).value());
        CsrMatrix x = new Batch(new int[][] {{0, 11, 0}, {}, {5}}, new double[][] {{1, -2, 0.5}, {}, {3}},
            new double[] {0, 0, 0}).sparse(s, DType.FLOAT64);
        GradCheck.check(CPU, List.of(), store.parameters(), (tape, in) -> d.forward(List.of(tape.sparse(x))));
        Tape tape = new Tape(s, false, 0);
        assertEquals(Shape.of(3, 4), d.forward(List.of(tape.sparse(x))).shape());
      }
    }
  }
}
