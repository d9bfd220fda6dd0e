package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.backend.Backend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Owns one flat value buffer and one flat gradient buffer for a list of parameters and binds each
 * parameter to its slice of both. Closing the store frees both buffers.
 *
 * <p>A store of {@linkplain Parameter#buffer buffers} ({@link #buffers}) has values only: no
 * gradient buffer, and {@link #grads()} throws.
 *
 * <p>{@linkplain Parameter#frozen Frozen} parameters come first, then the other dense ones, then
 * the {@linkplain Parameter#rowSparse row-sparse} ones, so that values {@code [frozenSize(),
 * denseSize())} are the part every step updates whole and an optimizer sees only values from
 * {@link #frozenSize()} on. Without frozen parameters the order is the given one with row-sparse
 * parameters moved last.
 */
public final class ParameterStore implements AutoCloseable {
  private final List<Parameter> parameters;
  /** The order in which parameters draw their initial values, which freezing does not change. */
  private final List<Parameter> initOrder;
  private final Scope scope;
  private final Tensor values;
  private final Tensor grads;
  private final int denseSize;
  private final int frozenSize;

  /** Allocates the buffers on {@code backend} and binds every (trainable) parameter; values start at zero. */
  public ParameterStore(Backend backend, DType dtype, List<Parameter> parameters) {
    this(backend, dtype, parameters, true);
  }

  /** A store of non-trainable {@linkplain Parameter#buffer buffers}: values only, starting at zero. */
  public static ParameterStore buffers(Backend backend, DType dtype, List<Parameter> buffers) {
    return new ParameterStore(backend, dtype, buffers, false);
  }

  private ParameterStore(Backend backend, DType dtype, List<Parameter> given, boolean trainable) {
    List<Parameter> initOrder = new ArrayList<>(given.stream().filter(p -> !p.rowSparse()).toList());
    initOrder.addAll(given.stream().filter(Parameter::rowSparse).toList());
    this.initOrder = List.copyOf(initOrder);
    List<Parameter> parameters = new ArrayList<>(given.stream().filter(Parameter::frozen).toList());
    parameters.addAll(given.stream().filter(p -> !p.frozen() && !p.rowSparse()).toList());
    parameters.addAll(given.stream().filter(p -> !p.frozen() && p.rowSparse()).toList());
    this.parameters = List.copyOf(parameters);
    long total = 0;
    Map<String, Boolean> names = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      if (names.put(p.name(), true) != null) {
        throw new IllegalArgumentException("Two parameters are named '" + p.name() + "'.");
      }
      if (p.trainable() != trainable) {
        throw new IllegalArgumentException("'" + p.name() + "' is " + (trainable ? "a buffer; it belongs in a buffer store."
            : "trainable; it belongs in a parameter store."));
      }
      total += p.shape().size();
    }
    if (total > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("The network has " + total + " parameters; at most " + Integer.MAX_VALUE / 2 + " are supported.");
    }
    this.scope = backend.openScope("parameters");
    this.values = scope.zeros(dtype, Shape.of((int) total));
    this.grads = trainable ? scope.zeros(dtype, Shape.of((int) total)) : null;
    int at = 0;
    int dense = 0;
    int frozen = 0;
    for (Parameter p : parameters) {
      int n = p.shape().size();
      dense += p.rowSparse() && !p.frozen() ? 0 : n;
      frozen += p.frozen() ? n : 0;
      p.bind(values.slice(0, at, at + n).reshape(p.shape().toArray()),
          grads == null ? null : grads.slice(0, at, at + n).reshape(p.shape().toArray()));
      at += n;
    }
    this.denseSize = dense;
    this.frozenSize = frozen;
  }

  /** Initialises every parameter from its initialiser; parameter {@code i} uses a seed derived from {@code seed} and {@code i}. */
  public void initialise(long seed) {
    for (int i = 0; i < initOrder.size(); i++) {
      Parameter p = initOrder.get(i);
      p.init().fill(p.value(), p.fanIn(), p.fanOut(), seed * 1_000_003L + i);
    }
  }

  public List<Parameter> parameters() {
    return Collections.unmodifiableList(parameters);
  }

  /** All parameter values as one vector. */
  public Tensor values() {
    return values;
  }

  /** All gradients as one vector, in the same order as {@link #values()}; a buffer store has none. */
  public Tensor grads() {
    if (grads == null) {
      throw new IllegalStateException("A store of buffers " + names() + " has no gradients.");
    }
    return grads;
  }

  /** Number of scalar parameters. */
  public int size() {
    return values.size();
  }

  /** Values before the first (not frozen) row-sparse parameter: the whole buffer when there is none. */
  public int denseSize() {
    return denseSize;
  }

  /** Values of the {@linkplain Parameter#frozen frozen} parameters, the first ones; 0 when none is. */
  public int frozenSize() {
    return frozenSize;
  }

  /** The row-sparse parameters that train, in buffer order (the last ones); a frozen one is not among them. */
  public List<Parameter> rowSparse() {
    return parameters.stream().filter(p -> p.rowSparse() && !p.frozen()).toList();
  }

  /** Where {@code p}'s values start in {@link #values()} (and its gradient in {@link #grads()}). */
  public int offset(Parameter p) {
    int at = 0;
    for (Parameter q : parameters) {
      if (q == p) {
        return at;
      }
      at += q.shape().size();
    }
    throw new IllegalArgumentException("'" + p.name() + "' is not in this store.");
  }

  /**
   * Sets every gradient to zero (nothing to do for buffers): the dense part in one pass, and of each
   * row-sparse parameter only the rows touched since the last call.
   */
  public void zeroGrads() {
    if (grads == null) {
      return;
    }
    Backend be = Backend.of(grads);
    // a frozen parameter's gradient is never written: it stays at the zero it was allocated with
    if (denseSize > frozenSize) {
      be.fill(denseSize == grads.size() && frozenSize == 0 ? grads : grads.slice(0, frozenSize, denseSize), 0);
    }
    for (Parameter p : rowSparse()) {
      int[] rows = p.touchedRows();
      if (rows.length > 0) {
        try (Scope tmp = scope.child("zero-rows")) {
          be.zeroRows(p.grad(), tmp.of(grads.dtype(), Shape.of(rows.length), Arrays.stream(rows).asDoubleStream().toArray()));
        }
      }
      p.clearTouched();
    }
  }

  /**
   * Sets the whole gradient buffer to zero, row-sparse parameters included, and forgets their
   * touched rows: for a buffer that something other than a forward pass wrote into (a collective
   * leaves parts of it undefined).
   */
  public void zeroAllGrads() {
    if (grads == null) {
      return;
    }
    Backend.of(grads).fill(grads, 0);
    rowSparse().forEach(Parameter::clearTouched);
  }

  /**
   * Marks every row of every row-sparse parameter touched: for gradients that arrive whole from
   * elsewhere (summed over workers) rather than from this network's forward pass, so that the
   * next optimizer step applies all of them.
   */
  public void touchAll() {
    rowSparse().forEach(Parameter::touchAll);
  }

  /** Parameter values by name, in order (views, for writing weight files). */
  public Map<String, Tensor> named() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      m.put(p.name(), p.value());
    }
    return m;
  }

  /** Names in order. */
  public List<String> names() {
    List<String> n = new ArrayList<>();
    parameters.forEach(p -> n.add(p.name()));
    return n;
  }

  @Override
  public void close() {
    scope.close();
  }
}
