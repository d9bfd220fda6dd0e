package org.sparkdl.nn;

import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * A trainable tensor of a layer. Its value and gradient are views into the network's flat
 * parameter and gradient buffers (see {@link ParameterStore}), so that a whole network's
 * parameters move between executors, optimizers and files as one buffer.
 *
 * <p>A <em>buffer</em> ({@link #buffer}) is a layer's non-trainable state, such as batch
 * normalisation's running statistics: it has a value and a name in the weight file, but no
 * gradient, and the optimizer never sees it. Buffers live in a store of their own ({@link
 * Network#buffers()}), apart from the trainable flat buffer.
 */
public final class Parameter {
  private final String name;
  private final Shape shape;
  private final Init init;
  private final int fanIn;
  private final int fanOut;
  private final boolean trainable;
  private Tensor value;
  private Tensor grad;

  /**
   * @param name the weight-file name, e.g. {@code "dense_1.weight"}
   * @param fanIn inputs feeding each unit, for the initialiser
   * @param fanOut units each input feeds, for the initialiser
   */
  public Parameter(String name, Shape shape, Init init, int fanIn, int fanOut) {
    this(name, shape, init, fanIn, fanOut, true);
  }

  private Parameter(String name, Shape shape, Init init, int fanIn, int fanOut, boolean trainable) {
    this.name = name;
    this.shape = shape;
    this.init = init;
    this.fanIn = fanIn;
    this.fanOut = fanOut;
    this.trainable = trainable;
  }

  /**
   * Non-trainable state of a layer, e.g. {@code "bn_1.running_mean"}, starting at {@code init}
   * (a constant initialiser: zeros or ones).
   */
  public static Parameter buffer(String name, Shape shape, Init init) {
    return new Parameter(name, shape, init, 1, 1, false);
  }

  /** False for a {@link #buffer}: no gradient, never updated by an optimizer. */
  public boolean trainable() {
    return trainable;
  }

  public String name() {
    return name;
  }

  public Shape shape() {
    return shape;
  }

  public Init init() {
    return init;
  }

  public int fanIn() {
    return fanIn;
  }

  public int fanOut() {
    return fanOut;
  }

  /** The current value (a view into the flat parameter buffer). */
  public Tensor value() {
    checkBound();
    return value;
  }

  /** The accumulated gradient (a view into the flat gradient buffer). */
  public Tensor grad() {
    checkBound();
    if (!trainable) {
      throw new IllegalStateException("'" + name + "' is a buffer, not a trainable parameter; it has no gradient.");
    }
    return grad;
  }

  /** This parameter on a tape: backward adds its gradient into {@link #grad()}; a buffer is a constant. */
  public Var on(Tape tape) {
    checkBound();
    return trainable ? tape.parameter(value, grad) : tape.constant(value);
  }

  void bind(Tensor value, Tensor grad) {
    this.value = value;
    this.grad = grad;
  }

  private void checkBound() {
    if (value == null) {
      throw new IllegalStateException("Parameter '" + name + "' is not bound to a parameter store yet.");
    }
  }

  @Override
  public String toString() {
    return (trainable ? "Parameter(" : "Buffer(") + name + " " + shape + ")";
  }
}
