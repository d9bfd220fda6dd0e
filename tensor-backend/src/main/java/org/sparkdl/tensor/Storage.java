package org.sparkdl.tensor;

import java.nio.ByteBuffer;

/**
 * A block of backend memory that one or more {@link Tensor}s view. Created only by a {@link
 * Device}; freed exactly once, by the tensor that owns it or by the owner of borrowed memory.
 *
 * <p>For host backends {@link #hostBuffer()} is a direct buffer over the same bytes; for device
 * backends it is {@code null} and data moves through the backend's copy methods.
 */
public final class Storage {
  private final Device device;
  private final long address;
  private final long bytes;
  private final ByteBuffer hostBuffer;
  private final boolean borrowed;
  private volatile boolean freed;

  /**
   * Called by devices only.
   *
   * @param address native address (host or device) of the first byte
   * @param hostBuffer a direct little-endian buffer over the bytes, or {@code null} on a device
   * @param borrowed true when the memory belongs to someone else (e.g. an Arrow batch) and must not
   *     be freed by us
   */
  public Storage(Device device, long address, long bytes, ByteBuffer hostBuffer, boolean borrowed) {
    this.device = device;
    this.address = address;
    this.bytes = bytes;
    this.hostBuffer = hostBuffer;
    this.borrowed = borrowed;
  }

  /** The device that allocated (or wrapped) this memory. */
  public Device device() {
    return device;
  }

  /** Native address of the first byte. */
  public long address() {
    checkLive();
    return address;
  }

  /** Native address without the liveness check; for the backend freeing this memory. */
  public long nativeAddress() {
    return address;
  }

  /** Length in bytes. */
  public long bytes() {
    return bytes;
  }

  /** A direct buffer over the memory (host backends), or {@code null}. Never allocates. */
  public ByteBuffer hostBuffer() {
    checkLive();
    return hostBuffer;
  }

  /** The host buffer without the liveness check; for the backend recycling this memory. */
  public ByteBuffer hostBufferUnchecked() {
    return hostBuffer;
  }

  /** True when this memory belongs to someone else and is never freed by a tensor. */
  public boolean isBorrowed() {
    return borrowed;
  }

  /** True once the memory has been released. */
  public boolean isFreed() {
    return freed;
  }

  /** Throws {@link IllegalStateException} when the memory was already freed. */
  public void checkLive() {
    if (freed) {
      throw new IllegalStateException("Tensor memory was already freed (used after close).");
    }
  }

  /**
   * Marks the memory freed; returns false when it already was. Called by the backend for memory it
   * owns, and by the owner of borrowed memory when it releases it, so that tensors still viewing it
   * fail on use instead of reading freed memory.
   */
  public boolean markFreed() {
    synchronized (this) {
      if (freed) {
        return false;
      }
      freed = true;
      return true;
    }
  }
}
