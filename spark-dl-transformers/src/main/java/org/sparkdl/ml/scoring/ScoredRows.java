package org.sparkdl.ml.scoring;

import java.util.List;
import org.apache.spark.Dependency;
import org.apache.spark.OneToOneDependency;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.collection.immutable.Nil$;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * A DataFrame's internal rows, scored partition by partition, as an RDD whose input is made into an
 * RDD ({@code queryExecution().toRdd()}) only when Spark first asks for its partitions or
 * dependencies, that is when an action runs on it. Made at once, the input's RDD would run the
 * input's shuffles right away under adaptive execution, and {@code transform} must stay lazy.
 * Partitions, dependency and preferred locations are the input's, one to one.
 */
final class ScoredRows extends RDD<InternalRow> {
  private static final long serialVersionUID = 1L;
  private static final ClassTag<InternalRow> ROWS = ClassTag$.MODULE$.apply(InternalRow.class);

  /** Scores one partition's rows. */
  interface Score extends FlatMapFunction<java.util.Iterator<InternalRow>, InternalRow> {}

  private transient Dataset<?> input;
  private final Score score;

  @SuppressWarnings("unchecked")
  ScoredRows(Dataset<?> input, Score score) {
    super(input.sparkSession().sparkContext(), (Seq<Dependency<?>>) (Seq<?>) Nil$.MODULE$, ROWS);
    this.input = input;
    this.score = score;
  }

  @Override
  public Seq<Dependency<?>> getDependencies() {
    if (input == null) {
      throw new IllegalStateException("The scored rows' input plan is gone (their dependencies were cleared).");
    }
    RDD<InternalRow> rows = input.queryExecution().toRdd();
    return CollectionConverters.asScala(List.<Dependency<?>>of(new OneToOneDependency<>(rows))).toList();
  }

  @Override
  public Partition[] getPartitions() {
    return firstParent(ROWS).partitions();
  }

  @Override
  public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
    return firstParent(ROWS).preferredLocations(split);
  }

  @Override
  public scala.collection.Iterator<InternalRow> compute(Partition split, TaskContext context) {
    try {
      java.util.Iterator<InternalRow> rows = CollectionConverters.asJava(firstParent(ROWS).iterator(split, context));
      return CollectionConverters.asScala(score.call(rows));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void clearDependencies() {
    super.clearDependencies();
    input = null;
  }
}
