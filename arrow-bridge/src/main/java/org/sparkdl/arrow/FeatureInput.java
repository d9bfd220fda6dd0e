package org.sparkdl.arrow;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a features column becomes the network's input: the column, the per-row shape of the tensor
 * it fills (batch excluded), whether each row also gives its sequence length, and an optional
 * per-channel normalisation. Resolved and checked on the driver; immutable and serializable, so
 * that encoders and scorers take it to the executors, where {@link #reader} decodes each row.
 *
 * <table>
 *   <caption>Column types and the tensors they fill</caption>
 *   <tr><th>column</th><th>shape</th><th>row values</th></tr>
 *   <tr><td>{@code Vector}, {@code array<float>}, {@code array<double>}, number</td><td>any, of
 *       {@code prod(shape)} values</td><td>as stored, row-major</td></tr>
 *   <tr><td>image struct (Spark's image source)</td><td>{@code [C, H, W]}, C 1, 3 or 4</td><td>pixels
 *       scaled to [0, 1], channels reordered from the source's BGR(A) to RGB(A); every image must
 *       have exactly H x W pixels and C channels</td></tr>
 *   <tr><td>{@code binary} (PNG, JPEG, any format {@code javax.imageio} reads)</td><td>{@code [C, H,
 *       W]}, C 1, 3 or 4</td><td>decoded, converted to grey (C = 1, luma {@code 0.299 R + 0.587 G +
 *       0.114 B}) or RGB(A), scaled to [0, 1]; every image must have H x W pixels</td></tr>
 *   <tr><td>{@code array<array<float>>}, {@code array<array<double>>}</td><td>{@code [T, F]}</td><td>1
 *       to T steps of F values, zero-padded after the last step</td></tr>
 *   <tr><td>{@code array<int>}, {@code array<long>}</td><td>{@code [T]}</td><td>1 to T token ids in
 *       [0, 2^24] (exact in float32), zero-padded</td></tr>
 * </table>
 *
 * <p><b>Lengths.</b> With {@link #lengths()}, sequence and token columns also fill a second
 * input of shape {@code [1]} per row with the row's number of steps, so that a network can mask
 * the padding.
 *
 * <p><b>Normalisation.</b> With a channel mean and standard deviation (one value per channel, the
 * first axis of the shape), every value {@code x} of channel {@code c} becomes {@code (x -
 * mean[c]) / std[c]}, after images are scaled to [0, 1]. Sequences and token ids are never
 * normalised.
 *
 * <pre>{@code
 * FeatureInput images = FeatureInput.resolve(df.schema(), "image", List.of(3, 32, 32), false,
 *     new double[] {0.49, 0.48, 0.45}, new double[] {0.25, 0.24, 0.26});
 * }</pre>
 */
public final class FeatureInput implements Serializable {
  private static final long serialVersionUID = 1L;
  private final InputColumn column;
  private final int[] shape;
  private final boolean lengths;
  private final float[] mean;
  private final float[] std;
  private final ImageFields image;
  private final int pathIndex;
  private final boolean sparse;

  private FeatureInput(InputColumn column, int[] shape, boolean lengths, float[] mean, float[] std, ImageFields image,
      int pathIndex) {
    this(column, shape, lengths, mean, std, image, pathIndex, false);
  }

  private FeatureInput(InputColumn column, int[] shape, boolean lengths, float[] mean, float[] std, ImageFields image,
      int pathIndex, boolean sparse) {
    this.sparse = sparse;
    this.column = column;
    this.shape = shape;
    this.lengths = lengths;
    this.mean = mean;
    this.std = std;
    this.image = image;
    this.pathIndex = pathIndex;
  }

  /**
   * A features column of vectors, arrays or numbers read as {@code width} values a row, with no
   * shape beyond that, no lengths and no normalisation.
   *
   * @throws IllegalArgumentException when the column was resolved for another role, holds images,
   *     sequences or token ids (use {@link #resolve}), or its width disagrees with {@code width}
   */
  public static FeatureInput flat(InputColumn column, int width) {
    checkFeatures(column);
    if (column.isShaped()) {
      throw new IllegalArgumentException("Column '" + column.name() + "' holds " + holds(column) + "; it needs an input shape "
          + shapeForm(column) + ", not only a width.");
    }
    TrainingColumns.checkWidth(column, width, "the input layer");
    return new FeatureInput(column, new int[] {width}, false, null, null, null, -1);
  }

  /**
   * A features column of vectors or arrays read as sparse rows of {@code width} values: the
   * non-zeros of each row and their positions (a {@code SparseVector}'s active entries; a dense
   * vector's or array's non-zero values), for a network input declared sparse. Batches then hold
   * the rows in CSR form ({@link BatchLayout}) and never a dense row.
   *
   * @throws IllegalArgumentException when the column was resolved for another role, is not a
   *     vector or array column, or its width disagrees with {@code width}
   */
  public static FeatureInput sparse(InputColumn column, int width) {
    checkFeatures(column);
    if (column.kind() != InputColumn.Kind.VECTOR && column.kind() != InputColumn.Kind.FLOAT_ARRAY
        && column.kind() != InputColumn.Kind.DOUBLE_ARRAY) {
      throw new IllegalArgumentException("Column '" + column.name() + "' holds " + holds(column) + "; a sparse input reads"
          + " vectors, array<float> or array<double>.");
    }
    TrainingColumns.checkWidth(column, width, "the input layer");
    return new FeatureInput(column, new int[] {width}, false, null, null, null, -1, true);
  }

  /**
   * Resolves the features column {@code name} of {@code schema} as input of per-row {@code shape}.
   *
   * @param lengths whether the network also reads each row's sequence length (sequence and token
   *     columns only)
   * @param channelMean per-channel means, or null or empty for 0
   * @param channelStd per-channel standard deviations (each &gt; 0), or null or empty for 1
   * @throws IllegalArgumentException naming the column (or param) and what was expected and found
   *     when the column is missing or of an unknown type, or does not fit the shape, lengths or
   *     normalisation
   */
  public static FeatureInput resolve(StructType schema, String name, List<Integer> shape, boolean lengths,
      double[] channelMean, double[] channelStd) {
    InputColumn c = InputColumn.features(schema, name);
    int[] dims = dims(shape);
    int width = (int) Arrays.stream(dims).asLongStream().reduce(1, (a, b) -> a * b);
    switch (c.kind()) {
      case IMAGE, BINARY -> {
        if (dims.length != 3 || (dims[0] != 1 && dims[0] != 3 && dims[0] != 4)) {
          throw new IllegalArgumentException("Column '" + c.name() + "' holds " + holds(c) + "; the input shape must be"
              + " [channels, height, width] with 1, 3 or 4 channels, found " + Arrays.toString(dims) + ". Set inputShape, e.g."
              + " [1, 28, 28].");
        }
      }
      case SEQUENCE, TOKENS -> {
        int rank = c.kind() == InputColumn.Kind.SEQUENCE ? 2 : 1;
        if (dims.length != rank) {
          throw new IllegalArgumentException("Column '" + c.name() + "' holds " + holds(c) + "; the input shape must be "
              + shapeForm(c) + ", found " + Arrays.toString(dims) + ".");
        }
      }
      default -> TrainingColumns.checkWidth(c, width, "the input layer");
    }
    if (lengths && c.kind() != InputColumn.Kind.SEQUENCE && c.kind() != InputColumn.Kind.TOKENS) {
      throw new IllegalArgumentException("The network reads a 'lengths' input, which only sequence columns"
          + " (array<array<float>>, array<array<double>>, array<int>, array<long>) give; column '" + c.name() + "' holds "
          + holds(c) + ".");
    }
    float[] mean = channels("channelMean", channelMean, c, dims);
    float[] std = channels("channelStd", channelStd, c, dims);
    if (std != null) {
      for (int i = 0; i < std.length; i++) {
        if (!(std[i] > 0) || !Float.isFinite(std[i])) {
          throw new IllegalArgumentException("Param channelStd " + Arrays.toString(channelStd) + " is invalid: every value"
              + " must be finite and > 0.");
        }
      }
    }
    if (mean != null || std != null) {
      mean = mean != null ? mean : new float[dims[0]];
      if (std == null) {
        std = new float[dims[0]];
        Arrays.fill(std, 1f);
      }
    }
    ImageFields image = c.kind() == InputColumn.Kind.IMAGE ? ImageFields.of((StructType) field(schema, name).dataType()) : null;
    int path = c.kind() == InputColumn.Kind.BINARY ? pathColumn(schema) : -1;
    return new FeatureInput(c, dims, lengths, mean, std, image, path);
  }

  /** The features column. */
  public InputColumn column() {
    return column;
  }

  /** The per-row shape of the network input this column fills (batch excluded). */
  public List<Integer> shape() {
    return Arrays.stream(shape).boxed().toList();
  }

  /** Values per row: the product of {@link #shape()}. */
  public int width() {
    int w = 1;
    for (int d : shape) {
      w *= d;
    }
    return w;
  }

  /** Whether rows are read as sparse rows ({@link #sparse}) rather than dense tensors. */
  public boolean isSparse() {
    return sparse;
  }

  /** The reader of sparse rows of one task ({@link #sparse} inputs only). */
  SparseRowReader sparseReader(boolean validate, int partition) {
    if (!sparse) {
      throw new IllegalStateException("Column '" + column.name() + "' is read as dense rows.");
    }
    return new SparseRowReader(column, width(), validate, partition);
  }

  /** Whether each row also gives its sequence length, as a second input of shape {@code [1]}. */
  public boolean lengths() {
    return lengths;
  }

  /** Whether values are normalised per channel. */
  public boolean normalizes() {
    return mean != null;
  }

  /**
   * Normalises one row of {@link #width()} values in place, as the readers do: {@code (x -
   * mean[c]) / std[c]} over channel blocks of the first axis. Does nothing without normalisation.
   */
  public void normalize(float[] row) {
    if (mean == null) {
      return;
    }
    int per = row.length / mean.length;
    for (int j = 0; j < row.length; j++) {
      int c = j / per;
      row[j] = (row[j] - mean[c]) / std[c];
    }
  }

  /** The reader of one task: the one place that picks a decoder for the column's kind. */
  FeatureReader reader(boolean validate, int partition) {
    return switch (column.kind()) {
      case IMAGE -> new ImageReader(column, image, shape, PixelTable.of(shape[0], mean, std), partition);
      case BINARY -> new EncodedImageReader(column, pathIndex, shape, PixelTable.of(shape[0], mean, std), partition);
      case SEQUENCE, TOKENS -> new SequenceReader(column, shape, validate, partition);
      default -> {
        ColumnReader values = new ColumnReader(column, width(), validate, partition);
        int width = width();
        if (mean == null) {
          yield (row, rowIndex, buf, at) -> {
            values.read(row, rowIndex, buf, at);
            return 0;
          };
        }
        float[] m = mean;
        float[] s = std;
        int per = width / m.length;
        yield (row, rowIndex, buf, at) -> {
          values.read(row, rowIndex, buf, at);
          for (int j = 0; j < width; j++) {
            int c = j / per;
            long o = at + 4L * j;
            buf.setFloat(o, (buf.getFloat(o) - m[c]) / s[c]);
          }
          return 0;
        };
      }
    };
  }

  @Override
  public String toString() {
    return "FeatureInput(" + column.name() + " " + column.kind() + " as " + Arrays.toString(shape) + (sparse ? ", sparse" : "")
        + (lengths ? ", lengths" : "")
        + (mean != null ? ", mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) : "") + ")";
  }

  private static void checkFeatures(InputColumn c) {
    if (c.role() != InputColumn.Role.FEATURES) {
      throw new IllegalArgumentException("Column '" + c.name() + "' was resolved as " + c.role() + "; expected FEATURES.");
    }
  }

  private static int[] dims(List<Integer> shape) {
    if (shape == null || shape.isEmpty() || shape.stream().anyMatch(d -> d == null || d < 1)) {
      throw new IllegalArgumentException("The input shape " + shape + " is invalid: it needs at least one dimension, each >= 1.");
    }
    long size = 1;
    for (int d : shape) {
      size = Math.min(size * d, Long.MAX_VALUE / Integer.MAX_VALUE);
    }
    if (size > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("The input shape " + shape + " holds more than " + Integer.MAX_VALUE / 4
          + " values a row; one row must fit in 2 GiB of float32.");
    }
    return shape.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The per-channel values of {@code param}, checked against the column and shape; null when none are given. */
  private static float[] channels(String param, double[] values, InputColumn c, int[] dims) {
    if (values == null || values.length == 0) {
      return null;
    }
    if (c.kind() == InputColumn.Kind.SEQUENCE || c.kind() == InputColumn.Kind.TOKENS) {
      throw new IllegalArgumentException("Params channelMean and channelStd apply to images and vectors; column '" + c.name()
          + "' holds " + holds(c) + ".");
    }
    if (dims.length < 2) {
      throw new IllegalArgumentException("Param " + param + " needs an input shape with the channels first ([channels, ...]);"
          + " the input shape is " + Arrays.toString(dims) + ". Set inputShape, e.g. [1, 28, 28].");
    }
    if (values.length != dims[0]) {
      throw new IllegalArgumentException("Param " + param + " has " + values.length + (values.length == 1 ? " value" : " values")
          + "; the input shape " + Arrays.toString(dims) + " has " + dims[0] + (dims[0] == 1 ? " channel." : " channels."));
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
      if (!Float.isFinite(f[i])) {
        throw new IllegalArgumentException("Param " + param + " " + Arrays.toString(values) + " is invalid: every value must be"
            + " finite.");
      }
    }
    return f;
  }

  /** Position of the string {@code path} column that {@code binaryFile} adds, or -1. */
  private static int pathColumn(StructType schema) {
    for (int i = 0; i < schema.fields().length; i++) {
      StructField f = schema.fields()[i];
      if (f.name().equals("path") && f.dataType().equals(DataTypes.StringType)) {
        return i;
      }
    }
    return -1;
  }

  private static StructField field(StructType schema, String name) {
    return schema.fields()[schema.fieldIndex(name)];
  }

  /** What the column holds, in words. */
  static String holds(InputColumn c) {
    return switch (c.kind()) {
      case IMAGE -> "images (Spark's image source)";
      case BINARY -> "encoded images (binary)";
      case SEQUENCE -> "sequences (array<array<float>> or array<array<double>>)";
      case TOKENS -> "token ids (array<int> or array<long>)";
      case VECTOR -> "vectors";
      case NUMBER -> "numbers";
      default -> "arrays of numbers";
    };
  }

  private static String shapeForm(InputColumn c) {
    return switch (c.kind()) {
      case IMAGE, BINARY -> "[channels, height, width]";
      case SEQUENCE -> "[steps, values per step]";
      default -> "[steps]";
    };
  }
}
