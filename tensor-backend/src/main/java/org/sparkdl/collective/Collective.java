package org.sparkdl.collective;

import org.sparkdl.tensor.Tensor;

/**
 * Collective operations among the {@link #size()} ranks of one data-parallel job: every rank calls
 * the same operations in the same order with tensors of the same sizes, and each call returns when
 * this rank's part is done.
 *
 * <p><b>Lifecycle and ownership.</b> A collective is created connected (see {@link
 * TcpCollective.Listener#join}), is used by one thread, and is closed once by its creator; closing
 * releases its connections and scratch memory and makes the peers' pending calls fail promptly.
 * The tensors passed to a call stay their owner's: they are read and written in place during the
 * call and never kept.
 *
 * <p><b>Results.</b> Every rank ends an {@link #allreduce} with the same bits: reductions follow a
 * fixed order that depends only on the ranks and the sizes, never on timing, so a run is
 * reproducible.
 *
 * <p><b>Failures.</b> No call blocks forever: a peer that closes its connection (its task ended,
 * its executor was lost) fails the call at once, and one that sends nothing for the timeout fails
 * it after that long, with a {@link CollectiveException} naming the peer.
 */
public interface Collective extends AutoCloseable {
  /** This rank, in {@code [0, size())}. */
  int rank();

  /** The number of ranks. */
  int size();

  /**
   * Sums {@code data} (float32 tensors, element-wise, in place) and {@code scalars} (in place)
   * over all ranks: afterwards every rank holds the sums. The tensors are one vector in the order
   * given, so several small tensors travel in one message.
   *
   * @throws CollectiveException when a peer fails or times out
   * @throws IllegalArgumentException when a tensor is not float32, not contiguous, or not on a
   *     backend this collective can read
   */
  void allreduce(double[] scalars, Tensor... data);

  /** {@link #allreduce(double[], Tensor...)} without scalars. */
  default void allreduce(Tensor... data) {
    allreduce(new double[0], data);
  }

  /**
   * The part {@code [lo, hi)} of a vector of {@code floats} floats (the tensors of a call, as one)
   * that this rank owns in {@link #reduceScatter} and {@link #allgather}. The ranks' parts tile
   * the vector.
   */
  long[] owned(long floats);

  /**
   * Sums {@code data} over all ranks into this rank's {@link #owned} part (the rest of {@code
   * data} is left undefined) and {@code scalars} into every rank's: the first half of an
   * allreduce, for work that each rank does on its part only (e.g. an optimizer step on a shard
   * of the parameters).
   */
  void reduceScatter(double[] scalars, Tensor... data);

  /** Copies each rank's {@link #owned} part of {@code data} to every rank: the second half of an allreduce. */
  void allgather(Tensor... data);

  /** Overwrites {@code data} on every rank with rank 0's. */
  void broadcast(Tensor... data);

  /** Returns once every rank has called it. */
  void barrier();

  /** Closes the connections and frees scratch memory; idempotent. */
  @Override
  void close();
}
