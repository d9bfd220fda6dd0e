package org.sparkdl.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Owns the tensors allocated through it and frees them all when closed. Scopes nest: a training
 * step opens a child of the model's scope, and whatever the step allocated is gone when it closes,
 * except what it handed to the parent with {@link #keep(Tensor)}.
 *
 * <pre>{@code
 * try (Scope step = params.child("step-" + i)) {
 *   Tensor h = step.allocate(DType.FLOAT32, Shape.of(batch, 128));
 *   ...
 *   result = step.keep(grads);          // the one value leaving the scope
 * }                                     // the rest is freed here
 * }</pre>
 *
 * <p>A scope is used by one thread at a time. {@link #close()} is idempotent; allocating from a
 * closed scope throws {@link IllegalStateException}.
 */
public final class Scope implements AutoCloseable {
  private final Device device;
  private final String name;
  private final Scope parent;
  private final Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
  private final List<Scope> children = new ArrayList<>();
  private boolean closed;

  /** Opens a root scope; use {@code Backend.openScope(String)}. */
  public Scope(Device device, String name, Scope parent) {
    this.device = device;
    this.name = parent == null ? name : parent.name + "/" + name;
    this.parent = parent;
  }

  /** The device tensors of this scope live on; its kernels: {@code Backend.of(scope)}. */
  public Device device() {
    return device;
  }

  /** The scope's path, e.g. {@code "executor-2/task-41/step-17"}. */
  public String name() {
    return name;
  }

  /** Opens a nested scope, closed at the latest when this one closes. */
  public Scope child(String childName) {
    checkOpen();
    Scope c = new Scope(device, childName, this);
    children.add(c);
    return c;
  }

  /** Allocates an uninitialised contiguous tensor owned by this scope. */
  public Tensor allocate(DType dtype, Shape shape) {
    checkOpen();
    Storage s = device.allocate((long) shape.size() * dtype.byteSize());
    Tensor t = new Tensor(s, dtype, shape, shape.contiguousStrides(), 0, this);
    owned.add(t);
    return t;
  }

  /** Allocates a zero-filled tensor owned by this scope. */
  public Tensor zeros(DType dtype, Shape shape) {
    Tensor t = allocate(dtype, shape);
    device.fill(t, 0.0);
    return t;
  }

  /** Allocates a tensor holding {@code values} (converted to {@code dtype}). */
  public Tensor of(DType dtype, Shape shape, float[] values) {
    Tensor t = allocate(dtype, shape);
    t.copyFrom(values);
    return t;
  }

  /** Allocates a tensor holding {@code values} (converted to {@code dtype}). */
  public Tensor of(DType dtype, Shape shape, double[] values) {
    Tensor t = allocate(dtype, shape);
    t.copyFrom(values);
    return t;
  }

  /**
   * Moves ownership of {@code t} to the parent scope, so it survives this scope's close. The only
   * way a tensor leaves a scope.
   */
  public Tensor keep(Tensor t) {
    checkOpen();
    if (parent == null) {
      throw new IllegalStateException("Scope '" + name + "' is a root scope; there is no parent to keep a tensor in.");
    }
    if (!owned.remove(t)) {
      throw new IllegalArgumentException("Scope '" + name + "' does not own the tensor " + t + ".");
    }
    parent.adopt(t);
    return t;
  }

  void adopt(Tensor t) {
    checkOpen();
    owned.add(t);
    t.setOwner(this);
  }

  void forget(Tensor t) {
    owned.remove(t);
  }

  /** Number of tensors this scope currently owns (not counting children). */
  public int ownedCount() {
    return owned.size();
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Scope '" + name + "' is closed.");
    }
  }

  /** Frees every tensor this scope and its children still own. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      children.get(i).close();
    }
    children.clear();
    closed = true;
    for (Tensor t : owned) {
      t.release();
    }
    owned.clear();
    if (parent != null) {
      parent.children.remove(this);
    }
  }

  @Override
  public String toString() {
    return "Scope(" + name + ", " + owned.size() + " tensors" + (closed ? ", closed" : "") + ")";
  }
}
