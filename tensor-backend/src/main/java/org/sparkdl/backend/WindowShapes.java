package org.sparkdl.backend;

import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * The shape rules of the windowed kernels (im2col, col2im, pooling), checked by {@link Backend}
 * before it calls a backend's primitive, so that every backend rejects the same calls with the
 * same words.
 */
final class WindowShapes {
  private WindowShapes() {}

  /** The output shape {@code [N, C, OH, OW]} of a window over {@code x [N, C, H, W]}; throws when it does not fit. */
  static Shape output(String op, Shape x, Window2d w) {
    if (x.rank() != 4) {
      throw new IllegalArgumentException(op + " needs an input [batch, channels, height, width]; found " + x + ".");
    }
    int oh = w.outputHeight(x.dim(2));
    int ow = w.outputWidth(x.dim(3));
    if (oh < 1 || ow < 1) {
      throw new IllegalArgumentException(op + ": the window (" + w + ") spans " + w.spanH() + "x" + w.spanW()
          + ", more than the padded input " + (x.dim(2) + w.padTop() + w.padBottom()) + "x"
          + (x.dim(3) + w.padLeft() + w.padRight()) + " of " + x + ".");
    }
    return Shape.of(x.dim(0), x.dim(1), oh, ow);
  }

  /** The column matrix shape {@code [C * kh * kw, N * OH * OW]} of im2col over {@code x}. */
  static Shape columns(String op, Shape x, Window2d w) {
    Shape out = output(op, x, w);
    long rows = (long) x.dim(1) * w.kernelSize();
    long cols = (long) x.dim(0) * out.dim(2) * out.dim(3);
    if (rows * cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": the column matrix [" + rows + ", " + cols + "] of " + x + " ("
          + w + ") has more than " + Integer.MAX_VALUE + " elements; use smaller batches.");
    }
    return Shape.of((int) rows, (int) cols);
  }

  /** Pooling windows are dense and every window must overlap the input, so padding stays below the kernel. */
  static void checkPool(String op, Window2d w) {
    if (w.dilationH() != 1 || w.dilationW() != 1) {
      throw new IllegalArgumentException(op + ": pooling windows are not dilated; found " + w + ".");
    }
    if (w.padTop() >= w.kernelH() || w.padBottom() >= w.kernelH() || w.padLeft() >= w.kernelW()
        || w.padRight() >= w.kernelW()) {
      throw new IllegalArgumentException(op + ": padding must be smaller than the kernel on every side, so that"
          + " every window overlaps the input; found " + w + ".");
    }
  }

  static void expect(String op, String what, Shape expected, Tensor found) {
    if (!expected.equals(found.shape())) {
      throw new IllegalArgumentException(op + ": " + what + " must have shape " + expected + "; found " + found.shape()
          + ".");
    }
  }

  static void requireContiguous(String op, String what, Tensor t) {
    if (!t.isContiguous()) {
      throw new IllegalArgumentException(op + ": " + what + " must be contiguous; found a strided " + t.shape() + " view.");
    }
  }
}
