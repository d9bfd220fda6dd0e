package org.sparkdl.onnx;

import java.util.Arrays;

/** Shape arithmetic of ONNX operators (full shapes, batch included where a caller has one). */
final class Shapes {
  private Shapes() {}

  /** {@code axis} (negative counting from the end) as an index in {@code [0, rank)}. */
  static int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new Unsupported("axis " + axis + " is outside a rank-" + rank + " tensor");
    }
    return (int) a;
  }

  static long[] strides(long[] dims) {
    long[] s = new long[dims.length];
    long at = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = at;
      at *= dims[i];
    }
    return s;
  }

  /** ONNX Reshape's target: 0 copies the input's dim (unless {@code allowZero}), one -1 is inferred. */
  static long[] reshape(long[] in, long[] target, boolean allowZero) {
    long total = Const.count(in, Long.MAX_VALUE);
    long[] out = target.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0 && !allowZero) {
        if (i >= in.length) {
          throw new Unsupported("shape " + Arrays.toString(target) + " copies dim " + i + " of a rank-" + in.length + " input");
        }
        out[i] = in[i];
      }
      if (out[i] == -1) {
        if (infer >= 0) {
          throw new Unsupported("shape " + Arrays.toString(target) + " has two -1 entries");
        }
        infer = i;
      } else if (out[i] < 0) {
        throw new Unsupported("shape " + Arrays.toString(target) + " has a negative size");
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || total % known != 0) {
        throw new Unsupported("shape " + Arrays.toString(target) + " does not fit " + Arrays.toString(in));
      }
      out[infer] = total / known;
    } else if (known != total) {
      throw new Unsupported("shape " + Arrays.toString(target) + " does not fit " + Arrays.toString(in));
    }
    return out;
  }

  static long[] squeeze(long[] in, long[] axes) {
    boolean[] drop = new boolean[in.length];
    if (axes.length == 0) {
      for (int i = 0; i < in.length; i++) {
        drop[i] = in[i] == 1;
      }
    }
    for (long a : axes) {
      int i = axis(a, in.length);
      if (in[i] != 1) {
        throw new Unsupported("squeezes axis " + a + " of size " + in[i]);
      }
      drop[i] = true;
    }
    return java.util.stream.IntStream.range(0, in.length).filter(i -> !drop[i]).mapToLong(i -> in[i]).toArray();
  }

  static long[] unsqueeze(long[] in, long[] axes) {
    int rank = in.length + axes.length;
    boolean[] added = new boolean[rank];
    for (long a : axes) {
      int i = axis(a, rank);
      if (added[i]) {
        throw new Unsupported("axes " + Arrays.toString(axes) + " repeat an axis");
      }
      added[i] = true;
    }
    long[] out = new long[rank];
    int j = 0;
    for (int i = 0; i < rank; i++) {
      out[i] = added[i] ? 1 : in[j++];
    }
    return out;
  }

  static long[] broadcast(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long x = i < r - a.length ? 1 : a[i - (r - a.length)];
      long y = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (x != y && x != 1 && y != 1) {
        throw new Unsupported("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  /** For each element of {@code out}, the flat index of the element of {@code in} broadcast to it. */
  static int[] broadcastIndex(long[] in, long[] out) {
    int n = (int) Const.count(out, Integer.MAX_VALUE);
    int r = out.length;
    long[] inStrides = new long[r];
    long[] s = strides(in);
    for (int i = 0; i < in.length; i++) {
      inStrides[r - in.length + i] = in[i] == 1 ? 0 : s[i];
    }
    int[] idx = new int[r];
    int[] result = new int[n];
    for (int o = 0; o < n; o++) {
      long at = 0;
      for (int i = 0; i < r; i++) {
        at += idx[i] * inStrides[i];
      }
      result[o] = (int) at;
      for (int i = r - 1; i >= 0; i--) {
        if (++idx[i] < out[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return result;
  }
}
