package org.sparkdl.ml;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the fits of this driver are, by the estimator's uid, for a progress display that polls
 * from another thread (Python's progress bar): updated by the driver after each epoch. A finished
 * fit's last state is kept until it is read once (at most {@value #FINISHED_KEPT} of them, the
 * oldest dropped first), so that a display can show where it ended. Reading never waits for the fit.
 */
public final class FitProgress {
  /** Finished fits whose last state is kept for a display to read. */
  static final int FINISHED_KEPT = 64;
  private static final Map<String, double[]> RUNNING = new ConcurrentHashMap<>();
  private static final Map<String, double[]> FINISHED = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
          return size() > FINISHED_KEPT;
        }
      });

  private FitProgress() {}

  /**
   * The progress of the fit of estimator {@code uid}, or null when none runs or ran unread: {@code
   * [epochs done, epochs at most, optimizer steps done, steps per epoch, the last epoch's training
   * loss (NaN before the first), seconds since the fit started, 1 once the fit has ended else 0]}.
   */
  public static double[] of(String uid) {
    double[] p = RUNNING.get(uid);
    if (p == null) {
      p = FINISHED.remove(uid);
    }
    return p == null ? null : p.clone();
  }

  static void update(String uid, int epochsDone, int maxEpochs, long stepsDone, long stepsPerEpoch, double loss,
      double seconds) {
    RUNNING.put(uid, new double[] {epochsDone, maxEpochs, stepsDone, stepsPerEpoch, loss, seconds, 0});
  }

  static void finish(String uid) {
    double[] last = RUNNING.remove(uid);
    if (last != null) {
      last[6] = 1;
      FINISHED.put(uid, last);
    }
  }
}
