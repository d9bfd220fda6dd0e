package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The round's sum: scaled vectors widened to double, buffers weighted by rows, scalars added, in any order. */
class RoundSumTest {
  private static RoundSum worker(float[] v, double scale, float[] buffers, long rows, double loss) {
    RoundSum s = RoundSum.empty().setVector(v, scale);
    if (buffers != null) {
      s.setBuffers(buffers, rows);
    }
    return s.setSums(loss, rows, rows / 2.0, rows, rows);
  }

  @Test
  void workersSumToTheSameDoublesInAnyOrder() {
    float[] a = {1.5f, -2f, 0.1f};
    float[] b = {0.25f, 4f, 0.2f};
    float[] c = {-1f, 0f, 0.3f};
    RoundSum abc = worker(a, 2, new float[] {1, 2}, 10, 1).merge(worker(b, 0.5, new float[] {3, 4}, 30, 2))
        .merge(worker(c, 1, new float[] {5, 6}, 20, 3));
    RoundSum cba = worker(c, 1, new float[] {5, 6}, 20, 3).merge(worker(b, 0.5, new float[] {3, 4}, 30, 2)
        .merge(worker(a, 2, new float[] {1, 2}, 10, 1)));
    double[] expected = {2 * 1.5 + 0.5 * 0.25 - 1, 2 * -2 + 0.5 * 4, 2 * (double) 0.1f + 0.5 * (double) 0.2f + 0.3f};
    assertArrayEquals(expected, abc.vector(), 1e-12);
    assertArrayEquals(abc.vector(), cba.vector(), 0, "the order of arrival does not change the bits");
    assertArrayEquals(new double[] {10 * 1 + 30 * 3 + 20 * 5, 10 * 2 + 30 * 4 + 20 * 6}, abc.buffers(), 0);
    assertEquals(60, abc.rows);
    assertEquals(6, abc.lossSum);
    assertEquals(60, abc.weightSum);
    assertEquals(30, abc.metricSum);
    assertEquals(30, abc.steps, "steps: the most any worker took");
  }

  @Test
  void emptyWorkersContributeNothing() {
    RoundSum none = RoundSum.empty().merge(RoundSum.empty());
    assertFalse(none.hasVector());
    assertNull(none.vector());
    assertNull(none.buffers());
    RoundSum one = RoundSum.empty().merge(worker(new float[] {1, 2}, 3, null, 4, 0.5));
    assertTrue(one.hasVector());
    assertArrayEquals(new double[] {3, 6}, one.vector(), 0);
    assertNull(one.buffers());
    assertArrayEquals(new double[] {3, 6}, worker(new float[] {1, 2}, 3, null, 4, 0.5).merge(RoundSum.empty()).vector(), 0);
  }

  @Test
  void aVectorSetInPartsSumsAsTheJoinedVector() {
    float[] a = {1.5f, -0f, 0.1f, 7f};
    float[] b = {0.25f, 4f, -0.2f, 3f};
    RoundSum parts = worker(new float[][] {{1.5f, -0f}, {0.1f, 7f}}, 2).merge(worker(new float[][] {{0.25f}, {4f, -0.2f, 3f}}, 3));
    RoundSum joined = worker(a, 2, null, 1, 0).merge(worker(b, 3, null, 1, 0));
    assertArrayEquals(joined.vector(), parts.vector(), 0);
    assertArrayEquals(new double[] {3, -0.0}, worker(new float[][] {{1.5f}, {-0f}}, 2).vector(), 0, "-0 stays -0");
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(worker(new float[][] {{-0f}}, 2).vector()[0]));
  }

  private static RoundSum worker(float[][] parts, double scale) {
    return RoundSum.empty().setVector(parts, scale);
  }

  @Test
  void aWorkerSetsItsVectorOnce() {
    RoundSum s = RoundSum.empty().setVector(new float[] {1}, 1);
    assertEquals("A round's vector is set once per worker.", assertThrows(IllegalStateException.class,
        () -> s.setVector(new float[] {2}, 1)).getMessage());
  }
}
