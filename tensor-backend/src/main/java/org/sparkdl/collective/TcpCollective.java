package org.sparkdl.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * A {@link Collective} over TCP between ranks that know each other's addresses. Small messages
 * are reduced up a binary tree rooted at rank 0 and broadcast down it ({@code 2 log2(n)} hops);
 * large ones run a ring reduce-scatter and all-gather, which moves {@code 2 (n - 1) / n} of the
 * message over each link whatever the number of ranks, and with two ranks sends the two halves
 * both ways at once.
 *
 * <pre>{@code
 * try (TcpCollective.Listener listener = TcpCollective.listen("10.0.0.5")) {
 *   List<String> all = exchange(listener.address());        // e.g. BarrierTaskContext.allGather
 *   try (Collective c = listener.join(rank, all, TcpCollective.Options.defaults())) {
 *     c.allreduce(new double[] {rows}, gradients);
 *   }
 * }
 * }</pre>
 *
 * <p>The transport is the JDK's non-blocking socket channels and one selector per rank: a rank
 * talks to at most four neighbours (tree parent and children, ring neighbours), messages are
 * written from and read into the tensors' own off-heap memory, and every wait has a deadline and a
 * cancellation check. Each connection starts with a handshake carrying a token, so a stray or
 * stale connection (another fit, an earlier attempt) is refused.
 *
 * <p><b>Size.</b> Over 400 lines: the transport, its framing, the ring and tree schedules and
 * their timeouts are one protocol, and its errors name peers, which needs all of it in view.
 */
public final class TcpCollective implements Collective {
  static final int MAGIC = 0x53444c43;
  static final int HEADER_BYTES = 16;
  static final long SLICE_MILLIS = 200;

  /** How to reduce: by message size ({@link #AUTO}), or always one way (for tests and benchmarks). */
  public enum Algorithm { AUTO, TREE, RING }

  /**
   * Settings of a collective.
   *
   * @param timeout how long a peer may send nothing while this rank waits for it, and how long
   *     connecting may take
   * @param token shared by the ranks of one job and nobody else; connections with another are refused
   * @param cancelled polled while waiting: a non-null reason aborts the call (e.g. the task was killed)
   * @param algorithm tree, ring, or by size
   * @param ringBytes with {@link Algorithm#AUTO}, messages of at least this many bytes use the ring
   *     (with two ranks the ring is used at every size)
   */
  public record Options(Duration timeout, long token, Supplier<String> cancelled, Algorithm algorithm, long ringBytes) {
    public Options {
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(cancelled, "cancelled");
      Objects.requireNonNull(algorithm, "algorithm");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("The collective timeout must be > 0, found " + timeout + ".");
      }
    }

