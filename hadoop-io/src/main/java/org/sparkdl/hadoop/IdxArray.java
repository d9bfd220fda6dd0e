package org.sparkdl.hadoop;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An array of unsigned bytes read from an IDX file (the format of MNIST), with its dimensions,
 * outermost first: {@code [10000, 28, 28]} for 10,000 images of 28 by 28 pixels, {@code [10000]}
 * for their labels. Elements are stored row-major, as in the file.
 *
 * <p>Immutable: {@link #dims()} and {@link #toBytes()} return copies, and {@link #data()} a read-only
 * view, so an instance can be shared between threads.
 */
public final class IdxArray {
  private final String name;
  private final int[] dims;
  private final byte[] data;

  /** Takes ownership of {@code dims} and {@code data}, which the reader has validated. */
  IdxArray(String name, int[] dims, byte[] data) {
    this.name = name;
    this.dims = dims;
    this.data = data;
  }

  /** The name of the file it was read from, as given to the reader. */
  public String name() {
    return name;
  }

  /** The number of dimensions, 1 to {@link IdxReader#MAX_RANK}. */
  public int rank() {
    return dims.length;
  }

  /** The dimensions, outermost first (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  /** Dimension {@code i}, counted from the outermost, 0. */
  public int dim(int i) {
    return dims[i];
  }

  /** The outermost dimension: the number of items (images, labels). */
  public int count() {
    return dims[0];
  }

  /** The number of elements in one item: the product of all dimensions but the first; 1 for rank 1. */
  public int itemLength() {
    return data.length / dims[0];
  }

  /** The total number of elements, the product of all dimensions. */
  public int length() {
    return data.length;
  }

  /** Element {@code index} of the row-major data, as a value in {@code [0, 255]}. */
  public int unsigned(int index) {
    return data[index] & 0xFF;
  }

  /** A read-only view of the raw bytes, row-major, without copying. */
  public ByteBuffer data() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** A copy of the raw bytes, row-major; read them as unsigned ({@code b & 0xFF}). */
  public byte[] toBytes() {
    return data.clone();
  }

  /** The elements as floats with their values {@code 0} to {@code 255}, as labels are used. */
  public float[] toFloats() {
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = data[i] & 0xFF;
    }
    return out;
  }

  /** The elements divided by 255, in {@code [0, 1]}, as pixel intensities are fed to a network. */
  public float[] toUnitFloats() {
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = (data[i] & 0xFF) / 255f;
    }
    return out;
  }

  /** For example {@code images-idx3-ubyte.gz: unsigned bytes [10000, 28, 28]}. */
  @Override
  public String toString() {
    return name + ": unsigned bytes " + Arrays.toString(dims);
  }
}
