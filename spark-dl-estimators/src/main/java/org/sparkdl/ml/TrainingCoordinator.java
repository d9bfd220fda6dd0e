package org.sparkdl.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.ThreadSafeRpcEndpoint;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * The driver's end of a fit's barrier stage, an endpoint on Spark's own RPC (the driver's port,
 * its authentication and encryption; nothing new to open). The stage's tasks use it to find each
 * other ({@link Join}: the reply lists every task's address once all have joined, without the
 * one-second polling of {@code BarrierTaskContext.allGather}), to learn where to start ({@link
 * Resume}: after a retry, the state after the last epoch the driver has), and, from rank 0, to
 * hand in each epoch ({@link EpochEnd}) and hear whether to go on ({@link Decision}).
 *
 * <p>Messages run on Spark's dispatcher one at a time; replies to {@code EpochEnd} are deferred
 * until the fit's own thread has taken the epoch ({@link #next}).
 */
final class TrainingCoordinator implements ThreadSafeRpcEndpoint {
  /** A task of attempt {@code attempt} (the stage attempt) announces its collective endpoint; the reply is a {@code String[]}. */
  record Join(int attempt, int rank, String endpoint) implements Serializable {}

  /** Rank 0 asks where its attempt starts; the reply is a {@link Start}. */
  record Resume(int attempt) implements Serializable {}

  /** The first epoch to train and the state it starts from. */
  record Start(int epoch, TrainingState state) implements Serializable {}

  /**
   * Rank 0 hands in an epoch: the sums over all tasks ({@link EpochSums}), the state the epoch
   * ended in, and what its rounds did (null unless the fit writes a TensorBoard log); the reply is
   * a {@link Decision}.
   */
  record EpochEnd(int attempt, int epoch, EpochSums sums, TrainingState state, StepLog steps) implements Serializable {}

  /** Whether the tasks stop after the epoch they handed in. */
  record Decision(boolean stop) implements Serializable {}

  /** An epoch handed in and the call to answer once the driver has taken it. */
  record Handed(EpochEnd end, RpcCallContext reply) {}

  private final RpcEnv env;
  private final int tasks;
  private final BlockingQueue<Handed> handed = new LinkedBlockingQueue<>();
  private volatile Start start;
  private int attempt = -1;
  private String[] joined;
  private List<RpcCallContext> waiting;

  TrainingCoordinator(RpcEnv env, int tasks, Start start) {
    this.env = env;
    this.tasks = tasks;
    this.start = start;
  }

  @Override
  public RpcEnv rpcEnv() {
    return env;
  }

  /** Where an attempt that starts now begins: set before the tasks are told to go on. */
  void startFrom(Start s) {
    start = s;
  }

  /** The next epoch handed in, waiting at most {@code millis}; null if none came. */
  Handed next(long millis) throws InterruptedException {
    return handed.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public scala.PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext context) {
    return new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(Object message) {
        return message instanceof Join || message instanceof Resume || message instanceof EpochEnd;
      }

      @Override
      public BoxedUnit apply(Object message) {
        if (message instanceof Join j) {
          join(j, context);
        } else if (message instanceof Resume) {
          context.reply(start);
        } else if (message instanceof EpochEnd e) {
          if (e.attempt() < attempt) {
            context.reply(new Decision(true));   // a task of a failed attempt that has not been stopped yet
          } else {
            handed.add(new Handed(e, context));
          }
        }
        return BoxedUnit.UNIT;
      }
    };
  }

  private void join(Join j, RpcCallContext context) {
    if (j.attempt() < attempt) {
      context.sendFailure(new IllegalStateException("Stage attempt " + j.attempt() + " was superseded by attempt " + attempt
          + "."));
      return;
    }
    if (j.attempt() > attempt) {
      // a new attempt: whoever waited for the old one is failed (their stage is being torn down)
      if (waiting != null) {
        waiting.forEach(c -> c.sendFailure(new IllegalStateException("Stage attempt " + attempt + " was superseded by attempt "
            + j.attempt() + ".")));
      }
      attempt = j.attempt();
      joined = new String[tasks];
      waiting = new ArrayList<>();
    }
    joined[j.rank()] = j.endpoint();
    waiting.add(context);
    if (waiting.size() == tasks) {
      String[] all = joined.clone();
      waiting.forEach(c -> c.reply(all));
      waiting = null;
    }
  }
}
