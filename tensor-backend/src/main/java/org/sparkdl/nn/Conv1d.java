package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.ConvOps;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * 1-D convolution (cross-correlation) over NCW sequences:
 *
 * <pre>
 *   y[n, o, p] = b[o] + sum over c in group(o), j &lt; k of w[o, c - g(o) C/groups, j] x[n, c, p s - padLeft + j d]
 * </pre>
 *
 * where positions outside the sequence read zero.
 *
 * <p><b>Arguments:</b> {@code inChannels} C and {@code outChannels} Cout, both divisible by {@code
 * groups}; {@code kernel} k, {@code stride} s, {@code dilation} d (all &gt;= 1); zero padding
 * {@code padLeft} and {@code padRight} (equal, except for {@code "same"} padding with an odd total);
 * {@code bias} (default true); {@code init} of the weight (default {@code he_uniform} with {@code
 * fanIn = C / groups * k}; the bias starts at zero).
 *
 * <p><b>Shapes:</b> input {@code [N, C, L]}, output {@code [N, Cout, OL]} with {@code OL = floor((L
 * + padLeft + padRight - d (k - 1) - 1) / s) + 1}. Parameters: {@code <name>.weight [Cout, C /
 * groups, k]}, {@code <name>.bias [Cout]}.
 *
 * <pre>{@code new Conv1d("conv1d_1", 8, 16, 3, 1, 1, 1, 1, 1, true, Init.HE_UNIFORM)}</pre>
 */
public final class Conv1d implements Layer {
  private final String name;
  private final int inChannels;
  private final int stride;
  private final int padLeft;
  private final int padRight;
  private final int dilation;
  private final int groups;
  private final ConvWeights weights;

  public Conv1d(String name, int inChannels, int outChannels, int kernel, int stride, int padLeft, int padRight,
      int dilation, int groups, boolean bias, Init init) {
    this.name = name;
    this.inChannels = inChannels;
    this.stride = stride;
    this.padLeft = padLeft;
    this.padRight = padRight;
    this.dilation = dilation;
    this.groups = groups;
    this.weights = ConvWeights.of(name, inChannels, outChannels, groups, bias, init, kernel);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return weights.list();
  }

  /** The unfolded columns {@code [C k, OL]} and the output before its layout change, per example. */
  @Override
  public long workspacePerRow(List<Integer> input) {
    Shape w = weights.weight().shape();
    long length = ConvOps.window1d(w.dim(2), stride, padLeft, padRight, dilation).outputWidth(input.get(1));
    return length * ((long) inChannels * w.dim(2) + w.dim(0));
  }

  /** The weights' size at every output position. */
  @Override
  public long multiplyAddsPerRow(List<Integer> input) {
    Shape w = weights.weight().shape();
    return ConvOps.window1d(w.dim(2), stride, padLeft, padRight, dilation).outputWidth(input.get(1)) * w.size();
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
    Var x = inputs.get(0);
    if (x.shape().rank() != 3 || x.shape().dim(1) != inChannels) {
      throw new IllegalArgumentException("Layer '" + name + "' expects input [batch, " + inChannels + ", length]; found "
          + x.shape() + ".");
    }
    return ConvOps.conv1d(x, weights.weight().on(x.tape()),
        weights.bias() == null ? null : weights.bias().on(x.tape()), stride, padLeft, padRight,
        dilation, groups);
  }
}
