package org.sparkdl.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ranks of one collective that run in this JVM (threads, e.g. the tasks of one Spark
 * executor): they meet here, reduce each other's tensors through shared memory, and one of them,
 * the leader (the lowest rank), carries the JVM's sum to the other JVMs. Found by key in a static
 * registry; the last member to leave removes it.
 *
 * <p>Every wait is a generation barrier with the collective's timeout and cancellation check. A
 * member that leaves before an operation the others are in (its task failed) can never reach it,
 * so they fail at once, naming that rank.
 */
final class LocalGroup {
  private static final Map<String, LocalGroup> GROUPS = new ConcurrentHashMap<>();
  /** Spin-wait iterations before parking at a barrier (a few tens of microseconds). */
  private static final int SPINS = 2000;

  private final String key;
  private final int[] ranks;
  private final TensorVector[] deposited;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Per member: the operations it had finished when it left, or -1 while it is in. */
  private final int[] leftAfter;
  /** Per member: the order in which it left (1 = first), so a failure names the first to go. */
  private final int[] leftOrder;
  private int leaves;
  private int arrived;
  private volatile long generation;
  private int members;
  private String gaveUp;

  private LocalGroup(String key, int[] ranks) {
    this.key = key;
    this.ranks = ranks;
    this.deposited = new TensorVector[ranks.length];
    this.leftAfter = new int[ranks.length];
    this.leftOrder = new int[ranks.length];
    Arrays.fill(leftAfter, -1);
    this.members = ranks.length;
  }

  /** The group of {@code ranks} (sorted, this JVM's) under {@code key}, created by the first to ask. */
  static LocalGroup of(String key, int[] ranks) {
    LocalGroup g = GROUPS.computeIfAbsent(key, k -> new LocalGroup(k, ranks.clone()));
    if (!Arrays.equals(g.ranks, ranks)) {
      throw new IllegalStateException("Ranks " + Arrays.toString(ranks) + " and " + Arrays.toString(g.ranks)
          + " claim the same group " + key + ".");
    }
    return g;
  }

  int size() {
    return ranks.length;
  }

  /** This rank's index in the group; 0 is the leader. */
  int indexOf(int rank) {
    int i = Arrays.binarySearch(ranks, rank);
    if (i < 0) {
      throw new IllegalArgumentException("Rank " + rank + " is not in group " + Arrays.toString(ranks) + ".");
    }
    return i;
  }

  /** Deposits this member's vector for operation {@code op} and waits until every member has. */
  void arrive(int index, TensorVector v, HierarchicalCollective c, String what, int op) {
    deposited[index] = v;
    await(c, what, op);
  }

  /** The vector member {@code index} deposited for the current operation. */
  TensorVector vector(int index) {
    return deposited[index];
  }

