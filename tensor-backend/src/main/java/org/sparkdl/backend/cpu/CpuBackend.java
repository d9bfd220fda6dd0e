package org.sparkdl.backend.cpu;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.sparkdl.backend.BackendException;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.HostBackend;
import org.sparkdl.backend.OptimizerKernels;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Storage;
import org.sparkdl.tensor.Tensor;

/**
 * The CPU backend: host memory from {@code malloc} (freed explicitly, never by the GC), matrix
 * products through OpenBLAS, and Java kernels for the rest. Supports float32 and float64.
 *
 * <p>OpenBLAS keeps one thread count per process; each backend's own count ({@link
 * #setThreads(int)}; on Spark, {@code spark.task.cpus}) is put in force before each of its matrix
 * products, so a backend made elsewhere in the JVM with another count (a driver-side trainer in
 * local mode) neither slows the tasks' products nor changes their bits.
 *
 * <p><b>Size.</b> Over 400 lines: the CPU side of every SPI kernel, each a few lines handing off
 * to the kernel classes (SimdKernels, PoolKernels, ...), which hold the loops.
 */
public final class CpuBackend extends HostBackend {
  private static final Object BLAS_LOCK = new Object();
  private static volatile boolean blasLoaded;
  /** The thread count last given to OpenBLAS (process-wide). */
  private static volatile int blasThreads;
  /** Recycled blocks beyond this many bytes go back to the OS ({@code -Dsparkdl.cpu.poolBytes}). */
  private static final long POOL_BYTES = Long.getLong("sparkdl.cpu.poolBytes", 1L << 30);
  private final HostMemoryPool pool = new HostMemoryPool(POOL_BYTES);
  private volatile int threads;
  /** Whether single-threaded float32 products are cut for OpenBLAS's small-matrix kernels ({@link SmallGemm}). */
  private volatile boolean smallGemm = SmallGemm.ENABLED;

  /** A CPU backend using {@code threads} BLAS threads. */
  public CpuBackend(int threads) {
    loadBlas();
    setThreads(threads);
  }

  /** A CPU backend using all available processors. */
  public CpuBackend() {
    this(Runtime.getRuntime().availableProcessors());
  }

  /** Loads OpenBLAS once per JVM; throws {@link BackendException} naming the cause if it cannot. */
  static void loadBlas() {
    if (blasLoaded) {
      return;
    }
    synchronized (BLAS_LOCK) {
      if (!blasLoaded) {
        try {
          Loader.load(openblas_nolapack.class);
        } catch (LinkageError e) {
          throw new BackendException("Cannot load OpenBLAS for linux-x86_64 from the JavaCPP presets: " + e.getMessage(), e);
        }
        blasLoaded = true;
      }
    }
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public boolean isHost() {
    return true;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Thread count must be >= 1, found " + n + ".");
    }
    threads = n;
    useThreads();
  }

  /** Gives OpenBLAS this backend's thread count unless it has it already. */
  private void useThreads() {
    if (blasThreads != threads) {
      synchronized (BLAS_LOCK) {
        openblas_nolapack.blas_set_num_threads(threads);
        blasThreads = threads;
      }
    }
  }

  /** Turns the cutting of products into {@link SmallGemm} pieces on or off (tests compare both). */
  void smallGemm(boolean on) {
    smallGemm = on;
  }

  @Override
  public Tensor borrow(long address, DType dtype, Shape shape) {
    long bytes = (long) shape.size() * dtype.byteSize();
    Storage s = new Storage(this, address, bytes, HostMemoryPool.view(address, bytes), true);
    return Tensor.borrowed(s, dtype, shape, 0);
  }

  // ---------------------------------------------------------------- memory

