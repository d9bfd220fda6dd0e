package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which an epoch takes its chunks, window by window, and the memory plan that relies on it. */
class ChunksTest {

  @Test
  void oneWindowIsAPlainPermutation() {
    assertArrayEquals(Chunks.permutation(37, 5), Chunks.order(37, 1, 5));
  }

  @Test
  void anEpochTakesEachWindowsChunksTogetherAndEveryChunkOnce() {
    int n = 103;
    int windows = 7;
    int[] order = Chunks.order(n, windows, 11);
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < n; i++) {
      assertEquals(i, sorted[i]);
    }
    int[] visits = new int[windows];
    int previous = -1;
    for (int c : order) {
      int g = Chunks.window(n, windows, c);
      assertTrue(c >= Chunks.start(n, windows, g) && c < Chunks.start(n, windows, g + 1), "chunk " + c + " in window " + g);
      if (g != previous) {
        visits[g]++;
        previous = g;
      }
    }
    for (int g = 0; g < windows; g++) {
      assertEquals(1, visits[g], "window " + g + " is visited in one run");
    }
    assertEquals(Chunks.windowOrder(windows, 11)[0], Chunks.window(n, windows, order[0]));
    assertNotEquals(Arrays.toString(order), Arrays.toString(Chunks.order(n, windows, 12)), "another epoch, another order");
  }

  @Test
  void moreWindowsThanChunksLeaveSomeEmpty() {
    TrainingRun run = new TrainingRun("r", "s", "{}", "ce", null, true, 3, 1, false, 1, "cpu", 10);
    assertEquals(3, run.windows(), "at most one window a chunk");
    for (int c = 0; c < 3; c++) {
      assertEquals(c, run.window(c));
    }
  }

  @Test
  void dataThatFitsStaysInMemoryAndLargerDataGoesToDisk() {
    List<DataMemory.Batch> batches = List.of(batch(0, false, 0, 1000), batch(0, false, 1, 1000), batch(0, false, 2, 1000),
        batch(0, false, 3, 1000), batch(0, false, 4, 500), batch(1, false, 0, 1000), batch(0, true, 0, 300));
    assertEquals(false, DataMemory.plan(batches, 2, 4800).spill(), "task 0 holds 4,800 bytes");
    DataMemory onDisk = DataMemory.plan(batches, 2, 4799);
    assertTrue(onDisk.spill());
    // task 0 needs two training batches (the window it trains on and the next) and the validation batch
    assertTrue(onDisk.reason().contains("2,300 bytes held at once"), onDisk.reason());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataMemory.plan(batches, 2, 2299));
    assertTrue(e.getMessage().contains(DataMemory.CONF) && e.getMessage().contains(DistributedTrainer.BATCH_BYTES_CONF),
        e.getMessage());
    assertEquals(true, DataMemory.plan(batches, 2, 2300).spill());
  }

  private static DataMemory.Batch batch(int partition, boolean validation, int index, long bytes) {
    return new DataMemory.Batch(partition, validation, index, 10, bytes);
  }
}
