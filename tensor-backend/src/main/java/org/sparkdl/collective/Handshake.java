package org.sparkdl.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How a {@link TcpCollective} rank connects to its neighbours: it connects to the lower ones and
 * accepts the higher ones, each connection opening with a handshake (magic number, the job's
 * token, the rank) that the accepting side checks and answers, so that a stray or stale
 * connection is refused rather than mistaken for a peer.
 */
final class Handshake {
  /** Socket buffers big enough that a ring step's chunk rarely waits for the reader. */
  private static final int SOCKET_BUFFER = 4 << 20;
  private final TcpCollective c;
  private final int rank;
  private final List<String> addresses;
  private final TcpCollective.Options options;

  Handshake(TcpCollective c, List<String> addresses, TcpCollective.Options options) {
    this.c = c;
    this.rank = c.rank();
    this.addresses = addresses;
    this.options = options;
  }

  /**
   * Connects to every lower neighbour (sending a handshake), accepts every higher one (checking
   * its handshake and answering), then reads the lower ones' answers. Connects never wait for a
   * peer (the kernel completes them against the bound listener), so no rank waits in a cycle.
   */
  void connect(ServerSocketChannel server, TreeSet<Integer> neighbours, Link[] links) {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    TreeSet<Integer> lower = new TreeSet<>(neighbours.headSet(rank));
    TreeSet<Integer> higher = new TreeSet<>(neighbours.tailSet(rank, false));
    for (int peer : lower) {
      links[peer] = open(peer, deadline);
      Link l = links[peer];
      ByteBuffer hello = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      hello.putInt(TcpCollective.MAGIC).putLong(options.token()).putInt(rank).flip();
      l.blockingIo(hello, true, deadline, "connecting");
    }
    accept(server, higher, deadline, links);
    for (int peer : lower) {
      ByteBuffer ack = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      links[peer].blockingIo(ack, false, deadline, "connecting");
      ack.flip();
      if (ack.getInt() != TcpCollective.MAGIC || ack.getInt() != peer) {
        throw new CollectiveException(c.who() + ": " + links[peer].name() + " answered the handshake with something else;"
            + " is another program listening at that address?");
      }
    }
  }

  private Link open(int peer, long deadline) {
    String address = addresses.get(peer);
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("Address of rank " + peer + " '" + address + "' is not host:port.");
    }
    InetSocketAddress target = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    IOException last = null;
    while (System.nanoTime() < deadline) {
      c.checkCancelled("connecting");
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open();
        ch.socket().connect(target, (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000)));
        return new Link(peer, address, configure(ch));
      } catch (IOException e) {
        last = e;
        TcpCollective.closeQuietly(ch);
        sleep(50);
      }
    }
    throw new CollectiveException(c.who() + ": cannot connect to rank " + peer + " at " + address + " within "
        + options.timeout().toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()), last);
  }

  private void accept(ServerSocketChannel server, TreeSet<Integer> expected, long deadline, Link[] links) {
    if (expected.isEmpty()) {
      return;
    }
    try (Selector s = Selector.open()) {
      server.configureBlocking(false);
      server.register(s, SelectionKey.OP_ACCEPT);
      while (!expected.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          List<String> missing = new ArrayList<>();
          expected.forEach(p -> missing.add("rank " + p + " at " + addresses.get(p)));
          throw new CollectiveException(c.who() + ": " + String.join(", ", missing) + " did not connect within "
              + options.timeout().toSeconds() + " s.");
        }
        s.select(Math.max(1, Math.min(TcpCollective.SLICE_MILLIS, left / 1_000_000)));
        s.selectedKeys().clear();
        c.checkCancelled("connecting");
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
          Link l = new Link(-1, ch.getRemoteAddress().toString(), configure(ch));
          ByteBuffer hello = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
          l.blockingIo(hello, false, deadline, "connecting");
          hello.flip();
          int magic = hello.getInt();
          long token = hello.getLong();
          int peer = hello.getInt();
          if (magic != TcpCollective.MAGIC || token != options.token() || !expected.contains(peer)) {
            TcpCollective.closeQuietly(ch);   // a stray connection: not one of ours, or from another job or attempt
            continue;
          }
          expected.remove(peer);
          links[peer] = new Link(peer, addresses.get(peer), ch);
          ByteBuffer ack = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(TcpCollective.MAGIC).putInt(rank).flip();
          links[peer].blockingIo(ack, true, deadline, "connecting");
        }
      }
    } catch (IOException e) {
      throw new CollectiveException(c.who() + ": accepting connections failed: " + e.getMessage(), e);
    }
  }

  private static SocketChannel configure(SocketChannel ch) throws IOException {
    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
    ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
    ch.configureBlocking(false);
    return ch;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
