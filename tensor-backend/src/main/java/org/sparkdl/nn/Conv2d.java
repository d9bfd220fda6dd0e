package org.sparkdl.nn;

import java.util.Arrays;
import java.util.List;
import org.sparkdl.autograd.ConvOps;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Window2d;
import org.sparkdl.tensor.Init;

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) over NCHW images:
 *
 * <pre>
 *   y[n, o, p, q] = b[o] + sum over c in group(o), i &lt; kh, j &lt; kw of
 *                   w[o, c - g(o) C/groups, i, j] x[n, c, p sh - padTop + i dh, q sw - padLeft + j dw]
 * </pre>
 *
 * where positions outside the input read zero (the padding).
 *
 * <p><b>Arguments:</b> {@code inChannels} C and {@code outChannels} Cout, both divisible by
 * {@code groups} (1 for a full convolution, C for a depthwise one); the {@link Window2d} gives kernel
 * size, stride, dilation and the padding of each side; {@code bias} (default true); {@code init} of
 * the weight (default {@code he_uniform}, the Kaiming-uniform bound {@code sqrt(6 / fanIn)} with
 * {@code fanIn = C / groups * kh * kw}; the bias starts at zero).
 *
 * <p><b>Shapes:</b> input {@code [N, C, H, W]}, output {@code [N, Cout, OH, OW]} with {@code OH =
 * floor((H + padTop + padBottom - dh (kh - 1) - 1) / sh) + 1} and {@code OW} likewise. Parameters:
 * {@code <name>.weight [Cout, C / groups, kh, kw]}, {@code <name>.bias [Cout]}.
 *
 * <pre>{@code new Conv2d("conv_1", 1, 6, Window2d.square(5, 1, 2), 1, true, Init.HE_UNIFORM)}</pre>
 */
public final class Conv2d implements Layer {
  private final String name;
  private final int inChannels;
  private final Window2d window;
  private final int groups;
  private final ConvWeights weights;

  public Conv2d(String name, int inChannels, int outChannels, Window2d window, int groups, boolean bias, Init init) {
    this.name = name;
    this.inChannels = inChannels;
    this.window = window;
    this.groups = groups;
    this.weights = ConvWeights.of(name, inChannels, outChannels, groups, bias, init, window.kernelH(), window.kernelW());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return weights.list();
  }

  /** The unfolded columns {@code [C kh kw, OH OW]} and the output before its layout change, per example. */
  @Override
  public long workspacePerRow(List<Integer> input) {
    long spatial = (long) window.outputHeight(input.get(1)) * window.outputWidth(input.get(2));
    return spatial * ((long) inChannels * window.kernelSize() + weights.weight().shape().dim(0));
  }

  /** The weights' size at every output position. */
  @Override
  public long multiplyAddsPerRow(List<Integer> input) {
    long spatial = (long) window.outputHeight(input.get(1)) * window.outputWidth(input.get(2));
    return spatial * weights.weight().shape().size();
  }

  /**
   * None for a full convolution, which scoring unfolds one example at a time (columns that do not
   * grow with the batch); all of it for a grouped one, which unfolds the whole batch.
   */
  @Override
  public long liveWorkspacePerRow(List<Integer> input) {
    return groups == 1 ? 0 : workspacePerRow(input);
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = input(inputs);
    return ConvOps.conv2d(x, weights.weight().on(x.tape()),
        weights.bias() == null ? null : weights.bias().on(x.tape()), window, groups);
  }

  /**
   * This convolution at inference together with the layers after it that read only it: {@code bn}
   * (or null) folded into its weights and bias ({@code w scale} and {@code b scale + shift} per
   * output channel: one pass over the output instead of three, equal to the two layers up to float
   * rounding), then a ReLU when {@code relu}, then the max pooling {@code pool} (or null), which the
   * backend may run while each example's output is in cache ({@link ConvOps#conv2dScoring}).
   */
  Var forwardScoring(List<Var> inputs, BatchNorm bn, boolean relu, Pool2d pool) {
    Var x = input(inputs);
    Tape tape = x.tape();
    Var w = weights.weight().on(tape);
    Var b = weights.bias() == null ? null : weights.bias().on(tape);
    if (bn != null) {
      Var[] affine = bn.inferenceAffine(tape);
      int cout = weights.weight().shape().dim(0);
      int[] perChannel = new int[weights.weight().shape().rank()];
      Arrays.fill(perChannel, 1);
      perChannel[0] = cout;
      w = Ops.mul(w, Ops.reshape(affine[0], perChannel));
      Var shift = Ops.reshape(affine[1], cout);
      b = b == null ? shift : Ops.add(Ops.mul(b, Ops.reshape(affine[0], cout)), shift);
    }
    return ConvOps.conv2dScoring(x, w, b, window, groups, relu, pool == null ? null : pool.window());
  }

  private Var input(List<Var> inputs) {
    Var x = inputs.get(0);
    if (x.shape().rank() != 4 || x.shape().dim(1) != inChannels) {
      throw new IllegalArgumentException("Layer '" + name + "' expects input [batch, " + inChannels
          + ", height, width]; found " + x.shape() + ".");
    }
    return x;
  }
}
