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
 * that the kernels' register tiles run mostly empty. Rows and columns of C are computed as they
 * would be whole; a split of {@code k} only regroups each sum. {@code -Dsparkdl.cpu.smallGemm=false}
 * turns the splitting off, {@code =true} on (on other CPUs OpenBLAS packs each piece, so it would
 * only cost there).
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
  static final boolean ENABLED = enabled();

  /** Which dimension a product is cut along, and the length of each piece but the last. */
  enum Dim { M, N, K }

  /** A product's pieces: {@code count} along {@code dim}, each {@code size} long but the last. */
  record Split(Dim dim, int size, int count) {}

  private SmallGemm() {}

  /**
   * How to cut an {@code m x k} by {@code k x n} float32 product, on one thread of a CPU with the
   * small-matrix kernels; null to keep it whole.
   */
  static Split plan(int m, int n, int k) {
    long mnk = (long) m * n * k;
    if (mnk <= LIMIT || mnk > MAX_SPLIT) {
      return null;
    }
    Split s = along(Dim.M, m, LIMIT / ((long) n * k), MIN_ROWS);
    if (s == null) {
      s = along(Dim.N, n, LIMIT / ((long) m * k), MIN_COLUMNS);
    }
    if (s == null) {
      s = along(Dim.K, k, LIMIT / ((long) m * n), MIN_INNER);
    }
    return s;
  }

  /** Even pieces of {@code length} no longer than {@code most}, or null when they would be under {@code least}. */
  private static Split along(Dim dim, int length, long most, int least) {
    if (most < least) {
      return null;
    }
    int count = (int) ((length + most - 1) / most);
    int size = (length + count - 1) / count;
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
