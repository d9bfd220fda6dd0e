package org.sparkdl.nn;

import java.util.BitSet;
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
 *
 * <p>A <em>row-sparse</em> parameter ({@link #rowSparse}) is a matrix of which a step uses only
 * some rows, such as the weight of a dense layer that reads sparse rows: the forward pass
 * {@linkplain #touch records} the rows it reads, only they receive a gradient, the optimizer
 * updates only them (lazily) and {@link ParameterStore#zeroGrads} clears only them.
 */
public final class Parameter {
  private final String name;
  private final Shape shape;
  private final Init init;
  private final int fanIn;
  private final int fanOut;
  private final boolean trainable;
  private final boolean rowSparse;
  private boolean frozen;
  private BitSet touched;
  private Tensor value;
  private Tensor grad;

  /**
   * @param name the weight-file name, e.g. {@code "dense_1.weight"}
   * @param fanIn inputs feeding each unit, for the initialiser
   * @param fanOut units each input feeds, for the initialiser
   */
  public Parameter(String name, Shape shape, Init init, int fanIn, int fanOut) {
    this(name, shape, init, fanIn, fanOut, true, false);
  }

  private Parameter(String name, Shape shape, Init init, int fanIn, int fanOut, boolean trainable, boolean rowSparse) {
    this.name = name;
    this.shape = shape;
    this.init = init;
    this.fanIn = fanIn;
    this.fanOut = fanOut;
    this.trainable = trainable;
    this.rowSparse = rowSparse;
  }

  /** A trainable matrix {@code [rows, width]} of which each step uses and updates only the rows it touches. */
  public static Parameter rowSparse(String name, Shape shape, Init init, int fanIn, int fanOut) {
    if (shape.rank() != 2) {
      throw new IllegalArgumentException("A row-sparse parameter is a matrix; '" + name + "' has shape " + shape + ".");
    }
    return new Parameter(name, shape, init, fanIn, fanOut, true, true);
  }

  /**
   * Non-trainable state of a layer, e.g. {@code "bn_1.running_mean"}, starting at {@code init}
   * (a constant initialiser: zeros or ones).
   */
  public static Parameter buffer(String name, Shape shape, Init init) {
    return new Parameter(name, shape, init, 1, 1, false, false);
  }

  /** Whether only the rows a step touches take part in it (see the class comment). */
  public boolean rowSparse() {
    return rowSparse;
  }

  /**
   * Records that a forward pass reads the rows named by {@code rows} (integer-valued, checked by
   * the kernel that reads them), so that they receive the step's gradient and update. Only for
   * row-sparse parameters.
   */
  public void touch(Tensor rows) {
    if (!rowSparse) {
      throw new IllegalStateException("'" + name + "' is not row-sparse; every row takes part in every step.");
    }
    if (touched == null) {
      touched = new BitSet(shape.dim(0));
    }
    int limit = shape.dim(0);
    for (double r : rows.toDoubleArray()) {
      if (r >= 0 && r < limit) {
        touched.set((int) r);
      }
    }
  }

  /** Records rows whose gradient was written from elsewhere (rows other workers touched), as {@link #touch(Tensor)}. */
  public void touch(int[] rows) {
    if (!rowSparse) {
      throw new IllegalStateException("'" + name + "' is not row-sparse; every row takes part in every step.");
    }
    if (touched == null) {
      touched = new BitSet(shape.dim(0));
    }
    for (int r : rows) {
      touched.set(r);
    }
  }

  /** Records that a forward pass reads every row (a dense input to a layer built for sparse rows). */
  public void touchAll() {
    if (!rowSparse) {
      throw new IllegalStateException("'" + name + "' is not row-sparse; every row takes part in every step.");
    }
    if (touched == null) {
      touched = new BitSet(shape.dim(0));
    }
    touched.set(0, shape.dim(0));
  }

  /** The rows touched since the gradients were last zeroed, ascending; empty for other parameters. */
  public int[] touchedRows() {
    return touched == null ? new int[0] : touched.stream().toArray();
  }

  /** Forgets the touched rows (their gradients were zeroed). */
  void clearTouched() {
    if (touched != null) {
      touched.clear();
    }
  }

  /** False for a {@link #buffer}: no gradient, never updated by an optimizer. */
  public boolean trainable() {
    return trainable;
  }

  /**
   * Whether this trainable parameter is frozen for fine-tuning: it keeps its value, is a constant
   * on the tape (so no gradient is computed for it) and has no optimizer state. Set by {@link
   * Network} before the parameter is bound to a store.
   */
  public boolean frozen() {
    return frozen;
  }

  void freeze() {
    if (!trainable) {
      throw new IllegalStateException("'" + name + "' is a buffer; only trainable parameters can be frozen.");
    }
    if (value != null) {
      throw new IllegalStateException("'" + name + "' is already bound to a store; freeze it before.");
    }
    frozen = true;
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

  /**
   * This parameter on a tape: backward adds its gradient into {@link #grad()}; a buffer or a
   * {@linkplain #frozen frozen} parameter is a constant.
   */
  public Var on(Tape tape) {
    checkBound();
    return trainable && !frozen ? tape.parameter(value, grad) : tape.constant(value);
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
    return (trainable ? (frozen ? "Parameter(frozen " : "Parameter(") : "Buffer(") + name + " " + shape + ")";
  }
}
