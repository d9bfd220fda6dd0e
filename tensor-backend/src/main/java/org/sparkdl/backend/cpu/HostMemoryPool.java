package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.sparkdl.backend.OutOfNativeMemoryException;

/**
 * Host memory blocks from {@code malloc}, recycled by exact size. A training step allocates the
 * same shapes every time, so after the first step every allocation is served from the pool and
 * the process's native memory stays flat. Pooled bytes are capped; blocks beyond the cap go back
 * to {@code free}. Thread-safe.
 */
final class HostMemoryPool {
  /** A block of native memory and a direct buffer over it. */
  record Block(long address, long bytes, ByteBuffer buffer) {}

  private final long maxPooledBytes;
  private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
  private long pooledBytes;
  private long mallocCount;
  private long nativeBytes;

  HostMemoryPool(long maxPooledBytes) {
    this.maxPooledBytes = maxPooledBytes;
  }

  synchronized Block take(long bytes) {
    ArrayDeque<Block> q = free.get(bytes);
    if (q != null && !q.isEmpty()) {
      pooledBytes -= bytes;
      return q.pop();
    }
    Pointer p = Pointer.malloc(bytes);
    if (p == null || p.isNull()) {
      throw new OutOfNativeMemoryException("malloc of " + bytes + " bytes failed: out of native memory.");
    }
    mallocCount++;
    nativeBytes += bytes;
    return new Block(p.address(), bytes, view(p.address(), bytes));
  }

  synchronized void give(Block b) {
    if (pooledBytes + b.bytes() > maxPooledBytes) {
      release(b);
      return;
    }
    free.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).push(b);
    pooledBytes += b.bytes();
  }

  /** Frees every pooled block. */
  synchronized void clear() {
    for (ArrayDeque<Block> q : free.values()) {
      for (Block b : q) {
        release(b);
      }
    }
    free.clear();
    pooledBytes = 0;
  }

  private void release(Block b) {
    Pointer.free(new CpuBackend.RawPointer(b.address()));
    nativeBytes -= b.bytes();
  }

  /** Calls to {@code malloc} so far. */
  synchronized long mallocCount() {
    return mallocCount;
  }

  /** Native bytes held: in use plus pooled. */
  synchronized long nativeBytes() {
    return nativeBytes;
  }

  static ByteBuffer view(long address, long bytes) {
    BytePointer bp = new BytePointer(new CpuBackend.RawPointer(address));
    bp.capacity(bytes).limit(bytes);
    return bp.asByteBuffer().order(ByteOrder.nativeOrder());
  }
}
