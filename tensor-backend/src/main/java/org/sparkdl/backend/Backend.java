package org.sparkdl.backend;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Device;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Storage;
import org.sparkdl.tensor.Tensor;

/**
 * The compute device behind tensors: memory, transfers, and the kernels that layers and autodiff
 * are written against. Layers never see which backend runs them.
 *
 * <p><b>Lifecycle.</b> A backend is created by a {@link BackendProvider} (see {@link Backends}),
 * shared by everything on its device in one JVM, and closed once at the end. Memory it hands out
 * belongs to a {@link Scope}; {@link #liveBytes()} counts what is still allocated, so a test can
 * check that a run freed everything.
 *
 * <p><b>Structure.</b> The public methods here are {@code final}: they check shapes, dtypes and
 * ownership once for every backend and then call the protected primitives, which implementations
 * provide and may assume valid arguments. Kernels write into an output tensor the caller
 * allocated ({@code out}); none allocates its result.
 *
 * <p><b>Size.</b> Over 400 lines: the whole SPI in one place (template methods that validate and
 * count, then the abstract kernels), so that a backend implements one class and a reader sees
 * every check beside its kernel; the loops live in the backends.
 */
public abstract class Backend implements Device, AutoCloseable {
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicLong peakBytes = new AtomicLong();
  private final AtomicLong allocations = new AtomicLong();

  /** Short name, e.g. {@code "cpu"} or {@code "cuda:0"}. */
  @Override
  public abstract String name();

  /** The backend whose memory {@code t} lives in (every {@link Device} is a backend). */
  public static Backend of(Tensor t) {
    return of(t.device());
  }

  /** The backend {@code scope} allocates on. */
  public static Backend of(Scope scope) {
    return of(scope.device());
  }

  private static Backend of(Device device) {
    if (device instanceof Backend b) {
      return b;
    }
    throw new IllegalStateException("Memory of device " + device.name() + " has no backend to run kernels on.");
  }

  /** True when tensors live in host memory that {@link Storage#hostBuffer()} exposes. */
  public abstract boolean isHost();

  /** Threads a kernel may use. */
  public abstract int threads();

  /** Sets the threads kernels may use (on CPU, the BLAS and elementwise thread count). */
  public abstract void setThreads(int threads);

  // ---------------------------------------------------------------- memory

  /** Opens a root scope on this backend. */
  public Scope openScope(String name) {
    return new Scope(this, name, null);
  }

