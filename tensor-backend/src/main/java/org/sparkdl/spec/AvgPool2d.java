package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * 2-D average pooling over {@code [channels, height, width]} inputs: the mean of each window,
 * channel by channel. With {@code count_include_pad} (the default, as PyTorch) the sum is divided by
 * the whole window size, padding counting as zeros; without, by the number of input positions the
 * window covers (as TensorFlow and ONNX's default).
 *
 * <p>Shapes and JSON fields as {@link MaxPool2d}, plus the boolean {@code count_include_pad}. No
 * parameters.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param kernel window size {@code [height, width]}, each &gt;= 1
 * @param stride step {@code [height, width]}, each &gt;= 1
 * @param padding zero padding, at most half the kernel on each axis
 * @param countIncludePad whether padding counts in each window's divisor
 */
public record AvgPool2d(String name, List<String> inputs, List<Integer> kernel, List<Integer> stride, Padding padding,
    boolean countIncludePad) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "avg_pool2d";

  /** Validates the fields and fixes per-axis lists to two entries. */
  public AvgPool2d {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    kernel = WindowRules.perAxis(name, "kernel", kernel, 2, 1);
    stride = WindowRules.perAxis(name, "stride", stride, 2, 1);
    padding = WindowRules.poolPadding(name, padding, kernel);
  }

  /** Non-overlapping square windows: stride equal to the kernel, no padding. */
  public AvgPool2d(String name, String input, int kernel) {
    this(name, Collections.singletonList(input), List.of(kernel), List.of(kernel), Padding.VALID, true);
  }

  /** This layer with another stride (one value, or height and width). */
  public AvgPool2d withStride(Integer... stride) {
    return new AvgPool2d(name, inputs, kernel, List.of(stride), padding, countIncludePad);
  }

  /** This layer with another padding. */
  public AvgPool2d withPadding(Padding padding) {
    return new AvgPool2d(name, inputs, kernel, stride, padding, countIncludePad);
  }

  /** This layer with padding counted in the divisor, or not. */
  public AvgPool2d withCountIncludePad(boolean countIncludePad) {
    return new AvgPool2d(name, inputs, kernel, stride, padding, countIncludePad);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code [C, H, W] -> [C, OH, OW]}. */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    return WindowRules.shape(name, in.get(0),
        WindowRules.outputSizes(name, TYPE, in, kernel, stride, List.of(1, 1), padding));
  }
}