    /** A 300 s timeout, token 0, never cancelled, the algorithm chosen by size (ring from 256 KiB). */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(300), 0, () -> null, Algorithm.AUTO, 256 << 10);
    }

    public Options withTimeout(Duration t) {
      return new Options(t, token, cancelled, algorithm, ringBytes);
    }

    public Options withToken(long t) {
      return new Options(timeout, t, cancelled, algorithm, ringBytes);
    }

    public Options withCancellation(Supplier<String> c) {
      return new Options(timeout, token, c, algorithm, ringBytes);
    }

    public Options withAlgorithm(Algorithm a) {
      return new Options(timeout, token, cancelled, a, ringBytes);
    }
  }

  /**
   * A listening socket bound before the ranks exchange addresses, so that every address a rank
   * learns already accepts connections. Closing it does not close a collective joined from it.
   */
  public static final class Listener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final String address;

    private Listener(ServerSocketChannel server, String host) throws IOException {
      this.server = server;
      this.address = host + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** {@code host:port} for the other ranks to connect to. */
    public String address() {
      return address;
    }

    /**
     * Connects to this rank's neighbours among {@code addresses} (every rank's {@link #address()},
     * indexed by rank) and returns the connected collective.
     *
     * @throws CollectiveException when a neighbour cannot be reached or does not connect in time
     */
    public TcpCollective join(int rank, List<String> addresses, Options options) {
      if (rank < 0 || rank >= addresses.size()) {
        throw new IllegalArgumentException("Rank " + rank + " is outside [0, " + addresses.size() + ").");
      }
      TcpCollective c = new TcpCollective(rank, List.copyOf(addresses), options);
      try {
        new Handshake(c, addresses, options).connect(server, c.neighbours(), c.links);
        for (Link l : c.links) {
          if (l != null) {
            l.register(c.selector);
          }
        }
        return c;
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // nothing was sent through it; the port is released either way
      }
    }
  }

  /** Binds a listener on {@code host} (an address of this machine that the other ranks can reach), on a free port. */
  public static Listener listen(String host) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(host, 0), 64);
      return new Listener(server, host);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private final int rank;
  private final List<String> addresses;
  private final Options options;
  private final Link[] links;
  private final Selector selector;
  private Scope scratchScope;
  private Tensor scratch;
  private int sequence;
  private boolean closed;

  private TcpCollective(int rank, List<String> addresses, Options options) {
    this.rank = rank;
    this.addresses = addresses;
    this.options = options;
    this.links = new Link[addresses.size()];
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new CollectiveException(who() + ": cannot open a selector: " + e.getMessage(), e);
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return addresses.size();
  }

  // ---------------------------------------------------------------- topology

  private int parent() {
    return rank == 0 ? -1 : (rank - 1) / 2;
  }

  private int[] children() {
    int a = 2 * rank + 1;
    int b = 2 * rank + 2;
    return a >= size() ? new int[0] : b >= size() ? new int[] {a} : new int[] {a, b};
  }

  private int next() {
    return (rank + 1) % size();
  }

  private int previous() {
    return (rank + size() - 1) % size();
  }

  /** Tree parent and children and ring neighbours: the ranks this one keeps a connection to. */
  TreeSet<Integer> neighbours() {
    TreeSet<Integer> n = new TreeSet<>();
    if (size() > 1) {
      if (parent() >= 0) {
        n.add(parent());
      }
      for (int c : children()) {
        n.add(c);
      }
      n.add(next());
      n.add(previous());
      n.remove(rank);
    }
    return n;
  }

  // ---------------------------------------------------------------- operations

  @Override
  public void allreduce(double[] scalars, Tensor... data) {
    checkOpen();
    TensorVector v = new TensorVector(scalars, data);
    allreduce(v);
    v.storeScalars(scalars);
  }

  /** Sums {@code v} over the ranks, in place (its scalars too). */
  void allreduce(TensorVector v) {
    checkOpen();
    int op = ++sequence;
    if (size() == 1) {
      return;
    }
    long bytes = v.floats * 4 + v.scalarCount() * 8L;
    boolean ring = switch (options.algorithm()) {
      case RING -> true;
      case TREE -> false;
      case AUTO -> size() == 2 || bytes >= options.ringBytes();
    };
    if (ring && v.floats >= size()) {
      ringAllreduce(v, op);
    } else {
      treeAllreduce(v, op);
    }
  }

  @Override
  public void broadcast(Tensor... data) {
    broadcast(new TensorVector(new double[0], data));
  }

  /** Overwrites {@code v} with rank 0's. */
  void broadcast(TensorVector v) {
    checkOpen();
    int op = ++sequence;
    if (size() > 1) {
      down(v, op, "broadcast");
    }
  }

  @Override
  public void barrier() {
    checkOpen();
    int op = ++sequence;
    if (size() > 1) {
      treeAllreduce(new TensorVector(new double[0]), op);
    }
  }

  /** Sums up the tree (own, then each child in rank order), then sends the root's sums down. */
  private void treeAllreduce(TensorVector v, int op) {
    ByteBuffer[] whole = v.slices(0, v.floats, true);
    for (int child : children()) {
      ByteBuffer in = scratch(v, v.floats);
      run("allreduce", Transfer.receive(links[child], op, in.duplicate()));
      v.add(0, v.floats, true, in);
    }
    if (parent() >= 0) {
      run("allreduce", Transfer.send(links[parent()], op, whole));
    }
    down(v, op, "allreduce");
  }

  /** Receives the whole vector from the tree parent (unless root), then sends it to the children. */
  private void down(TensorVector v, int op, String what) {
    if (parent() >= 0) {
      run(what, Transfer.receive(links[parent()], op, v.slices(0, v.floats, true)));
    }
    int[] kids = children();
    Transfer[] out = new Transfer[kids.length];
    for (int i = 0; i < kids.length; i++) {
      out[i] = Transfer.send(links[kids[i]], op, v.slices(0, v.floats, true));
    }
    run(what, out);
  }

  /**
   * Ring reduce-scatter, then ring all-gather: the vector is cut into {@code n} chunks (scalars
   * ride with chunk 0); in step s of the first phase rank r sends its partial chunk {@code r - s}
   * to the next rank while adding the previous rank's chunk {@code r - s - 1} to its own, so after
   * {@code n - 1} steps it holds the full sum of chunk {@code r + 1}, which the second phase
   * passes round the ring.
   */
  private void ringAllreduce(TensorVector v, int op) {
    ringReduceScatter(v, op, 0, false, "allreduce");
    ringAllgather(v, op, 0, "allreduce");
  }

  /**
   * The ring's first phase, shifted so that rank r ends with the sum of chunk {@code r + 1 +
   * shift}. Scalars ride with chunk 0, or, with {@code scalarsEachStep} (two ranks, one step),
   * with the one message each way, so that both ranks end with their sum.
   */
  private void ringReduceScatter(TensorVector v, int op, int shift, boolean scalarsEachStep, String what) {
    int n = size();
    Link next = links[next()];
    Link prev = links[previous()];
    long largest = 0;
    for (int c = 0; c < n; c++) {
      largest = Math.max(largest, chunkEnd(v, c) - chunkStart(v, c));
    }
    ByteBuffer in = scratch(v, largest);
    for (int s = 0; s < n - 1; s++) {
      int send = Math.floorMod(rank - s + shift, n);
      int recv = Math.floorMod(rank - s - 1 + shift, n);
      boolean sendScalars = scalarsEachStep || send == 0;
      boolean recvScalars = scalarsEachStep || recv == 0;
      long lo = chunkStart(v, recv);
      long hi = chunkEnd(v, recv);
      ByteBuffer target = in.duplicate().limit((int) ((hi - lo) * 4)).position(0);
      ByteBuffer[] into = recvScalars ? new ByteBuffer[] {target, in.duplicate().position(in.capacity() - v.scalarCount() * 8)}
          : new ByteBuffer[] {target};
      run(what, Transfer.send(next, op, v.slices(chunkStart(v, send), chunkEnd(v, send), sendScalars)),
          Transfer.receive(prev, op, into));
      v.add(lo, hi, recvScalars, in);
    }
  }

  /** The ring's second phase: rank r starts with the full chunk {@code r + 1 + shift} and ends with all of them. */
  private void ringAllgather(TensorVector v, int op, int shift, String what) {
    int n = size();
    Link next = links[next()];
    Link prev = links[previous()];
    for (int s = 0; s < n - 1; s++) {
      int send = Math.floorMod(rank + 1 + shift - s, n);
      int recv = Math.floorMod(rank + shift - s, n);
      run(what, Transfer.send(next, op, v.slices(chunkStart(v, send), chunkEnd(v, send), send == 0)),
          Transfer.receive(prev, op, v.slices(chunkStart(v, recv), chunkEnd(v, recv), recv == 0)));
    }
  }

  @Override
  public long[] owned(long floats) {
    return new long[] {floats * rank / size(), floats * (rank + 1) / size()};
  }

  @Override
  public void reduceScatter(double[] scalars, Tensor... data) {
    checkOpen();
    TensorVector v = new TensorVector(scalars, data);
    reduceScatter(v);
    v.storeScalars(scalars);
  }

  /** Sums {@code v} over the ranks into this rank's chunk ({@link #owned}) and its scalars everywhere. */
  void reduceScatter(TensorVector v) {
    checkOpen();
    if (size() == 1) {
      ++sequence;
      return;
    }
    if (size() > 2 && v.scalarCount() > 0) {
      // scalars go round a ring with one chunk only, so with more than two ranks they take a tree of their own
      treeAllreduce(v.scalarsOnly(), ++sequence);
      ringReduceScatter(v.withoutScalars(), ++sequence, -1, false, "reduce-scatter");
      return;
    }
    ringReduceScatter(v, ++sequence, -1, true, "reduce-scatter");
  }

  @Override
  public void allgather(Tensor... data) {
    allgather(new TensorVector(new double[0], data));
  }

  /** Hands this rank's chunk ({@link #owned}) of {@code v} to every rank. */
  void allgather(TensorVector v) {
    checkOpen();
    int op = ++sequence;
    if (size() > 1) {
      ringAllgather(v, op, -1, "allgather");
    }
  }

  private long chunkStart(TensorVector v, int c) {
    return v.floats * c / size();
  }

  private long chunkEnd(TensorVector v, int c) {
    return v.floats * (c + 1) / size();
  }

  /**
   * A scratch buffer of {@code floats} float32 values followed by {@code scalars} doubles (at its
   * end), in off-heap memory this collective owns; grown when a larger message comes.
   */
  private ByteBuffer scratch(TensorVector v, long floats) {
    int scalars = v.scalarCount();
    long bytes = floats * 4 + scalars * 8L;
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("A message of " + bytes + " bytes is over the 2 GiB this collective handles.");
    }
    if (floats == 0) {
      return ByteBuffer.allocate(scalars * 8).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (scratch == null || scratch.size() * 4L < bytes) {
      if (scratchScope == null) {
        scratchScope = v.backend.openScope("collective-rank-" + rank);
      }
      if (scratch != null) {
        scratch.close();
      }
      scratch = scratchScope.allocate(DType.FLOAT32, Shape.of((int) Math.max(1, (bytes + 3) / 4)));
    }
    ByteBuffer b = scratch.storage().hostBuffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.position(0).limit((int) bytes);
    return b.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  // ---------------------------------------------------------------- moving bytes

  /**
   * Moves the transfers' bytes until all are done, writing and reading whichever channel is ready,
   * so a rank can send to one peer while it receives from another (or from the same one).
   */
  private void run(String what, Transfer... transfers) {
    long now = System.nanoTime();
    for (Transfer t : transfers) {
      t.lastProgress = now;
    }
    try {
      while (true) {
        boolean pending = false;
        now = System.nanoTime();
        for (Transfer t : transfers) {
          if (!t.done() && t.progress(this)) {
            t.lastProgress = now;
          }
          pending |= !t.done();
        }
        if (!pending) {
          return;
        }
        for (Transfer t : transfers) {
          t.link.interest = 0;
        }
        for (Transfer t : transfers) {
          if (!t.done()) {
            t.link.interest |= t.sending ? SelectionKey.OP_WRITE : SelectionKey.OP_READ;
          }
        }
        for (Transfer t : transfers) {
          t.link.key.interestOps(t.link.interest);
        }
        selector.select(SLICE_MILLIS);
        selector.selectedKeys().clear();
        checkCancelled(what);
        now = System.nanoTime();
        for (Transfer t : transfers) {
          if (!t.done() && now - t.lastProgress > options.timeout().toNanos()) {
            throw new CollectiveException(who() + ": " + t.link.name() + " did not answer within " + options.timeout().toSeconds()
                + " s in " + what + " #" + t.sequence + " (" + (t.sending ? "sending to it" : "waiting for its data") + ").");
          }
        }
      }
    } catch (IOException e) {
      Transfer failed = transfers[0];
      for (Transfer t : transfers) {
        if (!t.done()) {
          failed = t;
          break;
        }
      }
      throw new CollectiveException(who() + ": the connection to " + failed.link.name() + " failed in " + what + " #"
          + failed.sequence + ": " + e.getMessage() + " (its task ended or its executor was lost).", e);
    } finally {
      for (Transfer t : transfers) {
        if (t.link.key != null && t.link.key.isValid()) {
          t.link.key.interestOps(0);
        }
      }
    }
  }

  void checkCancelled(String what) {
    String reason = options.cancelled().get();
    if (reason != null) {
      throw new CollectiveException(who() + ": " + what + " cancelled: " + reason + ".");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new CollectiveException(who() + ": " + what + " interrupted.");
    }
  }

  /** "rank 1 of 4", for messages. */
  String who() {
    return "Collective rank " + rank + " of " + size();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(who() + " is closed.");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Link l : links) {
      if (l != null) {
        closeQuietly(l.channel);
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // the channels are closed already; nothing else is held by the selector
    }
    if (scratchScope != null) {
      scratchScope.close();
    }
  }

  static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing a socket that failed; nothing to recover
      }
    }
  }


}
