package org.sparkdl.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One message to send or receive: a 16-byte header (magic, sequence, length), then the body. */
final class Transfer {
  final Link link;
  final boolean sending;
  final int sequence;
  final ByteBuffer header = ByteBuffer.allocate(TcpCollective.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  final ByteBuffer[] body;
  final ByteBuffer[] all;
  final long bodyBytes;
  long lastProgress;
  private boolean headerChecked;

  private Transfer(Link link, boolean sending, int sequence, ByteBuffer[] body) {
    this.link = link;
    this.sending = sending;
    this.sequence = sequence;
    this.body = body;
    long n = 0;
    for (ByteBuffer b : body) {
      n += b.remaining();
    }
    this.bodyBytes = n;
    if (sending) {
      header.putInt(TcpCollective.MAGIC).putInt(sequence).putLong(n).flip();
    }
    this.all = new ByteBuffer[body.length + 1];
    all[0] = header;
    System.arraycopy(body, 0, all, 1, body.length);
  }

  static Transfer send(Link link, int sequence, ByteBuffer[] body) {
    return new Transfer(link, true, sequence, body);
  }

  static Transfer receive(Link link, int sequence, ByteBuffer... body) {
    return new Transfer(link, false, sequence, body);
  }

  boolean done() {
    return (sending || headerChecked) && !anyRemaining();
  }

  private boolean anyRemaining() {
    for (ByteBuffer b : all) {
      if (b.hasRemaining()) {
        return true;
      }
    }
    return false;
  }

  /** Moves what the channel takes or has now; true when some bytes moved. */
  boolean progress(TcpCollective c) throws IOException {
    if (sending) {
      return link.channel.write(all) > 0;
    }
    long moved = 0;
    if (header.hasRemaining()) {
      int n = link.channel.read(header);
      if (n < 0) {
        throw eof(c);
      }
      moved += n;
      if (header.hasRemaining()) {
        return moved > 0;
      }
    }
    if (!headerChecked) {
      checkHeader(c);
    }
    if (anyRemaining()) {
      long n = link.channel.read(body);
      if (n < 0) {
        throw eof(c);
      }
      moved += n;
    }
    return moved > 0;
  }

  private void checkHeader(TcpCollective c) {
    header.flip();
    int magic = header.getInt();
    int seq = header.getInt();
    long n = header.getLong();
    if (magic != TcpCollective.MAGIC || seq != sequence || n != bodyBytes) {
      throw new CollectiveException(c.who() + ": " + link.name() + " sent " + (magic != TcpCollective.MAGIC ? "bytes that are not a message"
          : "message #" + seq + " of " + n + " bytes") + " where message #" + sequence + " of " + bodyBytes + " bytes was"
          + " expected; every rank must make the same calls with tensors of the same sizes.");
    }
    header.position(header.limit());
    headerChecked = true;
  }

  private CollectiveException eof(TcpCollective c) {
    return new CollectiveException(c.who() + ": " + link.name() + " closed the connection in message #" + sequence
        + " (its task ended or its executor was lost).");
  }
}
