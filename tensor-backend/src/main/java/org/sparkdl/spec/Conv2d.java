package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * A 2-D convolution over {@code [channels, height, width]} inputs (cross-correlation, as in every
 * deep-learning library), {@code filters} output channels.
 *
 * <p>Shapes: input {@code [C, H, W]} gives {@code [filters, OH, OW]} with {@code OH = floor((H +
 * padTop + padBottom - dilation (kernel - 1) - 1) / stride) + 1} along the height and likewise along
 * the width; {@code "same"} padding gives {@code ceil(H / stride)}. {@code C} and {@code filters}
 * must both be divisible by {@code groups}. Parameters: weight {@code [filters, C / groups,
 * kernelH, kernelW]} and, when {@link #bias()}, bias {@code [filters]} (zeros). Initializers as for
 * {@link Dense}, with {@code fan_in = C / groups * kernelH * kernelW}.
 *
 * <p>JSON: {@code kernel}, {@code stride} and {@code dilation} are an integer or a pair {@code
 * [height, width]}; {@code padding} an integer, a pair, {@code "same"} or {@code "valid"}. The
 * canonical form writes pairs.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param filters output channels, &gt; 0
 * @param kernel window size {@code [height, width]}, each &gt;= 1
 * @param stride step {@code [height, width]}, each &gt;= 1 (default 1)
 * @param padding zero padding (default {@code valid})
 * @param dilation spacing of the kernel taps {@code [height, width]}, each &gt;= 1 (default 1)
 * @param groups channel groups, dividing input channels and filters (default 1)
 * @param bias whether to add a learned bias (default true)
 * @param init weight initializer, one of {@link Dense#INITS} (default {@value #DEFAULT_INIT})
 */
public record Conv2d(String name, List<String> inputs, int filters, List<Integer> kernel, List<Integer> stride,
    Padding padding, List<Integer> dilation, int groups, boolean bias, String init) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "conv2d";
  /** Initializer used when none is given: Kaiming/He uniform, suited to ReLU networks. */
  public static final String DEFAULT_INIT = "he_uniform";

  /** Validates the fields, fixes per-axis lists to two entries and makes them immutable. */
  public Conv2d {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    WindowRules.checkGroups(name, filters, groups);
    kernel = WindowRules.perAxis(name, "kernel", kernel, 2, 1);
    stride = WindowRules.perAxis(name, "stride", stride, 2, 1);
    dilation = WindowRules.perAxis(name, "dilation", dilation, 2, 1);
    padding = WindowRules.padding(name, padding, 2);
    WindowRules.checkInit(name, init);
  }

  /** A square {@code kernel} convolution with stride 1, no padding, no dilation, one group, bias and he_uniform. */
  public Conv2d(String name, String input, int filters, int kernel) {
    this(name, Collections.singletonList(input), filters, List.of(kernel), List.of(1), Padding.VALID, List.of(1), 1,
        true, DEFAULT_INIT);
  }

  /** This layer with another stride (one value, or height and width). */
  public Conv2d withStride(Integer... stride) {
    return new Conv2d(name, inputs, filters, kernel, List.of(stride), padding, dilation, groups, bias, init);
  }

  /** This layer with another padding. */
  public Conv2d withPadding(Padding padding) {
    return new Conv2d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another dilation (one value, or height and width). */
  public Conv2d withDilation(Integer... dilation) {
    return new Conv2d(name, inputs, filters, kernel, stride, padding, List.of(dilation), groups, bias, init);
  }

  /** This layer with another number of groups. */
  public Conv2d withGroups(int groups) {
    return new Conv2d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with or without bias. */
  public Conv2d withBias(boolean bias) {
    return new Conv2d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another weight initializer. */
  public Conv2d withInit(String init) {
    return new Conv2d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * {@code [C, H, W] -> [filters, OH, OW]}; rejects channels not divisible by groups and kernels
   * larger than the padded input.
   */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    List<Integer> sizes = WindowRules.outputSizes(name, TYPE, in, kernel, stride, dilation, padding);
    WindowRules.checkInputGroups(name, in, groups);
    if (SpecChecks.elementCount(List.of(filters, in.get(0) / groups, kernel.get(0), kernel.get(1))) > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "weight [" + filters + ", " + in.get(0) / groups + ", " + kernel.get(0) + ", "
          + kernel.get(1) + "] has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    return WindowRules.shape(name, filters, sizes);
  }
}
