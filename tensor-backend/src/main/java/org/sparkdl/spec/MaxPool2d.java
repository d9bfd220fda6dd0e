package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * 2-D max pooling over {@code [channels, height, width]} inputs: the largest value of each window,
 * channel by channel; padding never wins.
 *
 * <p>Shapes: input {@code [C, H, W]} gives {@code [C, OH, OW]} with {@code OH = floor((H + 2
 * padding - kernel) / stride) + 1} along the height and likewise along the width; {@code "same"}
 * padding gives {@code ceil(H / stride)}. Explicit padding may be at most half the kernel, so every
 * window overlaps the input. No parameters.
 *
 * <p>JSON: {@code kernel} and {@code stride} are an integer or a pair {@code [height, width]};
 * {@code stride} defaults to the kernel; {@code padding} an integer, a pair, {@code "same"} or
 * {@code "valid"} (the default).
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param kernel window size {@code [height, width]}, each &gt;= 1
 * @param stride step {@code [height, width]}, each &gt;= 1
 * @param padding implicit padding, at most half the kernel on each axis
 */
public record MaxPool2d(String name, List<String> inputs, List<Integer> kernel, List<Integer> stride, Padding padding)
    implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "max_pool2d";

  /** Validates the fields and fixes per-axis lists to two entries. */
  public MaxPool2d {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    kernel = WindowRules.perAxis(name, "kernel", kernel, 2, 1);
    stride = WindowRules.perAxis(name, "stride", stride, 2, 1);
    padding = WindowRules.poolPadding(name, padding, kernel);
  }

  /** Non-overlapping square windows: stride equal to the kernel, no padding. */
  public MaxPool2d(String name, String input, int kernel) {
    this(name, Collections.singletonList(input), List.of(kernel), List.of(kernel), Padding.VALID);
  }

  /** This layer with another stride (one value, or height and width). */
  public MaxPool2d withStride(Integer... stride) {
    return new MaxPool2d(name, inputs, kernel, List.of(stride), padding);
  }

  /** This layer with another padding. */
  public MaxPool2d withPadding(Padding padding) {
    return new MaxPool2d(name, inputs, kernel, stride, padding);
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
