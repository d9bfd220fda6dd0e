package org.sparkdl.backend;

/**
 * A sliding window over the last two axes (height, width) of an NCHW tensor, as convolution and
 * pooling use it: kernel size, stride, dilation, and zero padding on each of the four sides. A
 * 1-D window over an NCW tensor is the same thing with height 1.
 *
 * <p>Output position {@code (oh, ow)} reads input rows {@code oh * strideH - padTop + i * dilationH}
 * for {@code i < kernelH}, and columns likewise; positions outside the input lie in the padding.
 * Padding may differ between the two sides of an axis ({@code "same"} padding puts the odd element
 * at the end, as TensorFlow and ONNX's {@code SAME_UPPER} do).
 *
 * @param kernelH window height, &gt;= 1
 * @param kernelW window width, &gt;= 1
 * @param strideH step between output rows, &gt;= 1
 * @param strideW step between output columns, &gt;= 1
 * @param dilationH spacing of kernel rows, &gt;= 1 (1 is a dense window)
 * @param dilationW spacing of kernel columns, &gt;= 1
 * @param padTop zero rows before the input, &gt;= 0
 * @param padBottom zero rows after the input, &gt;= 0
 * @param padLeft zero columns before the input, &gt;= 0
 * @param padRight zero columns after the input, &gt;= 0
 */
public record Window2d(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
    int padTop, int padBottom, int padLeft, int padRight) {

  /** Validates the sizes. */
  public Window2d {
    if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
      throw new IllegalArgumentException("Window " + describe(kernelH, kernelW, strideH, strideW, dilationH, dilationW,
          padTop, padBottom, padLeft, padRight) + ": kernel, stride and dilation must be >= 1.");
    }
    if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
      throw new IllegalArgumentException("Window " + describe(kernelH, kernelW, strideH, strideW, dilationH, dilationW,
          padTop, padBottom, padLeft, padRight) + ": padding must be >= 0.");
    }
  }

  /** A square window with equal stride and padding on every side, no dilation. */
  public static Window2d square(int kernel, int stride, int padding) {
    return new Window2d(kernel, kernel, stride, stride, 1, 1, padding, padding, padding, padding);
  }

  /** Height of the kernel's footprint, {@code (kernelH - 1) * dilationH + 1}. */
  public int spanH() {
    return (kernelH - 1) * dilationH + 1;
  }

  /** Width of the kernel's footprint, {@code (kernelW - 1) * dilationW + 1}. */
  public int spanW() {
    return (kernelW - 1) * dilationW + 1;
  }

  /** Output rows for an input of {@code height} rows; 0 or less when the window does not fit. */
  public int outputHeight(int height) {
    return Math.floorDiv(height + padTop + padBottom - spanH(), strideH) + 1;
  }

  /** Output columns for an input of {@code width} columns; 0 or less when the window does not fit. */
  public int outputWidth(int width) {
    return Math.floorDiv(width + padLeft + padRight - spanW(), strideW) + 1;
  }

  /** Kernel elements, {@code kernelH * kernelW}. */
  public int kernelSize() {
    return kernelH * kernelW;
  }

  @Override
  public String toString() {
    return describe(kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padBottom, padLeft, padRight);
  }

  private static String describe(int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pb, int pl, int pr) {
    return "kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", dilation " + dh + "x" + dw
        + ", padding (top " + pt + ", bottom " + pb + ", left " + pl + ", right " + pr + ")";
  }
}
