package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkdl.arrow.BatchEncoder;
import org.sparkdl.arrow.TrainingColumns;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.executor.ExecutorCache;
import org.sparkdl.nn.Loss;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.train.BatchStats;
import org.sparkdl.train.Inference;
import org.sparkdl.train.LocalTrainer;

/**
 * The per-round path's task functions on a shard encoded by the real encoder, checked against the
 * same rows trained or evaluated directly in one JVM: 40 weighted rows of three classes, encoded
 * in batches of 16 (16, 16, 8 rows, in input order), cut into six chunks (two per batch), so that
 * chunk {@code c} is input rows {@code [8c, 8c + 8)} for {@code c < 4}, then {@code [32, 36)} and
 * {@code [36, 40)}. No Spark job runs: the tasks are called as an executor calls them.
 */
class TrainingTasksTest {
  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("weight", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
  private static final int ROWS = 40;
  private static final int[] CHUNK_START = {0, 8, 16, 24, 32, 36, 40};
  private static final String LOSS = "softmax_cross_entropy";
  private static final NetworkSpec MLP = NetworkSpec.mlp(new int[] {4, 8, 3}, "relu");
  private static final HostBackend CPU = ExecutorBackends.host();

  private final float[] x = new float[ROWS * 4];
  private final float[] y = new float[ROWS];
  private final float[] w = new float[ROWS];
  private final List<Row> rows = new ArrayList<>();
  private final List<String> runs = new ArrayList<>();

  TrainingTasksTest() {
    Random r = new Random(17);
    for (int i = 0; i < ROWS; i++) {
      double[] f = TrainingFixtures.point(r, i % 3);
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) f[j];
      }
      y[i] = i % 3;
      w[i] = 0.5f + (i % 4) * 0.5f;
      rows.add(RowFactory.create((double) (i % 3), (double) w[i], Vectors.dense(f)));
    }
  }

  @AfterEach
  void freeWorkersAndBatches() {
    runs.forEach(ExecutorCache::evict);
  }

  /** The first {@code n} rows as partition 3's shard, in batches of 16 rows in input order. */
  private Shard shard(int n) {
    TrainingColumns columns = TrainingColumns.forLabel(SCHEMA, "features", 4, "label", "weight");
    List<byte[]> batches = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    Iterator<byte[]> it = new BatchEncoder(columns, 16, true).encode(rows.subList(0, n).iterator(), 3);
    for (int start = 0; it.hasNext(); start += 16) {
      batches.add(it.next());
      counts.add(Math.min(16, n - start));
    }
    return new Shard(3, batches.toArray(new byte[0][]), counts.stream().mapToInt(Integer::intValue).toArray());
  }

  private TrainingRun run(NetworkSpec spec, OptimizerSpec opt, boolean averageMode, int localSteps) {
    String id = "tasks-test-" + UUID.randomUUID();
    runs.add(id);
    return new TrainingRun(id, "TrainingTasksTest", spec.toJson(), LOSS, opt, true, 6, localSteps, averageMode, 11, "cpu", 3,
        3, null, false);
  }

  /** The test's network and optimizer in one JVM, trained on heap rows directly. */
  private final class Direct implements AutoCloseable {
    final Network network;
    final LocalTrainer trainer;

    Direct(NetworkSpec spec, OptimizerSpec opt) {
      network = Network.create(spec, CPU, DType.FLOAT32, 5);
      trainer = new LocalTrainer(network, Loss.of(LOSS), opt, 5);
    }

    /** Adds the gradient of {@code sum(w l)} over input rows {@code [from, to)} to the network's. */
    BatchStats accumulate(int from, int to) {
      int n = to - from;
      try (Scope s = CPU.openScope("direct")) {
        return trainer.accumulateGradients(s.of(DType.FLOAT32, Shape.of(n, 4), slice(x, from * 4, to * 4)),
            s.of(DType.FLOAT32, Shape.of(n), slice(y, from, to)), s.of(DType.FLOAT32, Shape.of(n), slice(w, from, to)), 0);
      }
    }

    float[] params() {
      return network.parameters().values().toFloatArray();
    }

    @Override
    public void close() {
      trainer.close();
      network.close();
    }
  }

  private static float[] slice(float[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  private static float[] divided(double[] v, double by) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / by);
    }
    return out;
  }

  private static float[] widened(double[] v) {
    return divided(v, 1);
  }

  @Test
  void theRoundsOfAnEpochSumToTheGradientOfAllRowsComputedDirectly() {
    TrainingRun run = run(MLP, OptimizerSpec.sgd(0.1), false, 1);
    Shard shard = shard(ROWS);
    try (Direct direct = new Direct(MLP, OptimizerSpec.sgd(0.1))) {
      float[] params = direct.params();
      direct.trainer.zeroGradients();
      BatchStats all = direct.accumulate(0, ROWS);
      float[] expected = direct.network.parameters().grads().toFloatArray();

      RoundSum epoch = RoundSum.empty();
      for (int round = 0; round < run.rounds(); round++) {
        RoundSum one = TrainingTasks.gradient(shard, new FlatState.Weights(params, null), run, 1, round);
        assertTrue(one.rows == 8 || one.rows == 4,
            "round " + round + " takes one chunk of 4 or 8 rows: " + one.rows);
        assertNull(one.buffers(), "a network without buffers sends none");
        epoch.merge(one);
      }
      assertEquals(ROWS, epoch.rows);
      assertEquals(all.weightSum(), epoch.weightSum, 1e-9);
      assertEquals(all.lossSum(), epoch.lossSum, 1e-4 * Math.abs(all.lossSum()));
      assertArrayEquals(expected, widened(epoch.vector()), 1e-5f);
    }
  }

  @Test
  void eachRoundsGradientIsItsChunksRowsGradient() {
    TrainingRun run = run(MLP, OptimizerSpec.sgd(0.1), false, 1);
    Shard shard = shard(ROWS);
    try (Direct direct = new Direct(MLP, OptimizerSpec.sgd(0.1))) {
      float[] params = direct.params();
      Set<Integer> seen = new TreeSet<>();
      for (int round = 0; round < run.rounds(); round++) {
        int c = run.chunk(2, round, 0);
        seen.add(c);
        direct.trainer.zeroGradients();
        BatchStats s = direct.accumulate(CHUNK_START[c], CHUNK_START[c + 1]);
        RoundSum got = TrainingTasks.gradient(shard, new FlatState.Weights(params, null), run, 2, round);
        assertEquals(s.rows(), got.rows, "chunk " + c);
        assertEquals(s.weightSum(), got.weightSum, 1e-9, "chunk " + c);
        assertEquals(s.lossSum(), got.lossSum, 1e-5 * Math.abs(s.lossSum()), "chunk " + c);
        assertEquals(1, got.steps);
        assertArrayEquals(direct.network.parameters().grads().toFloatArray(), widened(got.vector()), 1e-6f, "chunk " + c);
      }
      assertEquals(Set.of(0, 1, 2, 3, 4, 5), seen, "an epoch's rounds take every chunk once");
    }
  }

  @Test
  void accumulateReadsEachChunkInPlaceAndNothingPastTheShardsLastBatch() {
    TrainingRun run = run(MLP, OptimizerSpec.sgd(0.1), false, 1);
    try (Direct direct = new Direct(MLP, OptimizerSpec.sgd(0.1));
        ExecutorCache.Lease<TrainingTasks.Worker> lease = TrainingTasks.worker(run);
        TrainingTasks.ShardBatches whole = new TrainingTasks.ShardBatches(run, "train", shard(ROWS));
        TrainingTasks.ShardBatches oneBatch = new TrainingTasks.ShardBatches(run, "short", shard(16))) {
      TrainingTasks.Worker worker = lease.get();
      worker.network.parameters().values().copyFrom(direct.params());
      assertEquals(3, whole.count());
      assertEquals(8, whole.rows(2));
      for (int c = 0; c < 6; c++) {
        worker.trainer.zeroGradients();
        direct.trainer.zeroGradients();
        BatchStats got = TrainingTasks.accumulate(worker, whole, run, c, 0);
        BatchStats expected = direct.accumulate(CHUNK_START[c], CHUNK_START[c + 1]);
        assertEquals(expected.rows(), got.rows(), "chunk " + c);
        assertEquals(expected.weightSum(), got.weightSum(), 1e-9, "chunk " + c);
        assertArrayEquals(direct.network.parameters().grads().toFloatArray(),
            worker.network.parameters().grads().toFloatArray(), 1e-6f, "chunk " + c);
      }
      worker.trainer.zeroGradients();
      assertEquals(8, TrainingTasks.accumulate(worker, oneBatch, run, 1, 0).rows());
      for (int c = 2; c < 6; c++) {
        assertEquals(BatchStats.ZERO, TrainingTasks.accumulate(worker, oneBatch, run, c, 0), "chunk " + c + " lies past batch 0");
      }
    }
  }

  @Test
  void evaluateGivesTheWeightedLossAndAccuracyComputedFromTheOutputs() {
    TrainingRun run = run(MLP, OptimizerSpec.sgd(0.1), false, 1);
    try (Direct direct = new Direct(MLP, OptimizerSpec.sgd(0.1))) {
      float[] out = Inference.predict(direct.network, x, Shape.of(4), ROWS);
      double loss = 0;
      double weights = 0;
      double correct = 0;
      for (int i = 0; i < ROWS; i++) {
        double max = Math.max(out[3 * i], Math.max(out[3 * i + 1], out[3 * i + 2]));
        double z = 0;
        for (int k = 0; k < 3; k++) {
          z += Math.exp(out[3 * i + k] - max);
        }
        loss += w[i] * (max + Math.log(z) - out[3 * i + (int) y[i]]);
        weights += w[i];
        correct += Inference.argmax(out, 3 * i, 3) == (int) y[i] ? w[i] : 0;
      }
      RoundSum got = TrainingTasks.evaluate(shard(ROWS), FlatState.Weights.of(direct.network), run, "validation");
      assertEquals(ROWS, got.rows);
      assertEquals(weights, got.weightSum, 1e-9);
      assertEquals(loss, got.lossSum, 1e-5 * loss);
      assertEquals(correct, got.metricSum, 1e-9);
      assertFalse(got.hasVector(), "evaluation sends no vector");
      double[] tally = got.tally();
      assertEquals(3 * 3 + 2, tally.length, "a validation tally keeps the confusion matrix");
      Shard empty = new Shard(0, new byte[0][], new int[0]);
      assertEquals(0, TrainingTasks.evaluate(empty, FlatState.Weights.of(direct.network), run, "validation").rows);
    }
  }

  @Test
  void averageAfterLocalStepsEqualsTheSameOptimizerStepsInOneJvm() {
    OptimizerSpec adam = OptimizerSpec.adam(0.05);
    TrainingRun run = run(MLP, adam, true, 2);
    assertEquals(3, run.rounds());
    try (Direct direct = new Direct(MLP, adam)) {
      // one step first, so that the broadcast state has non-zero moments and a step count
      direct.trainer.zeroGradients();
      direct.trainer.applyGradients(direct.accumulate(0, 5).weightSum());
      TrainingState start = TrainingState.of(direct.network, direct.trainer.optimizer());

      RoundSum got = TrainingTasks.average(shard(ROWS), start, run, 1, 1);

      BatchStats total = BatchStats.ZERO;
      for (int k = 0; k < 2; k++) {
        int c = run.chunk(1, 1, k);
        direct.trainer.zeroGradients();
        BatchStats s = direct.accumulate(CHUNK_START[c], CHUNK_START[c + 1]);
        direct.trainer.applyGradients(s.weightSum());
        total = total.plus(s);
      }
      TrainingState expected = TrainingState.of(direct.network, direct.trainer.optimizer());
      assertEquals(total.rows(), got.rows);
      assertEquals(total.weightSum(), got.weightSum, 1e-9);
      assertEquals(total.lossSum(), got.lossSum, 1e-5 * total.lossSum());
      assertEquals(3, got.steps, "the broadcast step and two local ones");
      assertEquals(List.of("m", "v"), FlatState.stateNames(direct.trainer.optimizer()));
      float[] mean = divided(got.vector(), got.rows);
      int n = expected.params().length;
      assertEquals(3 * n, mean.length, "parameters, then Adam's m and v");
      for (int part = 0; part < 3; part++) {
        assertArrayEquals(expected.parts()[part], slice(mean, part * n, (part + 1) * n), 1e-6f, "part " + part);
      }
    }
  }

  @Test
  void buffersComeBackWeightedByTheRowsTrainedOn() {
    NetworkSpec bn = NetworkSpec.builder().input("features", 4).dense(8).batchNorm().relu().dense(3).build();
    TrainingRun run = run(bn, OptimizerSpec.sgd(0.1), false, 1);
    try (Direct direct = new Direct(bn, OptimizerSpec.sgd(0.1))) {
      float[] params = direct.params();
      float[] buffers = direct.network.buffers().values().toFloatArray();
      int c = run.chunk(1, 0, 0);
      direct.trainer.zeroGradients();
      BatchStats s = direct.accumulate(CHUNK_START[c], CHUNK_START[c + 1]);
      RoundSum got = TrainingTasks.gradient(shard(ROWS), new FlatState.Weights(params, buffers), run, 1, 0);
      assertEquals(s.rows(), got.rows);
      assertArrayEquals(direct.network.buffers().values().toFloatArray(), divided(got.buffers(), got.rows), 1e-6f,
          "the running statistics after the chunk's forward pass");
      assertArrayEquals(direct.network.parameters().grads().toFloatArray(), widened(got.vector()), 1e-5f);
    }
  }
}
