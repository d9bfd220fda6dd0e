package org.sparkdl.tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of {@link DType} elements in device memory (off the JVM heap), with a
 * shape, strides and an offset, so that reshape, slice and transpose are views that copy nothing.
 *
 * <p><b>Ownership.</b> A tensor allocated by a {@link Scope} owns its memory and is freed when the
 * scope closes, or earlier by {@link #close()}. Views ({@link #reshape}, {@link #slice}, {@link
 * #transpose}) and borrowed tensors (wrapping someone else's memory, e.g. an Arrow batch) own
 * nothing: closing them does nothing, and they must not outlive the memory they view. Using a
 * tensor whose memory was freed throws {@link IllegalStateException}.
 *
 * <p>Getters never allocate. Element data moves in and out through {@link #copyFrom(float[])},
 * {@link #toFloatArray()} and friends, which go through the device.
 */
public final class Tensor implements AutoCloseable {
  private final Storage storage;
  private final DType dtype;
  private final Shape shape;
  private final long[] strides;
  private final long offset;
  private final boolean owning;
  private Scope owner;

  Tensor(Storage storage, DType dtype, Shape shape, long[] strides, long offset, Scope owner) {
    this.storage = storage;
    this.dtype = dtype;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.owner = owner;
    this.owning = owner != null;
  }

  /**
   * A non-owning tensor over {@code storage}, for backends wrapping memory they do not own (Arrow
   * buffers, pinned staging buffers). Strides are row-major.
   */
  public static Tensor borrowed(Storage storage, DType dtype, Shape shape, long offsetElements) {
    long end = (offsetElements + shape.size()) * dtype.byteSize();
    if (offsetElements < 0 || end > storage.bytes()) {
      throw new IllegalArgumentException(
          "A " + dtype + " tensor of shape " + shape + " at element " + offsetElements
              + " does not fit in " + storage.bytes() + " bytes.");
    }
    return new Tensor(storage, dtype, shape, shape.contiguousStrides(), offsetElements, null);
  }

  public Storage storage() {
    return storage;
  }

  /** The device this tensor's memory lives on; its kernels: {@code Backend.of(tensor)}. */
  public Device device() {
    return storage.device();
  }

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  public int rank() {
    return shape.rank();
  }

  /** Size of dimension {@code axis} (negative counts from the end). */
  public int dim(int axis) {
    return shape.dim(axis);
  }

  /** Number of elements. */
  public int size() {
    return shape.size();
  }

  /** Strides in elements (a copy). */
  public long[] strides() {
    return strides.clone();
  }

  /** Stride of one axis in elements. */
  public long stride(int axis) {
    return strides[shape.axis(axis)];
  }

  /** Offset of the first element, in elements from the start of the storage. */
  public long offset() {
    return offset;
  }

  /** Native address of the first element (host or device memory). */
  public long address() {
    return storage.address() + offset * dtype.byteSize();
  }

  /** True when this tensor owns its memory (it was allocated, not viewed or borrowed). */
  public boolean isOwner() {
    return owning;
  }

  /** True when the elements are laid out row-major without gaps. */
  public boolean isContiguous() {
    long expected = 1;
    for (int i = shape.rank() - 1; i >= 0; i--) {
      if (shape.dim(i) != 1 && strides[i] != expected) {
        return false;
      }
      expected *= shape.dim(i);
    }
    return true;
  }

  /** Throws when this tensor's memory was freed. */
  public void checkLive() {
    storage.checkLive();
  }

  /**
   * A view with another shape of the same size. Requires a contiguous tensor; use {@link
   * #contiguous(Scope)} first otherwise. One dimension may be {@code -1} and is inferred.
   */
  public Tensor reshape(int... dims) {
    checkLive();
    int[] d = dims.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < d.length; i++) {
      if (d[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("Reshape " + Arrays.toString(dims) + " has more than one -1.");
        }
        infer = i;
      } else {
        known *= d[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || size() % known != 0) {
        throw new IllegalArgumentException(
            "Cannot reshape " + shape + " (" + size() + " elements) to " + Arrays.toString(dims) + ".");
      }
      d[infer] = (int) (size() / known);
    }
    Shape target = Shape.of(d);
    if (target.size() != size()) {
      throw new IllegalArgumentException(
          "Cannot reshape " + shape + " (" + size() + " elements) to " + target + " (" + target.size() + " elements).");
    }
    if (!isContiguous()) {
      throw new IllegalStateException("Cannot reshape a non-contiguous " + shape + " view; call contiguous(scope) first.");
    }
    return new Tensor(storage, dtype, target, target.contiguousStrides(), offset, null);
  }

  /** A view of indices {@code [start, end)} along {@code axis}. */
  public Tensor slice(int axis, int start, int end) {
    checkLive();
    int a = shape.axis(axis);
    if (start < 0 || end < start || end > shape.dim(a)) {
      throw new IllegalArgumentException(
          "Slice [" + start + ", " + end + ") is out of range for axis " + axis + " of shape " + shape + ".");
    }
    return new Tensor(storage, dtype, shape.with(a, end - start), strides, offset + start * strides[a], null);
  }

  /** A view with axes {@code a} and {@code b} swapped. */
  public Tensor transpose(int a, int b) {
    checkLive();
    int i = shape.axis(a);
    int j = shape.axis(b);
    int[] d = shape.toArray();
    long[] s = strides.clone();
    int td = d[i];
    d[i] = d[j];
    d[j] = td;
    long ts = s[i];
    s[i] = s[j];
    s[j] = ts;
    return new Tensor(storage, dtype, Shape.of(d), s, offset, null);
  }

  /** The transpose of a matrix (a view). */
  public Tensor t() {
    if (rank() != 2) {
      throw new IllegalArgumentException("t() needs a matrix; this tensor has shape " + shape + ".");
    }
    return transpose(0, 1);
  }

  /** This tensor if contiguous, else a contiguous copy owned by {@code scope}. */
  public Tensor contiguous(Scope scope) {
    if (isContiguous()) {
      return this;
    }
    Tensor c = scope.allocate(dtype, shape);
    device().copy(this, c);
    return c;
  }

  /** Copies {@code values} (row-major) into this tensor, converting to its dtype. */
  public Tensor copyFrom(float[] values) {
    device().copyIn(this, values);
    return this;
  }

  /** Copies {@code values} (row-major) into this tensor, converting to its dtype. */
  public Tensor copyFrom(double[] values) {
    device().copyIn(this, values);
    return this;
  }

  /** The elements in row-major order as floats (a new heap array). */
  public float[] toFloatArray() {
    float[] out = new float[size()];
    device().copyOut(this, out);
    return out;
  }

  /** The elements in row-major order as doubles (a new heap array). */
  public double[] toDoubleArray() {
    double[] out = new double[size()];
    device().copyOut(this, out);
    return out;
  }

  /** The single element of a one-element tensor. */
  public double item() {
    if (size() != 1) {
      throw new IllegalArgumentException("item() needs a one-element tensor; this one has shape " + shape + ".");
    }
    return toDoubleArray()[0];
  }

  void setOwner(Scope scope) {
    this.owner = scope;
  }

  /** Frees the memory now if this tensor owns it; otherwise does nothing. Idempotent. */
  @Override
  public void close() {
    if (owning && owner != null) {
      owner.forget(this);
      release();
    }
  }

  void release() {
    owner = null;
    if (owning) {
      storage.device().free(storage);
    }
  }

  @Override
  public String toString() {
    return "Tensor(" + dtype + " " + shape + (isContiguous() ? "" : " strided") + (storage.isFreed() ? ", freed" : "") + ")";
  }
}
