package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkdl.backend.Backend;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.SharedSpark;

/**
 * A fit estimates the memory its network takes before allocating it, and refuses one that cannot fit; a
 * task that runs out of memory fails as a task, not as the executor.
 */
@ExtendWith(SharedSpark.class)
class FitMemoryTest {

  @Test
  void aMemoryFailureAnywhereInTheCauseChainBecomesATaskFailureWithoutAnError() {
    OutOfMemoryError direct = new OutOfMemoryError("failed to allocate 276481800 byte(s) of direct memory");
    RuntimeException arrow = new org.apache.arrow.memory.OutOfMemoryException("Failure allocating buffer.", direct);
    RuntimeException wrapped = new IllegalArgumentException("Cannot read an Arrow training batch", arrow);
    assertSame(arrow, BarrierTask.memoryFailure(wrapped));
    assertSame(direct, BarrierTask.memoryFailure(direct));
    assertNull(BarrierTask.memoryFailure(new IllegalArgumentException("a bad row", new java.io.IOException("disk"))));

    for (Throwable cause : new Throwable[] {arrow, direct}) {
      TaskOutOfMemory failure = new TaskOutOfMemory("the task ran out of memory", cause);
      for (Throwable t = failure; t != null; t = t.getCause()) {
        // what Spark's executor looks for before ending itself
        assertFalse(t instanceof Error, "an Error in the cause chain: " + t);
      }
      assertEquals(cause.getClass().getName() + ": " + cause.getMessage(), failure.getCause().getMessage());
      assertArrayEquals(cause.getStackTrace(), failure.getCause().getStackTrace());
    }
    IllegalStateException plain = new IllegalStateException("no Error below");
    assertSame(plain, new TaskOutOfMemory("m", plain).getCause());
  }

  @Test
  void theEstimateCountsParametersOptimizerStateAndActivations() {
    NetworkSpec spec = NetworkSpec.mlp(new int[] {784, 128, 10}, "relu");
    MemoryEstimate e = MemoryEstimate.of(spec, OptimizerSpec.adam(1e-3), 64, 2, 2, true);
    long p = 101_770;
    long activationsPerRow = 128 + 128 + 10;
    // values, gradients, Adam's two moments, and half of them again for each task's shard of the sharded update
    assertEquals(4 * (4 * p + p) + 4 * 3 * 32 * activationsPerRow, e.taskBytes());
    assertEquals(2 * e.taskBytes() + 4 * 4 * p, e.executorBytes(), "two tasks and the driver's network, in local mode");
    assertEquals(4 * 3 * p, e.messageBytes());
    assertTrue(e.parts().startsWith("101,770 parameters: values, gradients and adam's 2 buffers"), e.parts());
    assertDoesNotThrow(() -> e.check("fit", 1L << 30, 1L << 30, "test"));
    IllegalArgumentException tight = assertThrows(IllegalArgumentException.class, () -> e.check("fit", 1L << 30, 1L << 20,
        "a 1 MB allowance"));
    assertTrue(tight.getMessage().startsWith("fit: the network does not fit in memory. Each training task needs about 2.0 MB of"
        + " native memory (101,770 parameters: values, gradients and adam's 2 buffers, 1.9 MB; activations of 32 rows,"
        + " 0.1 MB), 5.6 MB in one executor"), tight.getMessage());
    assertTrue(tight.getMessage().contains("more than the 1.0 MB of a 1 MB allowance"), tight.getMessage());
    assertEquals(0, MemoryEstimate.of(spec, OptimizerSpec.sgd(0.1), 64, 2, 2, false).executorBytes()
        - 2 * MemoryEstimate.of(spec, OptimizerSpec.sgd(0.1), 64, 2, 2, false).taskBytes(), "no driver share in a cluster");
  }

  @Test
  void aNetworkThatCannotFitIsRefusedBeforeAnythingIsAllocated(SparkSession spark) {
    Dataset<Row> data = TrainingFixtures.blobs(spark, 200, 33, 2).cache();
    data.count();
    Backend be = ExecutorBackends.get("auto");
    long before = be.liveBytes();
    // 3.3 billion parameters: with Adam's moments, 37 GB to send to the driver after each epoch
    IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
        () -> new NeuralNetworkClassifier().setLayers(4, 16_000_000, 100, 16_000_000, 3).setSeed(1).fit(data));
    assertTrue(huge.getMessage().contains("does not fit in memory") && huge.getMessage().contains("at most 2 GB")
        && huge.getMessage().contains("3,344,000,103 parameters"), huge.getMessage());
    assertEquals(before, be.liveBytes(), "nothing was allocated");
    // and the session trains the next network as usual
    assertTrue(new NeuralNetworkClassifier().setLayers(4, 8, 3).setMaxEpochs(2).setSeed(1).fit(data).summary().lossHistory()
        .size() == 2);
  }

  @Test
  void aNetworkWhoseStateOverflowsTheDriversHeapIsRefused(SparkSession spark) {
    assumeTrue(Runtime.getRuntime().maxMemory() < 3800L << 20, "the test JVM's heap is the pom's 3 GB");
    Dataset<Row> data = TrainingFixtures.blobs(spark, 200, 34, 2).cache();
    // 128 million parameters: the driver would keep 3.8 GB of them and Adam's moments on its heap
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new NeuralNetworkClassifier().setLayers(4, 16_000_000, 3).setSeed(1).fit(data));
    assertTrue(e.getMessage().contains("on its heap") && e.getMessage().contains("spark.driver.memory"), e.getMessage());
  }
}
