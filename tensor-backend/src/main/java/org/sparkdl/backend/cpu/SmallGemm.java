package org.sparkdl.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where a single-threaded float32 product is cut into pieces small enough for OpenBLAS's
 * small-matrix kernels. On its AVX-512 targets (Skylake-X and later Intel cores, Zen 4 and later)
 * OpenBLAS computes a product with {@code m n k <= 10^6} straight from the operands, without
 * packing them into its own buffers first. The products of a training step or of scoring a
 * convolution in batches of a few rows sit just above that bound, where packing costs as much as
 * the arithmetic: cut into pieces below it they ran 1.2-2.2x faster on an AMD EPYC with AVX-512
 * (a LeNet's convolutions as gemm, 16x6272x25 and 32x800x400; a 784-128 layer on 32 rows forward
 * and backward; one thread each). Large products, and any product with more than one thread, stay
 * whole: there packing pays and OpenBLAS spreads the work over its threads.
 *
 * <p>Pieces are whole rows of C ({@code m}), else whole columns ({@code n}), else slices of the
 * inner dimension ({@code k}, each piece after the first adding to C); a piece never gets so narrow
 * that the kernels' register tiles run mostly empty, and layouts where a cut measured slower stay
 * whole ({@link #plan}). Rows and columns of C are computed as they would be whole; a split of
 * {@code k} only regroups each sum. {@code -Dsparkdl.cpu.smallGemm=false} turns the splitting off,
 * {@code =true} on (on other CPUs OpenBLAS packs each piece, so it would only cost there).
 */
final class SmallGemm {
  /** OpenBLAS's bound on {@code m n k} for its small-matrix kernels. */
  static final long LIMIT = 1_000_000;
  /** Above this many multiply-adds a product stays whole: packing pays for itself. */
  static final long MAX_SPLIT = 32 * LIMIT;
  /** Narrowest piece per dimension: rows of C, columns of C, inner slice. */
  private static final int MIN_ROWS = 4;
  private static final int MIN_COLUMNS = 64;
  private static final int MIN_INNER = 64;
  /** Floats in one AVX-512 vector. */
  private static final int VECTOR = 16;
  /** At most this many columns of C, and at least this long an inner dimension, for {@code B} transposed cut into rows. */
  private static final int MAX_TRANSPOSED_COLUMNS = 256;
  private static final int MIN_TRANSPOSED_INNER = 768;
  /** At most this many entries of C, a product with {@code B} transposed may be cut along the inner dimension. */
  private static final int TINY_C = 1024;
  static final boolean ENABLED = enabled();

  /** Which dimension a product is cut along, and the length of each piece but the last. */
  enum Dim { M, N, K }

  /** A product's pieces: {@code count} along {@code dim}, each {@code size} long but the last. */
  record Split(Dim dim, int size, int count) {}

  private SmallGemm() {}

  /**
   * How to cut an {@code m x k} by {@code k x n} float32 product ({@code op(A) op(B)}, with {@code
   * transA} and {@code transB} as OpenBLAS receives them), on one thread of a CPU with the
   * small-matrix kernels; null to keep it whole.
   *
   * <p>The kernels are not equally fast for every layout (measured on one thread of the AMD EPYC,
   * pieces against the whole product): with {@code B} as stored they won for every shape tried,
   * cut along rows, else columns, else the inner dimension. With {@code B} transposed (a dense
   * layer's forward pass, {@code x W^T}) they won cut along rows only where C's rows are whole
   * 16-float vectors, at most 256 of them, the inner dimension is long, and the pieces are a
   * multiple of 8 rows (or 4): 32x128x784: 92 -> 60 us, 32x256x800: 186 -> 122, 64x128x1024: 261 ->
   * 160; but 64x128x512 100 -> 82 in 8-row pieces and 174 in 13-row ones, 64x128x400 77 -> 122,
   * 64x256x256 98 -> 238, an LSTM's 64x512x128 104 -> 160-254 in any pieces. Along the inner
   * dimension they won only where C is tiny beside it (a convolution's weight gradient, 16x25x6272:
   * 126 -> 54; 64x120x400: 75 -> 76). With both transposed, rows lost and columns or the inner
   * dimension won (32x128x784: 96 -> 113 by rows, 58 by the inner dimension).
   */
  static Split plan(int m, int n, int k, boolean transA, boolean transB) {
    long mnk = (long) m * n * k;
    if (mnk <= LIMIT || mnk > MAX_SPLIT) {
      return null;
    }
    Split s = null;
    if (!transB) {
      s = along(Dim.M, m, LIMIT / ((long) n * k), MIN_ROWS, true);
    } else if (!transA && n % VECTOR == 0 && n <= MAX_TRANSPOSED_COLUMNS && k >= MIN_TRANSPOSED_INNER) {
      long rows = LIMIT / ((long) n * k);
      s = along(Dim.M, m, rows >= 8 ? rows / 8 * 8 : rows / 4 * 4, MIN_ROWS, false);
    }
    if (s == null && (!transB || transA)) {
      s = along(Dim.N, n, LIMIT / ((long) m * k), MIN_COLUMNS, true);
    }
    if (s == null && (!transB || transA || (long) m * n <= TINY_C)) {
      s = along(Dim.K, k, LIMIT / ((long) m * n), MIN_INNER, true);
    }
    return s;
  }

  /**
   * Pieces of {@code length} no longer than {@code most}, as even as they can be (or all of {@code
   * most} but the last, where {@code most} was rounded to a multiple of the kernels' tiles), or null
   * when they would be under {@code least}.
   */
  private static Split along(Dim dim, int length, long most, int least, boolean even) {
    if (most < least) {
      return null;
    }
    int count = (int) ((length + most - 1) / most);
    int size = even ? (length + count - 1) / count : (int) Math.min(most, length);
    return new Split(dim, size, (length + size - 1) / size);
  }

  private static boolean enabled() {
    String forced = System.getProperty("sparkdl.cpu.smallGemm");
    if (forced != null) {
      return Boolean.parseBoolean(forced);
    }
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!arch.equals("amd64") && !arch.equals("x86_64")) {
      return false;
    }
    // OpenBLAS picks its AVX-512 targets where the CPU has AVX512F and AVX512BW (and the OS saves the
    // registers, which Linux reports by listing the flags)
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("flags")).findFirst()
          .map(l -> " " + l.substring(l.indexOf(':') + 1) + " ")
          .map(flags -> flags.contains(" avx512f ") && flags.contains(" avx512bw "))
          .orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
