package org.sparkdl.tensor;

/**
 * A batch of sparse rows in compressed sparse row form: row {@code i} of the {@code [rows, width]}
 * matrix holds {@code values[k]} at column {@code columns[k]} for every {@code k} in {@code
 * [rowStarts[i] - rowStarts[0], rowStarts[i + 1] - rowStarts[0])}; every other element is 0. Row
 * starts count from the first (usually 0), so that {@link #rows(int, int)} is a view. Like every index tensor here, row
 * starts and columns are integer-valued tensors of the values' dtype (exact up to 2^24 in float32),
 * so that one batch lives in one kind of memory on every backend.
 *
 * <p>This record checks only shapes and dtypes; the kernels that read it check the contents (row
 * starts that run from 0 up to the entry count, columns in {@code [0, width)}) and name the first
 * bad one. It owns nothing: the tensors belong to their scopes.
 *
 * <pre>{@code
 * // [[0, 2, 0], [1, 0, 3]]
 * CsrMatrix x = CsrMatrix.of(scope, DType.FLOAT32, 3, new int[] {0, 1, 3}, new int[] {1, 0, 2},
 *     new double[] {2, 1, 3});
 * }</pre>
 *
 * @param rowStarts {@code [rows + 1]}: where each row's entries start, then the entry count
 * @param columns {@code [entries]}: each entry's column
 * @param values {@code [entries]}: each entry's value
 * @param width the number of columns
 */
public record CsrMatrix(Tensor rowStarts, Tensor columns, Tensor values, int width) {
  public CsrMatrix {
    if (rowStarts.rank() != 1 || rowStarts.dim(0) < 1 || columns.rank() != 1 || values.rank() != 1
        || columns.dim(0) != values.dim(0)) {
      throw new IllegalArgumentException("A sparse matrix needs row starts [rows + 1], columns [entries] and values"
          + " [entries]; found " + rowStarts.shape() + ", " + columns.shape() + " and " + values.shape() + ".");
    }
    if (rowStarts.dtype() != values.dtype() || columns.dtype() != values.dtype()
        || rowStarts.device() != values.device() || columns.device() != values.device()) {
      throw new IllegalArgumentException("A sparse matrix's row starts, columns and values need one dtype and device;"
          + " found " + rowStarts + ", " + columns + " and " + values + ".");
    }
    if (width < 1) {
      throw new IllegalArgumentException("A sparse matrix needs a width >= 1; found " + width + ".");
    }
  }

  /** A sparse matrix of host arrays, copied into new tensors of {@code scope}. */
  public static CsrMatrix of(Scope scope, DType dtype, int width, int[] rowStarts, int[] columns, double[] values) {
    double[] starts = new double[rowStarts.length];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = rowStarts[i];
    }
    double[] cols = new double[columns.length];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = columns[i];
    }
    return new CsrMatrix(scope.of(dtype, Shape.of(starts.length), starts), scope.of(dtype, Shape.of(cols.length), cols),
        scope.of(dtype, Shape.of(values.length), values), width);
  }

  /**
   * Rows {@code [from, to)} as a view: slices of the row starts and of the entries, no copy (the
   * two bounding row starts are read to the host).
   */
  public CsrMatrix rows(int from, int to) {
    if (from < 0 || to < from || to > rows()) {
      throw new IllegalArgumentException("Rows [" + from + ", " + to + ") are not within the " + rows() + " rows.");
    }
    Tensor starts = rowStarts.slice(0, from, to + 1);
    double first = rowStarts.slice(0, 0, 1).item();
    int lo = (int) (starts.slice(0, 0, 1).item() - first);
    int hi = (int) (starts.slice(0, to - from, to - from + 1).item() - first);
    return new CsrMatrix(starts, columns.slice(0, lo, hi), values.slice(0, lo, hi), width);
  }

  /** The number of rows. */
  public int rows() {
    return rowStarts.dim(0) - 1;
  }

  /** The number of stored entries (of these rows). */
  public int entries() {
    return values.dim(0);
  }

  /** {@code [rows, width]}. */
  public Shape shape() {
    return Shape.of(rows(), width);
  }

  public DType dtype() {
    return values.dtype();
  }
}
