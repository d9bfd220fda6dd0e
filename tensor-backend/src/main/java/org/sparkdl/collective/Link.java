package org.sparkdl.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/** A connection to one neighbour. */
final class Link {
  final int peer;
  final String address;
  final SocketChannel channel;
  SelectionKey key;
  int interest;

  Link(int peer, String address, SocketChannel channel) {
    this.peer = peer;
    this.address = address;
    this.channel = channel;
  }

  String name() {
    return "rank " + peer + " at " + address;
  }

  void register(Selector s) {
    try {
      key = channel.register(s, 0);
    } catch (IOException e) {
      throw new CollectiveException("Registering the connection to " + name() + " failed: " + e.getMessage(), e);
    }
  }

  /** Writes or reads {@code b} whole before the deadline, on a private selector (while connecting). */
  void blockingIo(ByteBuffer b, boolean write, long deadline, String what) {
    try (Selector s = Selector.open()) {
      channel.register(s, write ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      while (b.hasRemaining()) {
        int n = write ? channel.write(b) : channel.read(b);
        if (n < 0) {
          throw new CollectiveException(name() + " closed the connection while " + what + ".");
        }
        if (b.hasRemaining()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new CollectiveException(name() + " did not answer while " + what + ".");
          }
          s.select(Math.max(1, Math.min(TcpCollective.SLICE_MILLIS, left / 1_000_000)));
          s.selectedKeys().clear();
        }
      }
      channel.keyFor(s).cancel();
      s.selectNow();
    } catch (IOException e) {
      throw new CollectiveException("The connection to " + name() + " failed while " + what + ": " + e.getMessage(), e);
    }
  }
}
