package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.ConvOps;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Window2d;

/**
 * 2-D max or average pooling over NCHW images, channel by channel, and global average pooling.
 *
 * <ul>
 *   <li>{@link #max}: {@code y[n, c, p, q] = max x[n, c, p sh - padTop + i, q sw - padLeft + j]}
 *       over the window's positions inside the image (padding never wins). PyTorch's {@code
 *       MaxPool2d}.
 *   <li>{@link #average}: the mean over the window, dividing by {@code kh kw} when {@code
 *       countPadding} (padding counts as zeros; PyTorch's default {@code count_include_pad=True})
 *       or by the number of positions inside the image. PyTorch's {@code AvgPool2d}.
 *   <li>{@link #globalAverage}: {@code y[n, c] = mean of x[n, c, ...]} over every position; the
 *       spatial axes are dropped. Also takes NCW sequences.
 * </ul>
 *
 * <p><b>Shapes:</b> {@code [N, C, H, W] -> [N, C, OH, OW]}, {@code OH = floor((H + padTop +
 * padBottom - kh) / sh) + 1} and {@code OW} likewise; global: {@code [N, C, ...] -> [N, C]}. No
 * parameters.
 *
 * <pre>{@code Pool2d.max("pool_1", Window2d.square(2, 2, 0))}</pre>
 */
public final class Pool2d implements Layer {
  private enum Kind { MAX, AVERAGE, GLOBAL_AVERAGE }

  private final String name;
  private final Kind kind;
  private final Window2d window;
  private final boolean countPadding;

  private Pool2d(String name, Kind kind, Window2d window, boolean countPadding) {
    this.name = name;
    this.kind = kind;
    this.window = window;
    this.countPadding = countPadding;
  }

  /** Max pooling over {@code window} (no dilation; padding smaller than the kernel). */
  public static Pool2d max(String name, Window2d window) {
    return new Pool2d(name, Kind.MAX, window, false);
  }

  /** Average pooling over {@code window}; see the class comment for {@code countPadding}. */
  public static Pool2d average(String name, Window2d window, boolean countPadding) {
    return new Pool2d(name, Kind.AVERAGE, window, countPadding);
  }

  /** The mean over all positions of each channel. */
  public static Pool2d globalAverage(String name) {
    return new Pool2d(name, Kind.GLOBAL_AVERAGE, null, false);
  }

  @Override
  public String name() {
    return name;
  }

  /** The window of a max or average pooling; null for a global one. */
  Window2d window() {
    return window;
  }

  /** Whether this is a max pooling. */
  boolean isMax() {
    return kind == Kind.MAX;
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    return switch (kind) {
      case MAX -> ConvOps.maxPool2d(x, window);
      case AVERAGE -> ConvOps.avgPool2d(x, window, countPadding);
      case GLOBAL_AVERAGE -> ConvOps.globalAvgPool(x);
    };
  }
}
