package org.sparkdl.collective;

import org.sparkdl.tensor.Tensor;

/**
 * A {@link Collective} whose ranks may share JVMs: the ranks of one JVM reduce through shared
 * memory (each sums a slice of everyone's tensors into the leader's), the leaders of the JVMs
 * allreduce over TCP, and each rank copies its slice of the leader's result to the others. Within a JVM nothing goes
 * through the kernel, which on a multi-core executor is most of the traffic.
 *
 * <p>Every phase is a barrier of the JVM's ranks, so each rank returns once the whole operation is
 * done and its tensors hold the result; the sums follow rank order inside a JVM and the TCP
 * collective's fixed order between JVMs, so every rank gets the same bits.
 */
final class HierarchicalCollective implements Collective {
  private final int rank;
  private final int size;
  private final LocalGroup group;
  private final int index;
  private final TcpCollective leaders;
  /** The JVMs of the collective, and this one's place among them (its leader's rank among the leaders). */
  private final int jvms;
  private final int jvm;
  private final TcpCollective.Options options;
  private final String who;
  private int operations;
  /** Operations this rank finished; a rank leaving with fewer than another's current one breaks that one. */
  private int completed;
  private boolean closed;

  /**
   * @param leaders the TCP collective among the JVMs' leaders when this rank leads its JVM and
   *     there are other JVMs; otherwise null
   * @param jvms the JVMs the ranks run in
   * @param jvm this rank's JVM's place among them, in the order of their lowest ranks
   */
  HierarchicalCollective(int rank, int size, LocalGroup group, TcpCollective leaders, int jvms, int jvm,
      TcpCollective.Options options) {
    this.rank = rank;
    this.size = size;
    this.group = group;
    this.index = group.indexOf(rank);
    this.leaders = leaders;
    this.jvms = jvms;
    this.jvm = jvm;
    this.options = options;
    this.who = "Collective rank " + rank + " of " + size;
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  TcpCollective.Options options() {
    return options;
  }

  String who() {
    return who;
  }

  void checkCancelled(String what) {
    String reason = options.cancelled().get();
    if (reason != null) {
      throw new CollectiveException(who + ": " + what + " cancelled: " + reason + ".");
    }
  }

  @Override
  public void allreduce(double[] scalars, Tensor... data) {
    TensorVector v = start(scalars, data);
    int op = operations;
    if (group.size() == 1) {
      if (leaders != null) {
        leaders.allreduce(v);
      }
    } else {
      group.arrive(index, v, this, "allreduce", op);
      checkSameSizes("allreduce", op);
      if (group.size() == size) {
        // nobody outside this JVM: each rank sums its slice and writes it to everyone, then one barrier
        group.reduceEverywhere(index);
        group.await(this, "allreduce", op);
        v.storeScalars(scalars);
        completed = op;
        return;
      }
      group.reduceSlice(index);
      group.await(this, "allreduce", op);
      if (index == 0 && leaders != null) {
        leaders.allreduce(v);
      }
      group.await(this, "allreduce", op);
      group.distributeSlice(index);
      group.await(this, "allreduce", op);
    }
    v.storeScalars(scalars);
    completed = op;
  }

  /**
   * The JVM's chunk of the vector (its leader's part among the leaders), split evenly among the
   * JVM's ranks.
   */
  @Override
  public long[] owned(long floats) {
    long lo = floats * jvm / jvms;
    long hi = floats * (jvm + 1) / jvms;
    int k = group.size();
    return new long[] {lo + (hi - lo) * index / k, lo + (hi - lo) * (index + 1) / k};
  }

  @Override
  public void reduceScatter(double[] scalars, Tensor... data) {
    TensorVector v = start(scalars, data);
    int op = operations;
    long[] mine = owned(v.floats);
    if (group.size() == 1) {
      if (leaders != null) {
        leaders.reduceScatter(v);
      }
    } else {
      group.arrive(index, v, this, "reduce-scatter", op);
      checkSameSizes("reduce-scatter", op);
      if (group.size() == size) {
        group.reduceRange(index, mine[0], mine[1]);
        if (index == 0) {
          group.reduceScalars();
        }
        group.await(this, "reduce-scatter", op);
      } else {
        group.reduceSlice(index);
        group.await(this, "reduce-scatter", op);
        if (index == 0) {
          leaders.reduceScatter(v);
        }
        group.await(this, "reduce-scatter", op);
        if (index != 0) {
          group.copyRange(0, index, mine[0], mine[1], true);
        }
        group.await(this, "reduce-scatter", op);   // the leader's tensors are its own again only once all have copied
      }
    }
    v.storeScalars(scalars);
    completed = op;
  }

  @Override
  public void allgather(Tensor... data) {
    TensorVector v = start(new double[0], data);
    int op = operations;
    long[] mine = owned(v.floats);
    if (group.size() == 1) {
      if (leaders != null) {
        leaders.allgather(v);
      }
    } else {
      group.arrive(index, v, this, "allgather", op);
      checkSameSizes("allgather", op);
      if (group.size() == size) {
        group.spreadRange(index, mine[0], mine[1]);
      } else {
        if (index != 0) {
          group.copyRange(index, 0, mine[0], mine[1], false);
        }
        group.await(this, "allgather", op);
        if (index == 0) {
          leaders.allgather(v);
        }
        group.await(this, "allgather", op);
        group.distributeSlice(index);
      }
      group.await(this, "allgather", op);
    }
    completed = op;
  }

  @Override
  public void broadcast(Tensor... data) {
    TensorVector v = start(new double[0], data);
    int op = operations;
    if (group.size() == 1) {
      if (leaders != null) {
        leaders.broadcast(v);
      }
      completed = op;
      return;
    }
    group.arrive(index, v, this, "broadcast", op);
    checkSameSizes("broadcast", op);
    if (index == 0 && leaders != null) {
      leaders.broadcast(v);
    }
    group.await(this, "broadcast", op);
    group.distributeSlice(index);
    group.await(this, "broadcast", op);
    completed = op;
  }

  @Override
  public void barrier() {
    start(new double[0]);
    int op = operations;
    if (group.size() > 1) {
      group.await(this, "barrier", op);
    }
    if (index == 0 && leaders != null) {
      leaders.barrier();
    }
    if (group.size() > 1) {
      group.await(this, "barrier", op);
    }
    completed = op;
  }

  private TensorVector start(double[] scalars, Tensor... data) {
    if (closed) {
      throw new IllegalStateException(who + " is closed.");
    }
    TensorVector v = new TensorVector(scalars, data);
    operations++;
    return v;
  }

  /** Every rank of the JVM checks every deposit, so all of them fail alike on a mismatch. */
  private void checkSameSizes(String what, int op) {
    TensorVector lead = group.vector(0);
    for (int m = 1; m < group.size(); m++) {
      TensorVector other = group.vector(m);
      if (other.floats != lead.floats || other.scalarCount() != lead.scalarCount()) {
        throw new CollectiveException(who + ": in " + what + " #" + op + " a rank of this JVM passed " + other.floats
            + " floats and " + other.scalarCount() + " scalars, its leader " + lead.floats + " and " + lead.scalarCount()
            + "; every rank must make the same calls with tensors of the same sizes.");
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (leaders != null) {
        leaders.close();
      }
    } finally {
      group.leave(index, completed);
    }
  }
}