  /** Waits until every member has called this for the current generation of operation {@code op}. */
  void await(HierarchicalCollective c, String what, int op) {
    long mine;
    lock.lock();
    try {
      checkMembers(c, what, op);
      mine = generation;
      if (++arrived == ranks.length) {
        arrived = 0;
        generation++;
        changed.signalAll();
        return;
      }
    } finally {
      lock.unlock();
    }
    // the others usually come within microseconds, sooner than a parked thread wakes up
    for (int i = 0; i < SPINS && generation == mine; i++) {
      Thread.onSpinWait();
    }
    if (generation != mine) {
      return;
    }
    long timeout = c.options().timeout().toNanos();
    lock.lock();
    try {
      long started = System.nanoTime();
      while (generation == mine) {
        checkMembers(c, what, op);
        c.checkCancelled(what);
        if (System.nanoTime() - started > timeout) {
          gaveUp = "rank " + c.rank() + " gave up waiting in " + what + " #" + op;
          changed.signalAll();
          throw new CollectiveException(c.who() + ": a rank of this JVM (ranks " + Arrays.toString(ranks) + ") did not reach "
              + what + " #" + op + " within " + c.options().timeout().toSeconds() + " s.");
        }
        changed.await(TcpCollective.SLICE_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectiveException(c.who() + ": " + what + " interrupted.", e);
    } finally {
      lock.unlock();
    }
  }

  private void checkMembers(HierarchicalCollective c, String what, int op) {
    if (gaveUp != null) {
      throw new CollectiveException(c.who() + ": " + gaveUp + " (a rank in this JVM).");
    }
    int first = -1;
    for (int m = 0; m < ranks.length; m++) {
      if (leftAfter[m] >= 0 && leftAfter[m] < op && (first < 0 || leftOrder[m] < leftOrder[first])) {
        first = m;
      }
    }
    if (first >= 0) {
      throw new CollectiveException(c.who() + ": rank " + ranks[first] + " (in this JVM) left the collective after finishing "
          + leftAfter[first] + " operations, without finishing " + what + " #" + op + " (its task ended or failed).");
    }
  }

  /** Member {@code index} leaves, having finished {@code operations}; the last one out removes the group. */
  void leave(int index, int operations) {
    lock.lock();
    try {
      leftAfter[index] = operations;
      leftOrder[index] = ++leaves;
      changed.signalAll();
      if (--members == 0) {
        GROUPS.remove(key, this);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Member {@code index}'s share of a reduction: floats {@code [lo, hi)} of the leader's vector
   * become the sum over the members in rank order (and the scalars too, done by the leader).
   */
  void reduceSlice(int index) {
    TensorVector lead = deposited[0];
    long lo = lead.floats * index / ranks.length;
    long hi = lead.floats * (index + 1) / ranks.length;
    for (int m = 1; m < ranks.length; m++) {
      addInto(lead, deposited[m], lo, hi);
    }
    if (index == 0) {
      for (int m = 1; m < ranks.length; m++) {
        for (int j = 0; j < lead.scalarCount(); j++) {
          lead.scalars.putDouble(8 * j, lead.scalars.getDouble(8 * j) + deposited[m].scalars.getDouble(8 * j));
        }
      }
    }
  }

  /**
   * Member {@code index}'s share of an allreduce within this JVM alone: floats {@code [lo, hi)}
   * of every member become their sum over the members in rank order (the scalars too, done by
   * member 0). One pass, so the whole allreduce is two barriers.
   */
  void reduceEverywhere(int index) {
    TensorVector lead = deposited[0];
    long lo = lead.floats * index / ranks.length;
    long hi = lead.floats * (index + 1) / ranks.length;
    for (int m = 1; m < ranks.length; m++) {
      addInto(lead, deposited[m], lo, hi);
    }
    for (int m = 1; m < ranks.length; m++) {
      FloatCursor.copy(lead.slices(lo, hi, false), deposited[m].slices(lo, hi, false));
    }
    if (index == 0) {
      reduceScalars();
    }
  }

  void reduceScalars() {
    TensorVector lead = deposited[0];
    for (int m = 1; m < ranks.length; m++) {
      for (int j = 0; j < lead.scalarCount(); j++) {
        lead.scalars.putDouble(8 * j, lead.scalars.getDouble(8 * j) + deposited[m].scalars.getDouble(8 * j));
      }
    }
    for (int m = 1; m < ranks.length; m++) {
      deposited[m].scalars.duplicate().clear().put(lead.scalars.duplicate().clear());
    }
  }

  /**
   * Member {@code index}'s share of a reduce-scatter within this JVM: floats {@code [lo, hi)} (its
   * own part) become their sum over the members in rank order, in the leader's vector and its own.
   */
  void reduceRange(int index, long lo, long hi) {
    TensorVector lead = deposited[0];
    for (int m = 1; m < ranks.length; m++) {
      addInto(lead, deposited[m], lo, hi);
    }
    if (index != 0) {
      FloatCursor.copy(lead.slices(lo, hi, false), deposited[index].slices(lo, hi, false));
    }
  }

  /** Copies floats {@code [lo, hi)} (and the scalars, when asked) of member {@code from}'s vector to member {@code to}'s. */
  void copyRange(int from, int to, long lo, long hi, boolean scalars) {
    FloatCursor.copy(deposited[from].slices(lo, hi, false), deposited[to].slices(lo, hi, false));
    if (scalars) {
      deposited[to].scalars.duplicate().clear().put(deposited[from].scalars.duplicate().clear());
    }
  }

  /** Member {@code index}'s share of an allgather within this JVM: its part {@code [lo, hi)} goes to every other member. */
  void spreadRange(int index, long lo, long hi) {
    for (int m = 0; m < ranks.length; m++) {
      if (m != index) {
        copyRange(index, m, lo, hi, false);
      }
    }
  }

  /** {@code dst[lo, hi) += src[lo, hi)}, slice by slice across the tensors. */
  private static void addInto(TensorVector dst, TensorVector src, long lo, long hi) {
    ByteBuffer[] d = dst.slices(lo, hi, false);
    ByteBuffer[] s = src.slices(lo, hi, false);
    FloatCursor in = new FloatCursor(s);
    for (ByteBuffer b : d) {
      FloatBuffer f = b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      int n = f.remaining();
      int j = 0;
      while (j < n) {
        FloatBuffer from = in.next(n - j);
        int m = from.remaining();
        TensorVector.addInto(f, j, from, m);
        j += m;
      }
    }
  }

  /**
   * Member {@code index}'s share of handing out the result: floats {@code [lo, hi)} of the
   * leader's vector (the same slice it reduced) go to every other member; member 0 also copies
   * the scalars. The members together copy each byte once, in parallel.
   */
  void distributeSlice(int index) {
    TensorVector lead = deposited[0];
    long lo = lead.floats * index / ranks.length;
    long hi = lead.floats * (index + 1) / ranks.length;
    for (int m = 1; m < ranks.length; m++) {
      FloatCursor.copy(lead.slices(lo, hi, false), deposited[m].slices(lo, hi, false));
      if (index == 0) {
        deposited[m].scalars.duplicate().clear().put(lead.scalars.duplicate().clear());
      }
    }
  }

  /** Walks float slices of several buffers as one sequence. */
  private static final class FloatCursor {
    private final ByteBuffer[] parts;
    private int part;
    private FloatBuffer current;

    FloatCursor(ByteBuffer[] parts) {
      this.parts = parts;
    }

    /** The next run of at most {@code max} floats. */
    FloatBuffer next(int max) {
      while (current == null || !current.hasRemaining()) {
        current = parts[part++].slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      }
      int n = Math.min(max, current.remaining());
      FloatBuffer out = current.slice().limit(n);
      current.position(current.position() + n);
      return out;
    }

    /** Copies the bytes of {@code from} into {@code to} (same total length, any cut). */
    static void copy(ByteBuffer[] from, ByteBuffer[] to) {
      int f = 0;
      ByteBuffer src = null;
      for (ByteBuffer dst : to) {
        ByteBuffer d = dst.duplicate();
        while (d.hasRemaining()) {
          while (src == null || !src.hasRemaining()) {
            src = from[f++].duplicate();
          }
          int n = Math.min(d.remaining(), src.remaining());
          ByteBuffer chunk = src.duplicate();
          chunk.limit(chunk.position() + n);
          d.put(chunk);
          src.position(src.position() + n);
        }
      }
    }
  }
}