  /** Allocates {@code bytes} of backend memory; called by {@link Scope}. */
  @Override
  public final Storage allocate(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("Cannot allocate " + bytes + " bytes.");
    }
    Storage s = allocateStorage(Math.max(bytes, 1));
    long live = liveBytes.addAndGet(s.bytes());
    peakBytes.accumulateAndGet(live, Math::max);
    allocations.incrementAndGet();
    return s;
  }

  /** Frees storage once; later calls do nothing. Called by the owning tensor. */
  @Override
  public final void free(Storage s) {
    if (s.isBorrowed() || s.device() != this) {
      throw new IllegalStateException("Storage of backend " + s.device().name() + " is not owned by " + name() + ".");
    }
    if (s.markFreed()) {
      liveBytes.addAndGet(-s.bytes());
      freeStorage(s);
    }
  }

  /** Bytes currently allocated and not yet freed. */
  public final long liveBytes() {
    return liveBytes.get();
  }

  /** The most bytes ever allocated at once. */
  public final long peakBytes() {
    return peakBytes.get();
  }

  /** Number of allocations so far. */
  public final long allocationCount() {
    return allocations.get();
  }

  // ---------------------------------------------------------------- transfers

  /** Copies host values (row-major) into {@code dst}, converting to its dtype. */
  @Override
  public final void copyIn(Tensor dst, float[] src) {
    checkCount(dst, src.length);
    writeHost(dst, src, null);
  }

  /** Copies host values (row-major) into {@code dst}, converting to its dtype. */
  @Override
  public final void copyIn(Tensor dst, double[] src) {
    checkCount(dst, src.length);
    writeHost(dst, null, src);
  }

  /** Copies raw bytes already in {@code dst}'s dtype and native order into contiguous {@code dst}. */
  public final void copyIn(Tensor dst, ByteBuffer src) {
    checkLive(dst);
    requireContiguous(dst, "copyIn");
    long bytes = (long) dst.size() * dst.dtype().byteSize();
    if (src.remaining() != bytes) {
      throw new IllegalArgumentException("copyIn: " + src.remaining() + " bytes for a " + dst + " of " + bytes + " bytes.");
    }
    writeBytes(dst, src);
  }

  /** Copies raw bytes of contiguous {@code src} into {@code dst} (which must have room for them). */
  public final void copyOut(Tensor src, ByteBuffer dst) {
    checkLive(src);
    requireContiguous(src, "copyOut");
    long bytes = (long) src.size() * src.dtype().byteSize();
    if (dst.remaining() != bytes) {
      throw new IllegalArgumentException("copyOut: " + dst.remaining() + " bytes for a " + src + " of " + bytes + " bytes.");
    }
    readBytes(src, dst);
  }

  /** Copies {@code src}'s elements (row-major, any layout) into a host array. */
  @Override
  public final void copyOut(Tensor src, float[] dst) {
    checkCount(src, dst.length);
    readHost(src, dst, null);
  }

  /** Copies {@code src}'s elements (row-major, any layout) into a host array. */
  @Override
  public final void copyOut(Tensor src, double[] dst) {
    checkCount(src, dst.length);
    readHost(src, null, dst);
  }

  // ---------------------------------------------------------------- kernels

  /**
   * {@code dst = src}, any strides on either side, converting dtype if they differ; {@code src}
   * may also broadcast to {@code dst}'s shape (e.g. a bias row into every row of a batch).
   */
  @Override
  public final void copy(Tensor src, Tensor dst) {
    sameBackend(src, dst);
    sameShape("copy", Shape.broadcast(src.shape(), dst.shape()), dst.shape());
    copyKernel(src, dst);
  }

  /** Sets every element to {@code value}. */
  @Override
  public final void fill(Tensor t, double value) {
    checkLive(t);
    fillKernel(t, value);
  }

  /**
   * {@code c = alpha op(a) op(b) + beta c}, where {@code op} transposes when asked. Matrices
   * ({@code [m, k] x [k, n] -> [m, n]}) or batches of them ({@code [B, m, k]}; a matrix operand is
   * shared by the whole batch). Transposed views need no copy; other strided operands are copied.
   */
  public final void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta) {
    sameBackend(a, b, c);
    sameDtype("gemm", a, b, c);
    if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3 || c.rank() != Math.max(a.rank(), b.rank())) {
      throw new IllegalArgumentException("gemm needs matrices or batches of matrices; found " + a.shape() + ", "
          + b.shape() + " -> " + c.shape() + ".");
    }
    int m = transA ? a.dim(-1) : a.dim(-2);
    int k = transA ? a.dim(-2) : a.dim(-1);
    int kb = transB ? b.dim(-1) : b.dim(-2);
    int n = transB ? b.dim(-2) : b.dim(-1);
    int batch = c.rank() == 3 ? c.dim(0) : 1;
    if (k != kb || c.dim(-2) != m || c.dim(-1) != n
        || (a.rank() == 3 && a.dim(0) != batch) || (b.rank() == 3 && b.dim(0) != batch)) {
      throw new IllegalArgumentException("gemm shapes do not agree: " + a.shape() + (transA ? "ᵀ" : "") + " x "
          + b.shape() + (transB ? "ᵀ" : "") + " -> " + c.shape() + ".");
    }
    if (c.stride(-1) != 1 && c.dim(-1) > 1) {
      throw new IllegalArgumentException("gemm output must be row-major; found a strided " + c.shape() + " view.");
    }
    try (Scope tmp = openScope("gemm-operands")) {
      MatrixOperand ma = MatrixOperand.of(a, transA, tmp);
      MatrixOperand mb = MatrixOperand.of(b, transB, tmp);
      long ldc = c.dim(-1) == 1 && c.rank() >= 2 ? Math.max(1, c.stride(-2)) : c.stride(-2);
      long sc = c.rank() == 3 ? c.stride(0) : 0;
      gemmKernel(batch, ma.trans(), mb.trans(), m, n, k, alpha, ma.tensor(), ma.ld(), ma.batchStride(),
          mb.tensor(), mb.ld(), mb.batchStride(), beta, c, Math.max(ldc, Math.max(1, n)), sc);
    }
  }

  /**
   * {@code c[i] = alpha op(a[i]) op(b[i]) + beta c[i]} for every index {@code i} of the leading
   * batch axes: operands {@code [..., m, k] x [..., k, n] -> [..., m, n]} of equal rank (3 to 8)
   * and equal batch dimensions. The batch axes may have any strides, so interleaved layouts need no
   * copy: heads packed as {@code [B, T, H, d]} are read as {@code [B, H, T, d]} through a
   * transposed view, and a product can be written straight into such a view. Each matrix must be
   * row- or column-major (unit stride along one of its two axes) or it is copied first; {@code c}
   * must be row-major.
   */
  public final void gemmBatched(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha,
      double beta) {
    sameBackend(a, b, c);
    sameDtype("gemmBatched", a, b, c);
    int rank = c.rank();
    boolean batchesAgree = rank >= 3 && a.rank() == rank && b.rank() == rank;
    for (int i = 0; batchesAgree && i < rank - 2; i++) {
      batchesAgree = a.dim(i) == c.dim(i) && b.dim(i) == c.dim(i);
    }
    if (!batchesAgree) {
      throw new IllegalArgumentException("gemmBatched needs operands of equal rank >= 3 and equal batch axes"
          + " ([..., m, k] x [..., k, n] -> [..., m, n]); found " + a.shape() + ", " + b.shape() + " -> " + c.shape()
          + ".");
    }
    int m = transA ? a.dim(-1) : a.dim(-2);
    int k = transA ? a.dim(-2) : a.dim(-1);
    int n = transB ? b.dim(-2) : b.dim(-1);
    if (k != (transB ? b.dim(-1) : b.dim(-2)) || c.dim(-2) != m || c.dim(-1) != n) {
      throw new IllegalArgumentException("gemmBatched shapes do not agree: " + a.shape() + (transA ? "ᵀ" : "") + " x "
          + b.shape() + (transB ? "ᵀ" : "") + " -> " + c.shape() + ".");
    }
    if (c.stride(-1) != 1 && n > 1) {
      throw new IllegalArgumentException("gemmBatched output must be row-major; found a " + c.shape()
          + " view with strides " + java.util.Arrays.toString(c.strides()) + ".");
    }
    try (Scope tmp = openScope("gemm-batched-operands")) {
      MatrixOperand ma = MatrixOperand.of(a, transA, tmp);
      MatrixOperand mb = MatrixOperand.of(b, transB, tmp);
      long ldc = Math.max(m == 1 ? 1 : c.stride(-2), Math.max(1, n));
      // the innermost batch axis goes to the kernel with its stride; the outer ones are walked here
      int outer = c.shape().size() / Math.max(1, c.dim(-3) * m * n);
      int[] index = new int[rank - 3];
      for (int o = 0; o < outer && c.size() > 0; o++) {
        gemmKernel(c.dim(-3), ma.trans(), mb.trans(), m, n, k, alpha, at(ma.tensor(), index), ma.ld(),
            ma.batchStride(), at(mb.tensor(), index), mb.ld(), mb.batchStride(), beta, at(c, index), ldc,
            c.stride(-3));
        for (int d = index.length - 1; d >= 0 && ++index[d] == c.dim(d); d--) {
          index[d] = 0;
        }
      }
    }
  }

  /** The view of {@code t} starting at the given index of its leading axes (the kernel reads from its address). */
  private static Tensor at(Tensor t, int[] index) {
    Tensor v = t;
    for (int d = 0; d < index.length; d++) {
      v = v.slice(d, index[d], index[d] + 1);
    }
    return v;
  }

  /** {@code out = f(x; p)} elementwise; {@code out} may be {@code x}. */
  public final void map(UnaryOp op, Tensor x, Tensor out, double p) {
    sameBackend(x, out);
    sameDtype(op.name(), x, out);
    sameShape(op.name(), x.shape(), out.shape());
    mapKernel(op, x, out, p);
  }

  /** {@code gx = gy * f'(x)} elementwise, where {@code y = f(x; p)} was the forward output. */
  public final void mapBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double p) {
    sameBackend(x, y, gy, gx);
    sameDtype(op.name(), x, y, gy, gx);
    sameShape(op.name(), x.shape(), gx.shape());
    sameShape(op.name(), y.shape(), gy.shape());
    mapBackwardKernel(op, x, y, gy, gx, p);
  }

  /** {@code out = a op b} with NumPy broadcasting; {@code out} must have the broadcast shape. */
  public final void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    sameBackend(a, b, out);
    sameDtype(op.name(), a, b, out);
    sameShape(op.name(), Shape.broadcast(a.shape(), b.shape()), out.shape());
    zipKernel(op, a, b, out);
  }

  /**
   * Reduces {@code x} into {@code out}: every axis where {@code out} (right-aligned, missing axes
   * counting as 1) has size 1 and {@code x} does not is reduced. E.g. {@code [B, N] -> [N]} sums
   * over the batch, {@code [B, N] -> [B, 1]} over features, {@code [B, N] -> []} over all.
   */
  public final void reduce(ReduceOp op, Tensor x, Tensor out) {
    sameBackend(x, out);
    sameDtype(op.name(), x, out);
    if (out.rank() > x.rank()) {
      throw new IllegalArgumentException(op + ": cannot reduce " + x.shape() + " to higher rank " + out.shape() + ".");
    }
    int lead = x.rank() - out.rank();
    for (int i = 0; i < out.rank(); i++) {
      int xd = x.dim(lead + i);
      if (out.dim(i) != xd && out.dim(i) != 1) {
        throw new IllegalArgumentException(op + ": cannot reduce " + x.shape() + " to " + out.shape() + ".");
      }
    }
    if (x.size() == 0 && op == ReduceOp.MAX) {
      throw new IllegalArgumentException("MAX over an empty tensor " + x.shape() + " is undefined.");
    }
    reduceKernel(op, x, out);
  }

  /** Softmax (or log-softmax) over the last axis; {@code out} may be {@code x}. */
  public final void softmax(Tensor x, Tensor out, boolean log) {
    sameBackend(x, out);
    sameDtype("softmax", x, out);
    sameShape("softmax", x.shape(), out.shape());
    softmaxKernel(x, out, log);
  }

  /** Gradient of {@link #softmax}: given its output {@code y} and {@code gy}, writes {@code gx}. */
  public final void softmaxBackward(Tensor y, Tensor gy, Tensor gx, boolean log) {
    sameBackend(y, gy, gx);
    sameDtype("softmax", y, gy, gx);
    sameShape("softmax", y.shape(), gy.shape());
    sameShape("softmax", y.shape(), gx.shape());
    softmaxBackwardKernel(y, gy, gx, log);
  }

  /**
   * Softmax cross-entropy on class indices: for logits {@code [B, C]} and labels {@code [B]}
   * (integer-valued), writes per-row losses {@code -log softmax(z)[y]} to {@code losses [B]} and
   * the softmax to {@code probs [B, C]} for the backward pass.
   *
   * @throws IllegalArgumentException naming the first row whose label is not in {@code [0, C)}
   */
  public final void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor losses, Tensor probs) {
    sameBackend(logits, labels, losses, probs);
    sameDtype("softmaxCrossEntropy", logits, labels, losses, probs);
    checkCrossEntropyShapes(logits, labels, losses, probs);
    softmaxCrossEntropyKernel(logits, labels, losses, probs);
  }

  /** {@code gLogits[i, j] = gLoss[i] (probs[i, j] - [j == labels[i]])}. */
  public final void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, Tensor gLoss, Tensor gLogits) {
    sameBackend(probs, labels, gLoss, gLogits);
    sameDtype("softmaxCrossEntropy", probs, labels, gLoss, gLogits);
    checkCrossEntropyShapes(probs, labels, gLoss, gLogits);
    softmaxCrossEntropyBackwardKernel(probs, labels, gLoss, gLogits);
  }

  /** Fills {@code out} from a seeded counter-based generator; see {@link Distribution}. */
  public final void random(Tensor out, Distribution d, double a, double b, long seed) {
    checkLive(out);
    randomKernel(out, d, a, b, seed);
  }

  @Override
  public final void uniform(Tensor t, double lo, double hi, long seed) {
    random(t, Distribution.UNIFORM, lo, hi, seed);
  }

  @Override
  public final void normal(Tensor t, double mean, double std, long seed) {
    random(t, Distribution.NORMAL, mean, std, seed);
  }

  /** One SGD update over flat buffers; {@code buf} may be null without momentum. */
  public final void sgdStep(Tensor param, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    flatSameSize("sgd", param, grad, buf);
    sgdKernel(param, grad, buf, h);
  }

  /** One Adam/AdamW update over flat buffers. */
  public final void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    flatSameSize("adam", param, grad, m, v);
    adamKernel(param, grad, m, v, h);
  }

  /** One RMSProp update over flat buffers; {@code buf} may be null without momentum. */
  public final void rmsPropStep(Tensor param, Tensor grad, Tensor sq, Tensor buf, OptimizerKernels.RmsProp h) {
    flatSameSize("rmsprop", param, grad, sq, buf);
    rmsPropKernel(param, grad, sq, buf, h);
  }

  /**
   * Sets the rows of {@code table [V, D]} named by {@code rows [R]} (integer-valued, repeats
   * allowed) to 0: clearing the gradient rows a sparse step wrote, without a pass over the table.
   *
   * @throws IndexOutOfRangeException naming the first index not an integer in {@code [0, V)}; nothing is cleared then
   */
  public final void zeroRows(Tensor table, Tensor rows) {
    sameBackend(table, rows);
    sameDtype("zeroRows", table, rows);
    SparseShapes.checkTable("zeroRows", table, rows);
    zeroRowsKernel(table, rows);
  }

  /**
   * One lazy SGD update of some rows of {@code param [V, D]}: row {@code r} of {@code grad [R, D]}
   * is the gradient of row {@code rows[r]} ({@code rows [R]}: distinct integer-valued indices).
   * Those rows and their momentum are updated exactly as {@link #sgdStep} would; every other row
   * and its momentum stay as they are, as if the row had not taken part in the step (not as a
   * zero gradient, which would still decay momentum). This is what a layer whose input is sparse
   * needs: a step costs the rows a batch touches, not the table.
   *
   * @throws IndexOutOfRangeException naming the first row index not an integer in {@code [0, V)}
   * @throws IllegalArgumentException when a row index repeats; nothing is updated then
   */
  public final void sgdRowsStep(Tensor param, Tensor rows, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    sameBackend(param, rows, grad, buf);
    sameDtype("sgdRows", param, rows, grad, buf);
    SparseShapes.checkRows("sgdRows", param, rows, grad, buf);
    sgdRowsKernel(param, rows, grad, buf, h);
  }

  /** One lazy Adam/AdamW update of some rows, as {@link #sgdRowsStep}; the bias correction uses {@code h.step()}. */
  public final void adamRowsStep(Tensor param, Tensor rows, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    sameBackend(param, rows, grad, m, v);
    sameDtype("adamRows", param, rows, grad, m, v);
    SparseShapes.checkRows("adamRows", param, rows, grad, m, v);
    adamRowsKernel(param, rows, grad, m, v, h);
  }

  /** One lazy RMSProp update of some rows, as {@link #sgdRowsStep}; {@code buf} may be null without momentum. */
  public final void rmsPropRowsStep(Tensor param, Tensor rows, Tensor grad, Tensor sq, Tensor buf,
      OptimizerKernels.RmsProp h) {
    sameBackend(param, rows, grad, sq, buf);
    sameDtype("rmsPropRows", param, rows, grad, sq, buf);
    SparseShapes.checkRows("rmsPropRows", param, rows, grad, sq, buf);
    rmsPropRowsKernel(param, rows, grad, sq, buf, h);
  }

  // ---------------------------------------------------------------- convolution and pooling

  /**
   * Unfolds every window of {@code x [N, C, H, W]} into a column of {@code cols [C kh kw, N OH OW]}:
   * row {@code (c, i, j)} (channel outermost), column {@code (n, oh, ow)} holds {@code x[n, c,
   * oh sh - padTop + i dh, ow sw - padLeft + j dw]}, or 0 where that lies in the padding. A
   * convolution is then a gemm of the weights {@code [Cout, C kh kw]} with {@code cols}.
   */
  public final void im2col(Tensor x, Window2d w, Tensor cols) {
    sameBackend(x, cols);
    sameDtype("im2col", x, cols);
    WindowShapes.expect("im2col", "cols", WindowShapes.columns("im2col", x.shape(), w), cols);
    WindowShapes.requireContiguous("im2col", "cols", cols);
    try (Scope tmp = openScope("im2col")) {
      im2colKernel(x.contiguous(tmp), w, cols);
    }
  }

  /**
   * The adjoint of {@link #im2col}: sets {@code x [N, C, H, W]} to the sum of the entries of {@code
   * cols} that {@code im2col} would have read from each position (entries in the padding are
   * dropped). Turns the gradient of the columns into the gradient of the input.
   */
  public final void col2im(Tensor cols, Window2d w, Tensor x) {
    sameBackend(cols, x);
    sameDtype("col2im", cols, x);
    WindowShapes.expect("col2im", "cols", WindowShapes.columns("col2im", x.shape(), w), cols);
    WindowShapes.requireContiguous("col2im", "x", x);
    try (Scope tmp = openScope("col2im")) {
      col2imKernel(cols.contiguous(tmp), w, x);
    }
  }

  /**
   * A convolution for scoring with the layers that commonly follow it fused in: {@code y =
   * maxPool(relu(conv(x, w) + b))}, with {@code x [N, C, H, W]}, {@code w [Cout, C, kh, kw]} (no
   * groups), {@code b [Cout]} or null, the ReLU only when {@code relu}, the pooling only when {@code
   * maxPool} is not null; {@code y} is the result's shape. A backend that runs this faster than
   * the layers one by one (an unfolding, a gemm and an output per layer) overrides {@link
   * #conv2dScoringKernel}; where it does not, or not for these shapes, this returns false and
   * leaves {@code y} untouched, and the caller runs the layers. No gradient can follow.
   *
   * @return whether {@code y} now holds the result
   */
  public final boolean conv2dScoring(Tensor x, Tensor w, Tensor b, Window2d window, boolean relu, Window2d maxPool,
      Tensor y) {
    sameBackend(x, w, b, y);
    sameDtype("conv2dScoring", x, w, b, y);
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (xs.rank() != 4 || ws.rank() != 4 || ws.dim(1) != xs.dim(1) || ws.dim(2) != window.kernelH()
        || ws.dim(3) != window.kernelW() || (b != null && !b.shape().equals(Shape.of(ws.dim(0))))) {
      throw new IllegalArgumentException("conv2dScoring needs x [N, C, H, W], w [Cout, C, " + window.kernelH() + ", "
          + window.kernelW() + "] and b [Cout] or none; found " + xs + ", " + ws + " and "
          + (b == null ? "none" : b.shape()) + ".");
    }
    Shape conv = WindowShapes.output("conv2dScoring", xs, window).with(1, ws.dim(0));
    Shape out = conv;
    if (maxPool != null) {
      WindowShapes.checkPool("conv2dScoring", maxPool);
      out = WindowShapes.output("conv2dScoring", conv, maxPool);
    }
    WindowShapes.expect("conv2dScoring", "y", out, y);
    WindowShapes.requireContiguous("conv2dScoring", "y", y);
    try (Scope tmp = openScope("conv2dScoring")) {
      return conv2dScoringKernel(x.contiguous(tmp), w.contiguous(tmp), b == null ? null : b.contiguous(tmp), window,
          relu, maxPool, y);
    }
  }

  /** {@code y [N, C, OH, OW]} = the largest element of each window of {@code x [N, C, H, W]}; padding is ignored. */
  public final void maxPool2d(Tensor x, Window2d w, Tensor y) {
    sameBackend(x, y);
    sameDtype("maxPool2d", x, y);
    WindowShapes.checkPool("maxPool2d", w);
    WindowShapes.expect("maxPool2d", "y", WindowShapes.output("maxPool2d", x.shape(), w), y);
    WindowShapes.requireContiguous("maxPool2d", "y", y);
    try (Scope tmp = openScope("maxPool2d")) {
      maxPool2dKernel(x.contiguous(tmp), w, y);
    }
  }

  /**
   * Gradient of {@link #maxPool2d}: each window's {@code gy} goes to the position of its maximum in
   * {@code x} (the first one on ties), found again from {@code x} and {@code y}; {@code gx} is
   * overwritten.
   */
  public final void maxPool2dBackward(Tensor x, Tensor y, Tensor gy, Window2d w, Tensor gx) {
    sameBackend(x, y, gy, gx);
    sameDtype("maxPool2d", x, y, gy, gx);
    WindowShapes.checkPool("maxPool2d", w);
    Shape out = WindowShapes.output("maxPool2d", x.shape(), w);
    WindowShapes.expect("maxPool2d", "y", out, y);
    WindowShapes.expect("maxPool2d", "gy", out, gy);
    WindowShapes.expect("maxPool2d", "gx", x.shape(), gx);
    WindowShapes.requireContiguous("maxPool2d", "gx", gx);
    try (Scope tmp = openScope("maxPool2d-backward")) {
      maxPool2dBackwardKernel(x.contiguous(tmp), y.contiguous(tmp), gy.contiguous(tmp), w, gx);
    }
  }

  /**
   * {@code y [N, C, OH, OW]} = the mean of each window of {@code x [N, C, H, W]}, divided by the
   * whole window size when {@code countPadding} (padding counts as zeros) or else by the number of
   * input elements the window covers.
   */
  public final void avgPool2d(Tensor x, Window2d w, boolean countPadding, Tensor y) {
    sameBackend(x, y);
    sameDtype("avgPool2d", x, y);
    WindowShapes.checkPool("avgPool2d", w);
    WindowShapes.expect("avgPool2d", "y", WindowShapes.output("avgPool2d", x.shape(), w), y);
    WindowShapes.requireContiguous("avgPool2d", "y", y);
    try (Scope tmp = openScope("avgPool2d")) {
      avgPool2dKernel(x.contiguous(tmp), w, countPadding, y);
    }
  }

  /** Gradient of {@link #avgPool2d}: spreads each window's {@code gy} over it; {@code gx} is overwritten. */
  public final void avgPool2dBackward(Tensor gy, Window2d w, boolean countPadding, Tensor gx) {
    sameBackend(gy, gx);
    sameDtype("avgPool2d", gy, gx);
    WindowShapes.checkPool("avgPool2d", w);
    WindowShapes.expect("avgPool2d", "gy", WindowShapes.output("avgPool2d", gx.shape(), w), gy);
    WindowShapes.requireContiguous("avgPool2d", "gx", gx);
    try (Scope tmp = openScope("avgPool2d-backward")) {
      avgPool2dBackwardKernel(gy.contiguous(tmp), w, countPadding, gx);
    }
  }

  // ---------------------------------------------------------------- embeddings and recurrent cells

  /**
   * {@code out[..., :] = table[indices[...], :]}: the row of {@code table [V, D]} named by each
   * element of {@code indices} (integer-valued, any shape {@code S}), into {@code out [*S, D]}.
   *
   * @throws IndexOutOfRangeException naming the first index that is not an integer in {@code [0, V)}
   */
  public final void gatherRows(Tensor table, Tensor indices, Tensor out) {
    sameBackend(table, indices, out);
    sameDtype("gatherRows", table, indices, out);
    SequenceShapes.checkRows("gatherRows", table, indices, out);
    try (Scope tmp = openScope("gatherRows")) {
      gatherRowsKernel(table.contiguous(tmp), indices.contiguous(tmp), out);
    }
  }

  /**
   * The adjoint of {@link #gatherRows}: {@code table[indices[...], :] += src[..., :]} for every
   * element of {@code indices}, summing where an index repeats.
   *
   * @throws IndexOutOfRangeException naming the first index that is not an integer in {@code [0, V)};
   *     {@code table} is then left unchanged
   */
  public final void scatterAddRows(Tensor src, Tensor indices, Tensor table) {
    sameBackend(src, indices, table);
    sameDtype("scatterAddRows", src, indices, table);
    SequenceShapes.checkRows("scatterAddRows", table, indices, src);
    try (Scope tmp = openScope("scatterAddRows")) {
      scatterAddRowsKernel(src.contiguous(tmp), indices.contiguous(tmp), table);
    }
  }

  // ---------------------------------------------------------------- sparse rows

  /**
   * {@code c = a b}: the sparse rows {@code a [B, K]} times {@code b [K, N]}, into {@code c [B,
   * N]} (overwritten). Row {@code i} of {@code c} is the sum of {@code values[k] b[columns[k], :]}
   * over row {@code i}'s entries (0 for a row without any); a column repeated in a row adds up.
   * Only the rows of {@code b} that {@code a} names are read, so {@code b} may be a table of
   * millions of rows of which a batch touches a few thousand.
   *
   * @throws IndexOutOfRangeException naming the first column that is not an integer in {@code [0,
   *     K)}
   * @throws IllegalArgumentException when the row starts do not run from 0 up to the entry count
   *     without decreasing
   */
  public final void sparseMatmul(CsrMatrix a, Tensor b, Tensor c) {
    sameBackend(a.rowStarts(), a.columns(), a.values(), b, c);
    sameDtype("sparseMatmul", a.values(), b, c);
    SparseShapes.checkProduct("sparseMatmul", a, b, c, c);
    try (Scope tmp = openScope("sparseMatmul")) {
      sparseMatmulKernel(a, b.contiguous(tmp), c);
    }
  }

  /**
   * {@code out += aᵀ g}, the adjoint of {@link #sparseMatmul} for its dense operand: for every
   * entry {@code k} of row {@code i} of {@code a [B, K]}, row {@code columns[k]} of {@code out [K,
   * N]} receives {@code values[k] g[i, :]} ({@code g [B, N]}). Rows of {@code out} that {@code a}
   * does not name are not touched.
   *
   * @throws IndexOutOfRangeException as {@link #sparseMatmul}; {@code out} is then left unchanged
   * @throws IllegalArgumentException as {@link #sparseMatmul}
   */
  public final void sparseMatmulTransposedAdd(CsrMatrix a, Tensor g, Tensor out) {
    sameBackend(a.rowStarts(), a.columns(), a.values(), g, out);
    sameDtype("sparseMatmulTransposedAdd", a.values(), g, out);
    SparseShapes.checkProduct("sparseMatmulTransposedAdd", a, out, g, out);
    try (Scope tmp = openScope("sparseMatmulTransposedAdd")) {
      sparseMatmulTransposedAddKernel(a, g.contiguous(tmp), out);
    }
  }

  /**
   * One LSTM step for a batch of {@code B} rows and hidden size {@code H}, gates in PyTorch's order
   * {@code i, f, g, o}. On entry {@code gates [B, 4H]} holds the pre-activations (input and
   * recurrent projections plus both biases); on return it holds the activations {@code i = σ(.),
   * f = σ(.), g = tanh(.), o = σ(.)}, which {@link #lstmCellBackward} reads. Then
   *
   * <pre>
   *   c = f * cPrev + i * g,   h = o * tanh(c),   y = h
   * </pre>
   *
   * except in rows where {@code mask [B]} is 0 (a step past the row's sequence), where {@code c =
   * cPrev}, {@code h = hPrev} and {@code y = 0}. {@code mask} (1 or 0 per row) and {@code y} may be
   * null. All tensors are contiguous, {@code cPrev, hPrev, c, h, y} of shape {@code [B, H]}.
   */
  public final void lstmCell(Tensor gates, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h, Tensor y) {
    lstmCell(gates, null, cPrev, hPrev, mask, c, h, y);
  }

  /**
   * {@link #lstmCell(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} with {@code bias
   * [4H]} (contiguous; null for none) added to every row of the pre-activations first, in the same
   * pass: the projections need not be written over a broadcast bias.
   */
  public final void lstmCell(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h,
      Tensor y) {
    checkLstmCell(gates, bias, cPrev, hPrev, mask, c, h, y);
    lstmCellKernel(gates, bias, cPrev, hPrev, mask, c, h, y, true);
  }

  /**
   * An LSTM step at inference: {@code c}, {@code h} and {@code y} as {@link #lstmCell(Tensor,
   * Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} gives them (to float rounding), but
   * {@code gates} is scratch on return, not the activations a gradient would read, which lets a
   * backend form the states in fewer operations.
   */
  public final void lstmStep(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h,
      Tensor y) {
    checkLstmCell(gates, bias, cPrev, hPrev, mask, c, h, y);
    lstmCellKernel(gates, bias, cPrev, hPrev, mask, c, h, y, false);
  }

  private void checkLstmCell(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h,
      Tensor y) {
    sameBackend(gates, bias, cPrev, hPrev, mask, c, h, y);
    sameDtype("lstmCell", gates, bias, cPrev, hPrev, mask, c, h, y);
    SequenceShapes.checkCell("lstmCell", 4, gates, mask, cPrev, hPrev, c, h, y);
    if (bias != null) {
      SequenceShapes.checkBias("lstmCell", gates, bias);
    }
  }

  /**
   * Gradient of {@link #lstmCell} for one step, given its activations {@code gates [B, 4H]} and
   * cell states {@code cPrev} and {@code c}. On entry {@code gh} and {@code gc} hold the gradients
   * reaching {@code h} and {@code c} from later steps, and {@code gy} (or null) that of the step's
   * output {@code y}. Writes the gradient of the pre-activations to {@code gGates [B, 4H]}, replaces
   * {@code gc} by the gradient of {@code cPrev} and sets {@code gh} to the part of {@code hPrev}'s
   * gradient that bypasses the gates: 0, or in masked rows the unchanged {@code gh} (where {@code
   * gGates} and {@code gc}'s update are 0 and {@code gy} is ignored). The caller adds {@code gGates
   * W_hh} to {@code gh}.
   */
  public final void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy, Tensor gh,
      Tensor gc, Tensor gGates) {
    sameBackend(gates, cPrev, c, mask, gy, gh, gc, gGates);
    sameDtype("lstmCellBackward", gates, cPrev, c, mask, gy, gh, gc, gGates);
    SequenceShapes.checkCell("lstmCellBackward", 4, gates, mask, cPrev, c, gy, gh, gc);
    SequenceShapes.checkSame("lstmCellBackward", "gGates", gates, gGates);
    lstmCellBackwardKernel(gates, cPrev, c, mask, gy, gh, gc, gGates);
  }

  /**
   * One GRU step, PyTorch's formula with gates in the order {@code r, z, n}: {@code xGates [B, 3H]}
   * holds the input projections plus {@code b_ih} and {@code hGates [B, 3H]} the recurrent
   * projections plus {@code b_hh}; then
   *
   * <pre>
   *   r = σ(x_r + h_r),   z = σ(x_z + h_z),   n = tanh(x_n + r * h_n),   h = (1 - z) * n + z * hPrev,   y = h
   * </pre>
   *
   * and {@code xGates} is overwritten with {@code r, z, n} for {@link #gruCellBackward}. In rows
   * where {@code mask [B]} is 0, {@code h = hPrev} and {@code y = 0}. {@code mask} and {@code y}
   * may be null; all tensors are contiguous.
   */
  public final void gruCell(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y) {
    sameBackend(xGates, hGates, hPrev, mask, h, y);
    sameDtype("gruCell", xGates, hGates, hPrev, mask, h, y);
    SequenceShapes.checkCell("gruCell", 3, xGates, mask, hPrev, h, y);
    SequenceShapes.checkSame("gruCell", "hGates", xGates, hGates);
    gruCellKernel(xGates, hGates, hPrev, mask, h, y);
  }

  /**
   * Gradient of {@link #gruCell} for one step, given its activations {@code gates [B, 3H]} ({@code
   * r, z, n}), the recurrent projections {@code hGates} and {@code hPrev}. On entry {@code gh}
   * holds the gradient reaching {@code h} from later steps and {@code gy} (or null) that of {@code
   * y}. Writes the gradients of the input projections to {@code gxGates} and of the recurrent ones
   * to {@code ghGates} (both {@code [B, 3H]}) and sets {@code gh} to {@code z * (gh + gy)}, the part
   * of {@code hPrev}'s gradient that bypasses the projections; masked rows keep {@code gh} and get
   * zero gate gradients. The caller adds {@code ghGates W_hh} to {@code gh}.
   */
  public final void gruCellBackward(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy, Tensor gh,
      Tensor gxGates, Tensor ghGates) {
    sameBackend(gates, hGates, hPrev, mask, gy, gh, gxGates, ghGates);
    sameDtype("gruCellBackward", gates, hGates, hPrev, mask, gy, gh, gxGates, ghGates);
    SequenceShapes.checkCell("gruCellBackward", 3, gates, mask, hPrev, gy, gh);
    SequenceShapes.checkSame("gruCellBackward", "hGates", gates, hGates);
    SequenceShapes.checkSame("gruCellBackward", "gxGates", gates, gxGates);
    SequenceShapes.checkSame("gruCellBackward", "ghGates", gates, ghGates);
    gruCellBackwardKernel(gates, hGates, hPrev, mask, gy, gh, gxGates, ghGates);
  }

  // ---------------------------------------------------------------- primitives

  protected abstract Storage allocateStorage(long bytes);

  protected abstract void freeStorage(Storage s);

  /** Writes host values into {@code dst} (one of the arrays is non-null, its length checked). */
  protected abstract void writeHost(Tensor dst, float[] f, double[] d);

  /** Reads {@code src} into a host array (one of the arrays is non-null, its length checked). */
  protected abstract void readHost(Tensor src, float[] f, double[] d);

  protected abstract void writeBytes(Tensor dst, ByteBuffer src);

  protected abstract void readBytes(Tensor src, ByteBuffer dst);

  protected abstract void copyKernel(Tensor src, Tensor dst);

  protected abstract void fillKernel(Tensor t, double value);

  /**
   * Row-major batched gemm on validated operands; {@code ld*} are leading dimensions and {@code s*}
   * batch strides in elements (0 when the operand is shared by the batch).
   */
  protected abstract void gemmKernel(int batch, boolean ta, boolean tb, int m, int n, int k, double alpha,
      Tensor a, long lda, long sa, Tensor b, long ldb, long sb, double beta, Tensor c, long ldc, long sc);

  protected abstract void mapKernel(UnaryOp op, Tensor x, Tensor out, double p);

  protected abstract void mapBackwardKernel(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double p);

  protected abstract void zipKernel(BinaryOp op, Tensor a, Tensor b, Tensor out);

  protected abstract void reduceKernel(ReduceOp op, Tensor x, Tensor out);

  protected abstract void softmaxKernel(Tensor x, Tensor out, boolean log);

  protected abstract void softmaxBackwardKernel(Tensor y, Tensor gy, Tensor gx, boolean log);

  protected abstract void softmaxCrossEntropyKernel(Tensor logits, Tensor labels, Tensor losses, Tensor probs);

  protected abstract void softmaxCrossEntropyBackwardKernel(Tensor probs, Tensor labels, Tensor gLoss, Tensor gLogits);

  protected abstract void randomKernel(Tensor out, Distribution d, double a, double b, long seed);

  protected abstract void sgdKernel(Tensor param, Tensor grad, Tensor buf, OptimizerKernels.Sgd h);

  protected abstract void adamKernel(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h);

  protected abstract void rmsPropKernel(Tensor param, Tensor grad, Tensor sq, Tensor buf, OptimizerKernels.RmsProp h);

  /** {@link #im2col} on a contiguous {@code x} and validated shapes. */
  protected abstract void im2colKernel(Tensor x, Window2d w, Tensor cols);

  /** {@link #col2im} on a contiguous {@code cols} and validated shapes; overwrites {@code x}. */
  protected abstract void col2imKernel(Tensor cols, Window2d w, Tensor x);

  /**
   * {@link #conv2dScoring} on contiguous inputs and validated shapes; returns false (having written
   * nothing) where the backend has no such kernel, which is the default.
   */
  protected boolean conv2dScoringKernel(Tensor x, Tensor w, Tensor b, Window2d window, boolean relu, Window2d maxPool,
      Tensor y) {
    return false;
  }

  protected abstract void maxPool2dKernel(Tensor x, Window2d w, Tensor y);

  protected abstract void maxPool2dBackwardKernel(Tensor x, Tensor y, Tensor gy, Window2d w, Tensor gx);

  protected abstract void avgPool2dKernel(Tensor x, Window2d w, boolean countPadding, Tensor y);

  protected abstract void avgPool2dBackwardKernel(Tensor gy, Window2d w, boolean countPadding, Tensor gx);

  /** {@link #sparseMatmul} on a contiguous {@code b} and validated shapes; checks every row start and column. */
  protected abstract void sparseMatmulKernel(CsrMatrix a, Tensor b, Tensor c);

  /** {@link #sparseMatmulTransposedAdd} on a contiguous {@code g}; checks everything before writing. */
  protected abstract void sparseMatmulTransposedAddKernel(CsrMatrix a, Tensor g, Tensor out);

  /** {@link #zeroRows} on validated shapes; checks every row index before writing. */
  protected abstract void zeroRowsKernel(Tensor table, Tensor rows);

  /** {@link #sgdRowsStep} on validated shapes; checks every row index before updating. */
  protected abstract void sgdRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor buf, OptimizerKernels.Sgd h);

  /** {@link #adamRowsStep} on validated shapes; checks every row index before updating. */
  protected abstract void adamRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor m, Tensor v,
      OptimizerKernels.Adam h);

  /** {@link #rmsPropRowsStep} on validated shapes; checks every row index before updating. */
  protected abstract void rmsPropRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor sq, Tensor buf,
      OptimizerKernels.RmsProp h);

  /** {@link #gatherRows} on contiguous operands and validated shapes; checks every index. */
  protected abstract void gatherRowsKernel(Tensor table, Tensor indices, Tensor out);

  /** {@link #scatterAddRows} on contiguous operands and validated shapes; checks every index before writing. */
  protected abstract void scatterAddRowsKernel(Tensor src, Tensor indices, Tensor table);

  /** {@code activations}: whether {@code gates} must hold the activations on return (see {@link #lstmStep}). */
  protected abstract void lstmCellKernel(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h,
      Tensor y, boolean activations);

  protected abstract void lstmCellBackwardKernel(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy,
      Tensor gh, Tensor gc, Tensor gGates);

  protected abstract void gruCellKernel(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y);

  protected abstract void gruCellBackwardKernel(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy,
      Tensor gh, Tensor gxGates, Tensor ghGates);

  // ---------------------------------------------------------------- checks

  private void checkLive(Tensor t) {
    t.checkLive();
    if (t.device() != this) {
      throw new IllegalArgumentException("Tensor " + t + " lives on backend " + t.device().name()
          + ", not " + name() + ".");
    }
  }

  private void sameBackend(Tensor... ts) {
    for (Tensor t : ts) {
      if (t != null) {
        checkLive(t);
      }
    }
  }

  private static void sameDtype(String op, Tensor... ts) {
    DType first = ts[0].dtype();
    for (Tensor t : ts) {
      if (t != null && t.dtype() != first) {
        throw new IllegalArgumentException(op + ": mixed dtypes " + first + " and " + t.dtype() + ".");
      }
    }
  }

  private static void sameShape(String op, Shape expected, Shape found) {
    if (!expected.equals(found)) {
      throw new IllegalArgumentException(op + ": expected shape " + expected + ", found " + found + ".");
    }
  }

  private static void requireContiguous(Tensor t, String op) {
    if (!t.isContiguous()) {
      throw new IllegalArgumentException(op + " needs a contiguous tensor; found a strided " + t.shape() + " view.");
    }
  }

  private void checkCount(Tensor t, int n) {
    checkLive(t);
    if (t.size() != n) {
      throw new IllegalArgumentException("Tensor " + t.shape() + " has " + t.size() + " elements; the array has " + n + ".");
    }
  }

  private void flatSameSize(String op, Tensor param, Tensor... others) {
    checkLive(param);
    requireContiguous(param, op);
    for (Tensor t : others) {
      if (t == null) {
        continue;
      }
      checkLive(t);
      requireContiguous(t, op);
      if (t.size() != param.size() || t.dtype() != param.dtype()) {
        throw new IllegalArgumentException(op + ": buffer " + t + " does not match parameters " + param + ".");
      }
    }
  }

  private static void checkCrossEntropyShapes(Tensor logits, Tensor labels, Tensor rows, Tensor full) {
    if (logits.rank() != 2 || !labels.shape().equals(Shape.of(logits.dim(0)))
        || !rows.shape().equals(labels.shape()) || !full.shape().equals(logits.shape())) {
      throw new IllegalArgumentException("softmaxCrossEntropy needs logits [B, C], labels [B], losses [B], probs [B, C];"
          + " found " + logits.shape() + ", " + labels.shape() + ", " + rows.shape() + ", " + full.shape() + ".");
    }
  }

  /** Frees what the backend holds (library handles, pools). Tensors must be freed before. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Backend(" + name() + ")";
  }
}
