package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * A {@link NetworkSpec} made executable: its layers, in spec order (a topological order of the
 * graph), and the parameters of all of them in one {@link ParameterStore}.
 *
 * <p>The network owns the parameter buffers and frees them on {@link #close()}. It is not safe for
 * concurrent forward passes that write gradients; scoring passes only read parameters.
 */
public final class Network implements AutoCloseable {
  private final NetworkSpec spec;
  private final Map<String, List<Integer>> shapes;
  private final List<Layer> layers = new ArrayList<>();
  private final ParameterStore store;

  private Network(NetworkSpec spec, Backend backend, DType dtype) {
    this.spec = spec;
    this.shapes = spec.inferShapes();
    List<Parameter> params = new ArrayList<>();
    for (LayerSpec ls : spec.layers()) {
      Layer layer = build(ls);
      layers.add(layer);
      params.addAll(layer.parameters());
    }
    this.store = new ParameterStore(backend, dtype, params);
  }

  /** Builds the network with parameters drawn from their initialisers under {@code seed}. */
  public static Network create(NetworkSpec spec, Backend backend, DType dtype, long seed) {
    Network n = new Network(spec, backend, dtype);
    n.store.initialise(seed);
    return n;
  }

  /** Builds the network with all parameters zero, for loading saved weights into. */
  public static Network uninitialised(NetworkSpec spec, Backend backend, DType dtype) {
    return new Network(spec, backend, dtype);
  }

  private Layer build(LayerSpec ls) {
    List<Integer> in = shapes.get(ls.inputs().get(0));
    if (ls instanceof org.sparkdl.spec.Dense d) {
      return new Dense(d.name(), in.get(in.size() - 1), d.units(), d.bias(), Init.of(d.init()));
    } else if (ls instanceof org.sparkdl.spec.Activation a) {
      return new Activation(a.name(), a.function(), a.alpha());
    } else if (ls instanceof org.sparkdl.spec.Dropout d) {
      return new Dropout(d.name(), d.rate());
    } else if (ls instanceof org.sparkdl.spec.Add a) {
      return Merge.add(a.name());
    } else if (ls instanceof org.sparkdl.spec.Concat c) {
      return Merge.concat(c.name(), c.axis());
    } else if (ls instanceof org.sparkdl.spec.Reshape || ls instanceof org.sparkdl.spec.Flatten) {
      return new Reshape(ls.name(), Shape.of(shapes.get(ls.name())));
    }
    throw new IllegalArgumentException("Layer '" + ls.name() + "' of type '" + ls.type() + "' has no implementation.");
  }

  public NetworkSpec spec() {
    return spec;
  }

  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  public ParameterStore parameters() {
    return store;
  }

  /** Per-sample shape of an input or layer output (batch excluded). */
  public Shape shapeOf(String node) {
    List<Integer> s = shapes.get(node);
    if (s == null) {
      throw new IllegalArgumentException("The network has no node '" + node + "'; nodes: " + shapes.keySet() + ".");
    }
    return Shape.of(s);
  }

  /** The single input's per-sample shape. */
  public Shape inputShape() {
    return Shape.of(singleInput().shape());
  }

  /** The single output's per-sample shape. */
  public Shape outputShape() {
    return Shape.of(spec.outputShape());
  }

  private InputSpec singleInput() {
    if (spec.inputs().size() != 1) {
      throw new IllegalArgumentException("The network has " + spec.inputs().size() + " inputs; name them.");
    }
    return spec.inputs().get(0);
  }

  /**
   * Runs the network on named inputs ({@code [B, ...]} each) and returns the outputs by name.
   *
   * @throws IllegalArgumentException when an input is missing or its per-sample shape is wrong
   */
  public Map<String, Var> forward(Map<String, Var> inputs) {
    Map<String, Var> values = new LinkedHashMap<>();
    Integer batch = null;
    for (InputSpec in : spec.inputs()) {
      Var v = inputs.get(in.name());
      if (v == null) {
        throw new IllegalArgumentException("Input '" + in.name() + "' is missing; the network reads " + spec.inputs().stream().map(InputSpec::name).toList() + ".");
      }
      Shape expected = Shape.of(in.shape());
      if (v.shape().rank() != expected.rank() + 1 || !v.shape().dropFirst().equals(expected)) {
        throw new IllegalArgumentException("Input '" + in.name() + "': expected per-sample shape " + expected
            + ", found " + v.shape() + " (batch first).");
      }
      if (batch != null && v.shape().dim(0) != batch) {
        throw new IllegalArgumentException("Input '" + in.name() + "' has batch size " + v.shape().dim(0) + "; other inputs have " + batch + ".");
      }
      batch = v.shape().dim(0);
      values.put(in.name(), v);
    }
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec ls = spec.layers().get(i);
      List<Var> args = new ArrayList<>(ls.inputs().size());
      for (String name : ls.inputs()) {
        args.add(values.get(name));
      }
      values.put(ls.name(), layers.get(i).forward(args));
    }
    Map<String, Var> out = new LinkedHashMap<>();
    for (String name : spec.outputs()) {
      out.put(name, values.get(name));
    }
    return out;
  }

  /** Runs a single-input, single-output network. */
  public Var forward(Var input) {
    Map<String, Var> out = forward(Map.of(singleInput().name(), input));
    if (out.size() != 1) {
      throw new IllegalArgumentException("The network has " + out.size() + " outputs; use forward(Map).");
    }
    return out.values().iterator().next();
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "Network(" + layers.size() + " layers, " + store.size() + " parameters)";
  }
}