  @Override
  protected Storage allocateStorage(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("A CPU tensor is limited to 2 GiB; " + bytes + " bytes were asked for.");
    }
    HostMemoryPool.Block b = pool.take(bytes);
    return new Storage(this, b.address(), bytes, b.buffer(), false);
  }

  @Override
  protected void freeStorage(Storage s) {
    pool.give(new HostMemoryPool.Block(s.nativeAddress(), s.bytes(), s.hostBufferUnchecked()));
  }

  /** Native allocations ({@code malloc} calls) so far; flat in a steady-state training loop. */
  public long nativeAllocations() {
    return pool.mallocCount();
  }

  /** Native bytes held by this backend: live tensors plus the recycling pool. */
  public long nativeBytes() {
    return pool.nativeBytes();
  }

  /** Frees the recycled blocks; tensors still alive are unaffected. */
  @Override
  public void close() {
    pool.clear();
  }

  /** A pointer at a raw address that owns nothing (no deallocator). */
  static final class RawPointer extends Pointer {
    RawPointer(long addr) {
      this.address = addr;
    }
  }

  static FloatPointer floats(Tensor t) {
    return new FloatPointer(new RawPointer(t.address()));
  }

  static DoublePointer doubles(Tensor t) {
    return new DoublePointer(new RawPointer(t.address()));
  }

  // ---------------------------------------------------------------- transfers

  @Override
  protected void writeHost(Tensor dst, float[] f, double[] d) {
    if (dst.isContiguous() && (f != null) == (dst.dtype() == DType.FLOAT32)) {
      ByteBuffer bb = dst.storage().hostBuffer();
      if (f != null) {
        bb.asFloatBuffer().put((int) dst.offset(), f);
      } else {
        bb.asDoubleBuffer().put((int) dst.offset(), d);
      }
      return;
    }
    HostView v = HostView.of(dst);
    int[] k = {0};
    StridedLoop.run(dst.shape(), new Tensor[] {dst}, (st, n, sp) -> {
      int o = st[0];
      int c = k[0];
      for (int j = 0; j < n; j++, o += sp[0]) {
        v.set(o, f != null ? f[c + j] : d[c + j]);
      }
      k[0] = c + n;
    });
  }

  @Override
  protected void readHost(Tensor src, float[] f, double[] d) {
    if (src.isContiguous() && (f != null) == (src.dtype() == DType.FLOAT32)) {
      ByteBuffer bb = src.storage().hostBuffer();
      if (f != null) {
        bb.asFloatBuffer().get((int) src.offset(), f);
      } else {
        bb.asDoubleBuffer().get((int) src.offset(), d);
      }
      return;
    }
    HostView v = HostView.of(src);
    int[] k = {0};
    StridedLoop.run(src.shape(), new Tensor[] {src}, (st, n, sp) -> {
      int o = st[0];
      int c = k[0];
      for (int j = 0; j < n; j++, o += sp[0]) {
        if (f != null) {
          f[c + j] = (float) v.get(o);
        } else {
          d[c + j] = v.get(o);
        }
      }
      k[0] = c + n;
    });
  }

  @Override
  protected void writeBytes(Tensor dst, ByteBuffer src) {
    ByteBuffer target = dst.storage().hostBuffer().duplicate();
    int start = (int) (dst.offset() * dst.dtype().byteSize());
    target.position(start).limit(start + src.remaining());
    target.put(src.duplicate());
  }

  @Override
  protected void readBytes(Tensor src, ByteBuffer dst) {
    ByteBuffer source = src.storage().hostBuffer().duplicate();
    int start = (int) (src.offset() * src.dtype().byteSize());
    source.position(start).limit(start + dst.remaining());
    dst.duplicate().put(source);
  }

  // ---------------------------------------------------------------- kernels

  @Override
  protected void copyKernel(Tensor src, Tensor dst) {
    ElementwiseKernels.copy(src, dst);
  }

  @Override
  protected void fillKernel(Tensor t, double value) {
    if (Double.doubleToRawLongBits(value) == 0 && t.isContiguous()) {
      // zeroing (every step clears the gradients): libc's memset, several times faster than a Java loop
      Pointer.memset(new RawPointer(t.address()), 0, (long) t.size() * t.dtype().byteSize());
      return;
    }
    ElementwiseKernels.fill(t, value);
  }

  @Override
  protected void gemmKernel(int batch, boolean ta, boolean tb, int m, int n, int k, double alpha,
      Tensor a, long lda, long sa, Tensor b, long ldb, long sb, double beta, Tensor c, long ldc, long sc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      // BLAS leaves C untouched when k == 0; the product of empty matrices is zero
      ElementwiseKernels.map(UnaryOp.SCALE, c, c, beta);
      return;
    }
    useThreads();
    int transA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int transB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int row = openblas_nolapack.CblasRowMajor;
    if (c.dtype() == DType.FLOAT32) {
      FloatPointer pa = floats(a);
      FloatPointer pb = floats(b);
      FloatPointer pc = floats(c);
      SmallGemm.Split split = smallGemm && threads == 1 ? SmallGemm.plan(m, n, k, ta, tb) : null;
      int cut = split == null ? 0 : switch (split.dim()) {
        case M -> m;
        case N -> n;
        case K -> k;
      };
      for (int i = 0; i < batch; i++) {
        if (split == null) {
          openblas_nolapack.cblas_sgemm(row, transA, transB, m, n, k, (float) alpha,
              pa.position(i * sa), (int) lda, pb.position(i * sb), (int) ldb, (float) beta, pc.position(i * sc), (int) ldc);
          continue;
        }
        for (int piece = 0; piece < split.count(); piece++) {
          // element offsets of the piece's first row, column or inner index in A, B and C (row-major)
          int from = piece * split.size();
          int len = Math.min(split.size(), cut - from);
          long offA = switch (split.dim()) {
            case M -> ta ? from : from * lda;
            case N -> 0;
            case K -> ta ? from * lda : from;
          };
          long offB = switch (split.dim()) {
            case M -> 0;
            case N -> tb ? from * ldb : from;
            case K -> tb ? from : from * ldb;
          };
          long offC = switch (split.dim()) {
            case M -> from * ldc;
            case N -> from;
            case K -> 0;
          };
          openblas_nolapack.cblas_sgemm(row, transA, transB, split.dim() == SmallGemm.Dim.M ? len : m,
              split.dim() == SmallGemm.Dim.N ? len : n, split.dim() == SmallGemm.Dim.K ? len : k, (float) alpha,
              pa.position(i * sa + offA), (int) lda, pb.position(i * sb + offB), (int) ldb,
              split.dim() == SmallGemm.Dim.K && piece > 0 ? 1f : (float) beta, pc.position(i * sc + offC), (int) ldc);
        }
      }
    } else {
      DoublePointer pa = doubles(a);
      DoublePointer pb = doubles(b);
      DoublePointer pc = doubles(c);
      for (int i = 0; i < batch; i++) {
        openblas_nolapack.cblas_dgemm(row, transA, transB, m, n, k, alpha,
            pa.position(i * sa), (int) lda, pb.position(i * sb), (int) ldb, beta, pc.position(i * sc), (int) ldc);
      }
    }
  }

  @Override
  protected void mapKernel(UnaryOp op, Tensor x, Tensor out, double p) {
    ElementwiseKernels.map(op, x, out, p);
  }

  @Override
  protected void mapBackwardKernel(UnaryOp op, Tensor x, Tensor y, Tensor gy, Tensor gx, double p) {
    ElementwiseKernels.mapBackward(op, x, y, gy, gx, p);
  }

  @Override
  protected void zipKernel(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    ElementwiseKernels.zip(op, a, b, out);
  }

  @Override
  protected void reduceKernel(ReduceOp op, Tensor x, Tensor out) {
    ReductionKernels.reduce(op, x, out);
  }

  @Override
  protected void softmaxKernel(Tensor x, Tensor out, boolean log) {
    try (Scope tmp = openScope("softmax")) {
      Tensor o = out.isContiguous() ? out : tmp.allocate(out.dtype(), out.shape());
      ReductionKernels.softmax(x.contiguous(tmp), o, log);
      if (o != out) {
        copy(o, out);
      }
    }
  }

  @Override
  protected void softmaxBackwardKernel(Tensor y, Tensor gy, Tensor gx, boolean log) {
    try (Scope tmp = openScope("softmax-backward")) {
      Tensor o = gx.isContiguous() ? gx : tmp.allocate(gx.dtype(), gx.shape());
      ReductionKernels.softmaxBackward(y.contiguous(tmp), gy.contiguous(tmp), o, log);
      if (o != gx) {
        copy(o, gx);
      }
    }
  }

  @Override
  protected void softmaxCrossEntropyKernel(Tensor logits, Tensor labels, Tensor losses, Tensor probs) {
    try (Scope tmp = openScope("cross-entropy")) {
      Tensor p = probs.isContiguous() ? probs : tmp.allocate(probs.dtype(), probs.shape());
      ReductionKernels.softmaxCrossEntropy(logits.contiguous(tmp), labels, losses, p);
      if (p != probs) {
        copy(p, probs);
      }
    }
  }

  @Override
  protected void softmaxCrossEntropyBackwardKernel(Tensor probs, Tensor labels, Tensor gLoss, Tensor gLogits) {
    try (Scope tmp = openScope("cross-entropy-backward")) {
      Tensor o = gLogits.isContiguous() ? gLogits : tmp.allocate(gLogits.dtype(), gLogits.shape());
      ReductionKernels.softmaxCrossEntropyBackward(probs.contiguous(tmp), labels, gLoss, o);
      if (o != gLogits) {
        copy(o, gLogits);
      }
    }
  }

  @Override
  protected void randomKernel(Tensor out, Distribution d, double a, double b, long seed) {
    ElementwiseKernels.random(out, d, a, b, seed);
  }

  @Override
  protected void sgdKernel(Tensor param, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    OptimizerUpdates.sgd(param, grad, buf, h);
  }

  @Override
  protected void adamKernel(Tensor param, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    OptimizerUpdates.adam(param, grad, m, v, h);
  }

  @Override
  protected void rmsPropKernel(Tensor param, Tensor grad, Tensor sq, Tensor buf, OptimizerKernels.RmsProp h) {
    OptimizerUpdates.rmsProp(param, grad, sq, buf, h);
  }

  @Override
  protected void im2colKernel(Tensor x, Window2d w, Tensor cols) {
    ConvKernels.im2col(x, w, cols, threads);
  }

  @Override
  protected void col2imKernel(Tensor cols, Window2d w, Tensor x) {
    ConvKernels.col2im(cols, w, x, threads);
  }

  /** The direct kernels ({@link DirectConvKernels}) for float32 shapes they take, when SIMD may run. */
  @Override
  protected boolean conv2dScoringKernel(Tensor x, Tensor w, Tensor b, Window2d window, boolean relu, Window2d maxPool,
      Tensor y) {
    if (x.dtype() != DType.FLOAT32 || !Simd.AVAILABLE
        || !DirectConvKernels.covers(w.dim(0), window, window.outputWidth(x.dim(3)), maxPool)) {
      return false;
    }
    DirectConvKernels.conv(x, w, b, window, relu, maxPool, y, threads);
    return true;
  }

  @Override
  protected void maxPool2dKernel(Tensor x, Window2d w, Tensor y) {
    PoolKernels.maxPool(x, w, y, threads);
  }

  @Override
  protected void maxPool2dBackwardKernel(Tensor x, Tensor y, Tensor gy, Window2d w, Tensor gx) {
    // the CPU finds the first position of each window holding its maximum, which costs less than keeping indices
    PoolKernels.maxPoolBackward(x, y, gy, w, gx, threads);
  }

  @Override
  protected void avgPool2dKernel(Tensor x, Window2d w, boolean countPadding, Tensor y) {
    PoolKernels.avgPool(x, w, countPadding, y, threads);
  }

  @Override
  protected void avgPool2dBackwardKernel(Tensor gy, Window2d w, boolean countPadding, Tensor gx) {
    PoolKernels.avgPoolBackward(gy, w, countPadding, gx, threads);
  }

  @Override
  protected void sparseMatmulKernel(CsrMatrix a, Tensor b, Tensor c) {
    SparseKernels.matmul(a, b, c);
  }

  @Override
  protected void sparseMatmulTransposedAddKernel(CsrMatrix a, Tensor g, Tensor out) {
    SparseKernels.transposedAdd(a, g, out);
  }

  @Override
  protected void zeroRowsKernel(Tensor table, Tensor rows) {
    SparseKernels.zeroRows(table, rows);
  }

  @Override
  protected void sgdRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor buf, OptimizerKernels.Sgd h) {
    OptimizerUpdates.sgdRows(param, rows, grad, buf, h);
  }

  @Override
  protected void adamRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor m, Tensor v, OptimizerKernels.Adam h) {
    OptimizerUpdates.adamRows(param, rows, grad, m, v, h);
  }

  @Override
  protected void rmsPropRowsKernel(Tensor param, Tensor rows, Tensor grad, Tensor sq, Tensor buf,
      OptimizerKernels.RmsProp h) {
    OptimizerUpdates.rmsPropRows(param, rows, grad, sq, buf, h);
  }

  @Override
  protected void gatherRowsKernel(Tensor table, Tensor indices, Tensor out) {
    SequenceKernels.gatherRows(table, indices, out);
  }

  @Override
  protected void scatterAddRowsKernel(Tensor src, Tensor indices, Tensor table) {
    SequenceKernels.scatterAddRows(src, indices, table);
  }

  @Override
  protected void lstmCellKernel(Tensor gates, Tensor bias, Tensor cPrev, Tensor hPrev, Tensor mask, Tensor c, Tensor h,
      Tensor y, boolean activations) {
    SequenceKernels.lstmCell(gates, bias, cPrev, hPrev, mask, c, h, y, activations);
  }

  @Override
  protected void lstmCellBackwardKernel(Tensor gates, Tensor cPrev, Tensor c, Tensor mask, Tensor gy, Tensor gh,
      Tensor gc, Tensor gGates) {
    SequenceKernels.lstmCellBackward(gates, cPrev, c, mask, gy, gh, gc, gGates);
  }

  @Override
  protected void gruCellKernel(Tensor xGates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor h, Tensor y) {
    SequenceKernels.gruCell(xGates, hGates, hPrev, mask, h, y);
  }

  @Override
  protected void gruCellBackwardKernel(Tensor gates, Tensor hGates, Tensor hPrev, Tensor mask, Tensor gy, Tensor gh,
      Tensor gxGates, Tensor ghGates) {
    SequenceKernels.gruCellBackward(gates, hGates, hPrev, mask, gy, gh, gxGates, ghGates);
  }
}
