package org.sparkdl.spec;

import java.util.Collections;
import java.util.List;

/**
 * A 1-D convolution over {@code [channels, length]} inputs (cross-correlation), {@code filters}
 * output channels.
 *
 * <p>Shapes: input {@code [C, L]} gives {@code [filters, OL]} with {@code OL = floor((L + 2 padding -
 * dilation (kernel - 1) - 1) / stride) + 1}; {@code "same"} padding gives {@code ceil(L / stride)}.
 * {@code C} and {@code filters} must both be divisible by {@code groups}. Parameters: weight {@code
 * [filters, C / groups, kernel]} and, when {@link #bias()}, bias {@code [filters]} (zeros).
 * Initializers as for {@link Dense}, with {@code fan_in = C / groups * kernel}.
 *
 * <p>JSON: {@code padding} is an integer, {@code "same"} or {@code "valid"}; the canonical form
 * writes an integer or {@code "same"}.
 *
 * @param name unique layer name
 * @param inputs exactly one node name
 * @param filters output channels, &gt; 0
 * @param kernel window length, &gt;= 1
 * @param stride step, &gt;= 1 (default 1)
 * @param padding zero padding on both ends (default {@code valid})
 * @param dilation spacing of the kernel taps, &gt;= 1 (default 1)
 * @param groups channel groups, dividing input channels and filters (default 1)
 * @param bias whether to add a learned bias (default true)
 * @param init weight initializer, one of {@link Dense#INITS} (default {@value Conv2d#DEFAULT_INIT})
 */
public record Conv1d(String name, List<String> inputs, int filters, int kernel, int stride, Padding padding,
    int dilation, int groups, boolean bias, String init) implements LayerSpec {
  /** JSON type tag. */
  public static final String TYPE = "conv1d";

  /** Validates the fields. */
  public Conv1d {
    SpecChecks.checkName("Layer", name);
    inputs = SpecChecks.checkInputs(name, TYPE, inputs, 1, 1);
    WindowRules.checkGroups(name, filters, groups);
    WindowRules.perAxis(name, "kernel", List.of(kernel), 1, 1);
    WindowRules.perAxis(name, "stride", List.of(stride), 1, 1);
    WindowRules.perAxis(name, "dilation", List.of(dilation), 1, 1);
    padding = WindowRules.padding(name, padding, 1);
    WindowRules.checkInit(name, init);
  }

  /** A convolution with stride 1, no padding, no dilation, one group, bias and he_uniform. */
  public Conv1d(String name, String input, int filters, int kernel) {
    this(name, Collections.singletonList(input), filters, kernel, 1, Padding.VALID, 1, 1, true, Conv2d.DEFAULT_INIT);
  }

  /** This layer with another stride. */
  public Conv1d withStride(int stride) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another padding. */
  public Conv1d withPadding(Padding padding) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another dilation. */
  public Conv1d withDilation(int dilation) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another number of groups. */
  public Conv1d withGroups(int groups) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with or without bias. */
  public Conv1d withBias(boolean bias) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  /** This layer with another weight initializer. */
  public Conv1d withInit(String init) {
    return new Conv1d(name, inputs, filters, kernel, stride, padding, dilation, groups, bias, init);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * {@code [C, L] -> [filters, OL]}; rejects channels not divisible by groups and kernels longer
   * than the padded input.
   */
  @Override
  public List<Integer> outputShape(List<List<Integer>> inputShapes) {
    SpecChecks.checkShapeCount(this, inputShapes);
    List<Integer> in = inputShapes.get(0);
    List<Integer> sizes = WindowRules.outputSizes(name, TYPE, in, List.of(kernel), List.of(stride), List.of(dilation),
        padding);
    WindowRules.checkInputGroups(name, in, groups);
    if (SpecChecks.elementCount(List.of(filters, in.get(0) / groups, kernel)) > SpecChecks.MAX_ELEMENTS) {
      throw SpecChecks.layerError(name, "weight [" + filters + ", " + in.get(0) / groups + ", " + kernel
          + "] has more than " + SpecChecks.MAX_ELEMENTS + " elements.");
    }
    return WindowRules.shape(name, filters, sizes);
  }
}
