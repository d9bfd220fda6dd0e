package org.sparkdl.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;

/**
 * Evaluates nodes whose inputs are all constants (weights transposed, reshaped or scaled by the
 * exporter, shape arithmetic), so that what they compute becomes one more constant. Only the
 * operators exporters use for such subgraphs are evaluated; results are bounded like initializers.
 */
final class ConstFolder {
  /** The operators this folds. */
  static final Set<String> OPS = Set.of("Identity", "Cast", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat",
      "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Reciprocal", "Flatten", "Gather", "Dropout", "ConstantOfShape", "Slice");
  /**
   * Most elements a {@code ConstantOfShape} may make: its size comes from values, not from data in
   * the file, and exporters use it for small shape arithmetic (PyTorch's {@code F.pad} writes its
   * pads with it).
   */
  static final long MAX_FILLED = 1L << 16;

  private ConstFolder() {}

  /** The value of {@code n} (its first output) from constant {@code in}; throws {@link Unsupported} with the reason. */
  static Const eval(NodeProto n, List<Const> in) {
    String op = n.getOpType();
    Const x = in.get(0);
    return switch (op) {
      case "Identity", "Dropout" -> x;
      case "Cast" -> {
        long to = Attrs.integer(n, "to", TensorProto.DataType.FLOAT_VALUE);
        boolean toFloat = to == TensorProto.DataType.FLOAT_VALUE || to == TensorProto.DataType.DOUBLE_VALUE;
        yield toFloat ? Const.ofFloats(x.dims(), x.asFloats()) : Const.ofLongs(x.dims(), x.asLongs());
      }
      case "Neg" -> map(x, v -> -v);
      case "Sqrt" -> map(x, v -> (float) Math.sqrt(v));
      case "Reciprocal" -> map(x, v -> 1 / v);
      case "Reshape" -> x.reshaped(Shapes.reshape(x.dims(), in.get(1).asLongs(), Attrs.integer(n, "allowzero", 0) != 0));
      case "Flatten" -> {
        int axis = Shapes.axis(Attrs.integer(n, "axis", 1), x.rank() + 1);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
          outer *= x.dims()[i];
        }
        yield x.reshaped(new long[] {outer, x.size() / Math.max(outer, 1)});
      }
      case "Squeeze", "Unsqueeze" -> {
        long[] axes = in.size() > 1 ? in.get(1).asLongs() : Attrs.ints(n, "axes");
        yield x.reshaped(op.equals("Squeeze") ? Shapes.squeeze(x.dims(), axes) : Shapes.unsqueeze(x.dims(), axes));
      }
      case "Transpose" -> transpose(x, Attrs.ints(n, "perm"));
      case "Concat" -> concat(in, Attrs.integer(n, "axis", 0));
      case "Gather" -> gather(x, in.get(1), Attrs.integer(n, "axis", 0));
      case "Add", "Sub", "Mul", "Div" -> binary(op, x, in.get(1));
      case "ConstantOfShape" -> filled(n, x.asLongs());
      case "Slice" -> in.size() > 1 ? slice(x, in.get(1).asLongs(), in.get(2).asLongs(),
          in.size() > 3 ? in.get(3).asLongs() : null, in.size() > 4 ? in.get(4).asLongs() : null)
          : slice(x, Attrs.ints(n, "starts"), Attrs.ints(n, "ends"), Attrs.ints(n, "axes"), null);
      default -> throw new Unsupported("its inputs are constants, but " + op + " is not evaluated on constants");
    };
  }

  /** {@code ConstantOfShape}: {@code dims} filled with the node's one-element {@code value} (float 0 without it). */
  private static Const filled(NodeProto n, long[] dims) {
    long count = Const.count(dims, MAX_FILLED);
    if (count < 0) {
      throw new Unsupported("shape " + OnnxTensors.clip(Arrays.toString(dims)) + " is negative or has more than "
          + MAX_FILLED + " elements");
    }
    Const value = fill(n);
    if (value.isFloat()) {
      float[] v = new float[(int) count];
      Arrays.fill(v, value.floats()[0]);
      return Const.ofFloats(dims, v);
    }
    long[] v = new long[(int) count];
    Arrays.fill(v, value.longs()[0]);
    return Const.ofLongs(dims, v);
  }

  /** A {@code ConstantOfShape}'s one-element {@code value}: float 0 without it. */
  private static Const fill(NodeProto n) {
    var a = Attrs.find(n, "value");
    Const value;
    try {
      value = a == null ? Const.ofFloats(new long[0], new float[] {0}) : OnnxTensors.decode("value", a.getT(),
          OnnxTensors.ExternalData.NONE);
    } catch (java.io.IOException e) {
      throw new Unsupported("its value cannot be read: " + e.getMessage());
    }
    if (value.size() != 1) {
      throw new Unsupported("its value has " + value.size() + " elements, not one");
    }
    return value;
  }

  /** {@link #fill} as a float. */
  static float fillValue(NodeProto n) {
    return fill(n).asFloats()[0];
  }

  /**
   * {@code Slice} as ONNX defines it: per listed axis (all of the first ones without {@code axes}),
   * {@code starts} and {@code ends} counted from the end when negative and clamped to the axis,
   * taken every {@code steps} (1 without them; negative steps walk backwards).
   */
  static Const slice(Const x, long[] starts, long[] ends, long[] axes, long[] steps) {
    int r = x.rank();
    if (starts.length != ends.length || axes != null && axes.length != starts.length
        || steps != null && steps.length != starts.length) {
      throw new Unsupported("starts, ends, axes and steps of different lengths");
    }
    long[] from = new long[r];
    long[] step = new long[r];
    long[] dims = x.dims().clone();
    Arrays.fill(step, 1);
    boolean[] seen = new boolean[r];
    for (int i = 0; i < starts.length; i++) {
      int a = Shapes.axis(axes == null ? i : axes[i], r);
      if (seen[a]) {
        throw new Unsupported("axis " + a + " listed twice");
      }
      seen[a] = true;
      long dim = x.dims()[a];
      long s = steps == null ? 1 : steps[i];
      if (s == 0) {
        throw new Unsupported("a step of 0");
      }
      long start = starts[i] < 0 ? starts[i] + dim : starts[i];
      long end = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (dim == 0) {
        start = 0;
        dims[a] = 0;
      } else if (s > 0) {
        start = Math.max(0, Math.min(dim, start));
        end = Math.max(0, Math.min(dim, end));
        dims[a] = end > start ? (end - start - 1) / s + 1 : 0;   // no overflow: end - start <= dim
      } else {
        start = Math.max(0, Math.min(dim - 1, start));
        end = Math.max(-1, Math.min(dim - 1, end));
        dims[a] = start > end ? (start - end - 1) / -Math.max(s, -Long.MAX_VALUE) + 1 : 0;
      }
      from[a] = start;
      step[a] = s;
    }
    long[] inStrides = Shapes.strides(x.dims());
    long base = 0;
    long[] strides = new long[r];
    for (int i = 0; i < r; i++) {
      base += from[i] * inStrides[i];
      strides[i] = step[i] * inStrides[i];
    }
    return view(x, dims, base, strides);
  }

  /**
   * The values of {@code x} at {@code base + sum(index[i] strides[i])} for every index of {@code
   * dims}, row-major: a transpose or a slice, each output element read from where it lies in {@code x}.
   */
  private static Const view(Const x, long[] dims, long base, long[] strides) {
    int r = dims.length;
    int n = (int) Const.count(dims, Integer.MAX_VALUE);
    int[] src = new int[n];
    int[] idx = new int[r];
    for (int o = 0; o < n; o++) {
      long at = base;
      for (int i = 0; i < r; i++) {
        at += idx[i] * strides[i];
      }
      src[o] = (int) at;
      for (int i = r - 1; i >= 0; i--) {
        if (++idx[i] < dims[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    if (x.isFloat()) {
      float[] v = new float[n];
      for (int o = 0; o < n; o++) {
        v[o] = x.floats()[src[o]];
      }
      return Const.ofFloats(dims, v);
    }
    long[] v = new long[n];
    for (int o = 0; o < n; o++) {
      v[o] = x.longs()[src[o]];
    }
    return Const.ofLongs(dims, v);
  }

  private static Const map(Const x, FloatOp f) {
    float[] v = x.asFloats().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = f.apply(v[i]);
    }
    return Const.ofFloats(x.dims(), v);
  }

  private interface FloatOp {
    float apply(float v);
  }

  static Const transpose(Const x, long[] perm) {
    int r = x.rank();
    if (perm.length == 0) {
      perm = new long[r];
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    if (perm.length != r) {
      throw new Unsupported("perm " + Arrays.toString(perm) + " does not fit rank " + r);
    }
    long[] dims = new long[r];
    long[] inStrides = Shapes.strides(x.dims());
    long[] strides = new long[r];
    for (int i = 0; i < r; i++) {
      dims[i] = x.dims()[(int) perm[i]];
      strides[i] = inStrides[(int) perm[i]];
    }
    return view(x, dims, 0, strides);
  }

  private static Const concat(List<Const> in, long axisAttr) {
    Const first = in.get(0);
    int axis = Shapes.axis(axisAttr, first.rank());
    long[] dims = first.dims().clone();
    dims[axis] = 0;
    boolean floats = in.stream().anyMatch(Const::isFloat);
    for (Const c : in) {
      if (c.rank() != first.rank()) {
        throw new Unsupported("inputs of ranks " + first.rank() + " and " + c.rank());
      }
      dims[axis] += c.dims()[axis];
    }
    long outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= dims[i];
    }
    List<Float> f = new ArrayList<>();
    List<Long> l = new ArrayList<>();
    for (long o = 0; o < outer; o++) {
      for (Const c : in) {
        int block = (int) (c.size() / Math.max(outer, 1));
        for (int i = 0; i < block; i++) {
          int at = (int) (o * block + i);
          if (floats) {
            f.add(c.asFloats()[at]);
          } else {
            l.add(c.longs()[at]);
          }
        }
      }
    }
    if (floats) {
      float[] v = new float[f.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = f.get(i);
      }
      return Const.ofFloats(dims, v);
    }
    return Const.ofLongs(dims, l.stream().mapToLong(Long::longValue).toArray());
  }

  private static Const gather(Const data, Const indices, long axisAttr) {
    int axis = Shapes.axis(axisAttr, data.rank());
    long[] idx = indices.asLongs();
    long size = data.dims()[axis];
    long outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= data.dims()[i];
    }
    long inner = data.size() / Math.max(1, outer * size);
    long[] dims = new long[data.rank() - 1 + indices.rank()];
    int d = 0;
    for (int i = 0; i < axis; i++) {
      dims[d++] = data.dims()[i];
    }
    for (long k : indices.dims()) {
      dims[d++] = k;
    }
    for (int i = axis + 1; i < data.rank(); i++) {
      dims[d++] = data.dims()[i];
    }
    int n = (int) (outer * idx.length * inner);
    float[] f = data.isFloat() ? new float[n] : null;
    long[] l = data.isFloat() ? null : new long[n];
    int at = 0;
    for (long o = 0; o < outer; o++) {
      for (long k : idx) {
        long j = k < 0 ? k + size : k;
        if (j < 0 || j >= size) {
          throw new Unsupported("index " + k + " is outside [" + -size + ", " + size + ")");
        }
        for (long i = 0; i < inner; i++, at++) {
          int src = (int) ((o * size + j) * inner + i);
          if (f != null) {
            f[at] = data.floats()[src];
          } else {
            l[at] = data.longs()[src];
          }
        }
      }
    }
    return new Const(dims, f, l);
  }

  /** Numpy-style broadcasting of two constants. */
  static Const binary(String op, Const a, Const b) {
    long[] dims = Shapes.broadcast(a.dims(), b.dims());
    long n = Const.count(dims, OnnxTensors.MAX_ELEMENTS);
    if (n < 0) {
      throw new Unsupported("the broadcast result " + Arrays.toString(dims) + " is too large");
    }
    int[] ia = Shapes.broadcastIndex(a.dims(), dims);
    int[] ib = Shapes.broadcastIndex(b.dims(), dims);
    if (a.isFloat() || b.isFloat()) {
      float[] x = a.asFloats();
      float[] y = b.asFloats();
      float[] v = new float[(int) n];
      for (int i = 0; i < n; i++) {
        v[i] = switch (op) {
          case "Add" -> x[ia[i]] + y[ib[i]];
          case "Sub" -> x[ia[i]] - y[ib[i]];
          case "Mul" -> x[ia[i]] * y[ib[i]];
          default -> x[ia[i]] / y[ib[i]];
        };
      }
      return Const.ofFloats(dims, v);
    }
    long[] v = new long[(int) n];
    for (int i = 0; i < n; i++) {
      long x = a.longs()[ia[i]];
      long y = b.longs()[ib[i]];
      if (op.equals("Div") && y == 0) {
        throw new Unsupported("it divides an integer by zero");
      }
      v[i] = switch (op) {
        case "Add" -> x + y;
        case "Sub" -> x - y;
        case "Mul" -> x * y;
        default -> x / y;
      };
    }
    return Const.ofLongs(dims, v);
  }
}
