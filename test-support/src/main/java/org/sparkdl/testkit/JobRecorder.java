package org.sparkdl.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Records the Spark jobs started while it is open: their description ({@code
 * setJobDescription}), the task count of their final stage, and that of their barrier stage if
 * they have one; and the bytes their tasks spilled to disk. Spark delivers listener events
 * asynchronously but in order, so {@link #jobs()} first runs a marker job and waits for it: every
 * job started before the call is then in the list.
 *
 * <pre>{@code
 * try (JobRecorder jobs = JobRecorder.start(spark)) {
 *   Dataset<Row> out = model.transform(df);
 *   assertEquals(List.of(), jobs.jobs());   // transform is lazy
 * }
 * }</pre>
 */
public final class JobRecorder extends SparkListener implements AutoCloseable {
  /**
   * One started job.
   *
   * @param barrierTasks the tasks of the job's barrier stage (whose RDDs run in barrier mode), 0
   *     when it has none
   */
  public record Job(int id, String description, int finalStageTasks, int barrierTasks) {}

  private static final String MARKER = "job-recorder-marker-";
  private final SparkContext sc;
  private final List<Job> jobs = new ArrayList<>();
  private long diskBytesSpilled;

  private JobRecorder(SparkContext sc) {
    this.sc = sc;
  }

  /** Starts recording the jobs of {@code spark}. */
  public static JobRecorder start(SparkSession spark) {
    JobRecorder r = new JobRecorder(spark.sparkContext());
    r.sc.addSparkListener(r);
    return r;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    String description = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
    List<StageInfo> stages = CollectionConverters.asJava(start.stageInfos());
    int tasks = stages.stream().max(Comparator.comparingInt(StageInfo::stageId)).map(StageInfo::numTasks).orElse(0);
    int barrier = stages.stream().filter(s -> CollectionConverters.asJava(s.rddInfos()).stream().anyMatch(RDDInfo::isBarrier))
        .mapToInt(StageInfo::numTasks).max().orElse(0);
    synchronized (jobs) {
      jobs.add(new Job(start.jobId(), description == null ? "" : description, tasks, barrier));
      jobs.notifyAll();
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskMetrics() != null) {
      synchronized (jobs) {
        diskBytesSpilled += end.taskMetrics().diskBytesSpilled();
      }
    }
  }

  /** Bytes the tasks that ended so far report as spilled to disk (Spark's "Spill (Disk)" metric). */
  public long diskBytesSpilled() {
    jobs();
    synchronized (jobs) {
      return diskBytesSpilled;
    }
  }

  /** The jobs started so far, in order. */
  public List<Job> jobs() {
    String marker = MARKER + UUID.randomUUID();
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription(marker);
    try {
      JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1), 1).count();
    } finally {
      sc.setLocalProperty("spark.job.description", previous);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    synchronized (jobs) {
      while (jobs.stream().noneMatch(j -> j.description().equals(marker))) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("The listener did not see the marker job within 30 s.");
        }
        try {
          jobs.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("Interrupted while waiting for Spark's listener bus.", e);
        }
      }
      jobs.removeIf(j -> j.description().startsWith(MARKER));
      return List.copyOf(jobs);
    }
  }

  /** The descriptions of the jobs started so far. */
  public List<String> descriptions() {
    return jobs().stream().map(Job::description).toList();
  }

  /** Stops recording. */
  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
