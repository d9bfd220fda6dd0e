package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.spec.InputSpec;
import org.sparkdl.spec.LayerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Shape;

/**
 * A {@link NetworkSpec} made executable: its layers, in spec order (a topological order of the
 * graph), and the parameters of all of them in one {@link ParameterStore}.
 *
 * <p>Non-trainable state (batch normalisation's running statistics) lives in a second store,
 * {@link #buffers()}: saved and loaded with the weights, but outside the flat trainable buffer that
 * optimizers update and the distributed trainer ships. Buffers are per-replica state: a training
 * forward pass updates this network's own copy, and nothing synchronises copies held elsewhere.
 *
 * <p>For fine-tuning, layers can be built {@linkplain #create(NetworkSpec, Backend, DType, long,
 * Collection) frozen}: their parameters keep their values, take no gradient and have no optimizer
 * state (see {@link Parameter#frozen}). A frozen batch normalisation still updates its running
 * statistics in a training pass, as a PyTorch module with {@code requires_grad=False} does.
 *
 * <p>The network owns both stores and frees them on {@link #close()}. It is not safe for
 * concurrent forward passes that write gradients (or, in training, buffers); scoring passes only
 * read.
 */
public final class Network implements AutoCloseable {
  private final NetworkSpec spec;
  private final Map<String, List<Integer>> shapes;
  private final List<Layer> layers = new ArrayList<>();
  private final ParameterStore store;
  private final ParameterStore buffers;
  private final List<String> frozen;
  /**
   * Per layer, the layers it runs together with at inference when each of them is the only input
   * of the next and read by nothing else (not an output either); null for a layer that runs alone
   * or inside an earlier layer's run:
   * <ul>
   *   <li>a 2-D convolution takes a batch normalisation after it (folded into its weights), then a
   *       ReLU and a max pooling (in either order), which the backend may run while each example's
   *       output is still in cache ({@link Conv2d#forwardScoring});
   *   <li>a ReLU before a max pooling runs after it instead, on a quarter of the values for 2x2
   *       windows, with the same result (ReLU is monotone, so it commutes with the maximum, NaN
   *       and signed zeros included).
   * </ul>
   */
  private record Run(int span, BatchNorm batchNorm, boolean relu, Pool2d maxPool) {}

  private final Run[] runs;

  private Network(NetworkSpec spec, Backend backend, DType dtype, Collection<String> frozenLayers) {
    this.spec = spec;
    this.shapes = spec.inferShapes();
    this.frozen = List.copyOf(frozenLayers);
    Set<String> unknown = new LinkedHashSet<>(frozen);
    spec.layers().forEach(ls -> unknown.remove(ls.name()));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("Cannot freeze " + unknown + ": the network has no such layer; its layers are "
          + spec.layers().stream().map(LayerSpec::name).toList() + ".");
    }
    List<Parameter> params = new ArrayList<>();
    List<Parameter> state = new ArrayList<>();
    for (LayerSpec ls : spec.layers()) {
      Layer layer = build(ls, shapes, spec);
      layers.add(layer);
      if (frozen.contains(ls.name())) {
        layer.parameters().forEach(Parameter::freeze);
      }
      params.addAll(layer.parameters());
      state.addAll(layer.buffers());
    }
    if (!frozen.isEmpty() && params.stream().allMatch(Parameter::frozen)) {
      throw new IllegalArgumentException("Freezing " + frozen + " leaves no parameter to train; freeze fewer layers.");
    }
    for (Parameter b : state) {
      if (params.stream().anyMatch(p -> p.name().equals(b.name()))) {
        throw new IllegalArgumentException("Buffer '" + b.name() + "' has the name of a parameter.");
      }
    }
    this.runs = runs(spec, layers);
    this.store = new ParameterStore(backend, dtype, params);
    this.buffers = ParameterStore.buffers(backend, dtype, state);
    // buffers start at their defaults (running variance 1) even before weights are loaded into them
    buffers.initialise(0);
  }

  /** Builds the network with parameters drawn from their initialisers under {@code seed}. */
  public static Network create(NetworkSpec spec, Backend backend, DType dtype, long seed) {
    return create(spec, backend, dtype, seed, List.of());
  }

  /**
   * As {@link #create(NetworkSpec, Backend, DType, long)}, with the parameters of the layers named
   * in {@code frozenLayers} frozen (see the class comment); the initial values are the same as
   * without freezing.
   *
   * @throws IllegalArgumentException when a name is not a layer of {@code spec}, or nothing would train
   */
  public static Network create(NetworkSpec spec, Backend backend, DType dtype, long seed, Collection<String> frozenLayers) {
    Network n = new Network(spec, backend, dtype, frozenLayers);
    n.store.initialise(seed);
    n.layers.forEach(Layer::afterInitialise);
    return n;
  }

  /**
   * What the network of {@code spec} would hold, counted without allocating anything: for memory
   * estimates before building it.
   *
   * @param parameters trainable values
   * @param buffers non-trainable values (batch normalisation's running statistics)
   * @param activationsPerRow values of every layer's output and {@linkplain Layer#workspacePerRow
   *     workspace} for one row (a step keeps them for the backward pass)
   * @param workingSetPerRow the same with each layer's {@linkplain Layer#liveWorkspacePerRow live
   *     workspace} instead of all of it, and without the outputs inside a run of layers that
   *     scoring runs as one (a convolution with its batch normalisation, ReLU and pooling), which
   *     exist for one example at a time: what a scoring forward pass keeps hot, which sizes its batches
   * @param multiplyAddsPerRow the forward pass's {@linkplain Layer#multiplyAddsPerRow multiply-adds}
   *     for one row: what a training step's compute grows with
   */
  public record Footprint(long parameters, long buffers, long activationsPerRow, long workingSetPerRow,
      long multiplyAddsPerRow) {}

  /**
   * One parameter or buffer of a network, where it sits in the flat arrays that hold a network's
   * values ({@link ParameterStore#values()} of {@link #parameters()} or of {@link #buffers()}).
   *
   * @param name e.g. {@code dense_1.weight} or {@code bn_1.running_mean}
   * @param shape its shape
   * @param buffer whether it is a non-trainable buffer (offset counts within the buffers)
   * @param offset where its values start in the flat array of its kind
   * @param init how its values start (a buffer's starting value is its value until a fit sets it)
   */
  public record Slot(String name, int[] shape, boolean buffer, int offset, org.sparkdl.tensor.Init init) {
    /** Number of values. */
    public int size() {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /**
   * Every parameter, then every buffer, of {@code spec}'s network, in the order and at the offsets
   * its stores lay them out (row-sparse parameters last), computed without allocating anything: for
   * code that reads or writes a network's flat values by name.
   */
  public static List<Slot> layout(NetworkSpec spec) {
    Map<String, List<Integer>> shapes = spec.inferShapes();
    List<Parameter> params = new ArrayList<>();
    List<Parameter> state = new ArrayList<>();
    for (LayerSpec ls : spec.layers()) {
      Layer layer = build(ls, shapes, spec);
      params.addAll(layer.parameters());
      state.addAll(layer.buffers());
    }
    List<Parameter> ordered = new ArrayList<>(params.stream().filter(p -> !p.rowSparse()).toList());
    ordered.addAll(params.stream().filter(Parameter::rowSparse).toList());
    List<Slot> slots = new ArrayList<>();
    int at = 0;
    for (Parameter p : ordered) {
      slots.add(new Slot(p.name(), p.shape().toArray(), false, at, p.init()));
      at += p.shape().size();
    }
    at = 0;
    for (Parameter b : state) {
      slots.add(new Slot(b.name(), b.shape().toArray(), true, at, b.init()));
      at += b.shape().size();
    }
    return slots;
  }

  /** Per layer, whether it folds the batch normalisation after it into itself at inference (for tests). */
  boolean[] foldsNext() {
    boolean[] found = new boolean[runs.length];
    for (int i = 0; i < found.length; i++) {
      found[i] = runs[i] != null && runs[i].batchNorm() != null;
    }
    return found;
  }

  /** Per layer, whether it is a ReLU and at inference the max pooling after it runs first (for tests). */
  boolean[] poolsFirst() {
    boolean[] found = new boolean[runs.length];
    for (int i = 0; i < found.length; i++) {
      found[i] = runs[i] != null && layers.get(i) instanceof Activation;
    }
    return found;
  }

  /** Per layer, how many layers run as one from it at inference; 0 inside a run (for tests). */
  int[] scoringSpans() {
    int[] spans = new int[runs.length];
    for (int i = 0; i < spans.length; i++) {
      spans[i] = runs[i] == null ? 1 : runs[i].span();
      i += spans[i] - 1;   // the layers inside a run stay 0
    }
    return spans;
  }

  /** The {@link #runs} of {@code spec}'s layers. */
  private static Run[] runs(NetworkSpec spec, List<Layer> layers) {
    Map<String, Integer> uses = new HashMap<>();
    spec.layers().forEach(ls -> ls.inputs().forEach(in -> uses.merge(in, 1, Integer::sum)));
    spec.outputs().forEach(out -> uses.merge(out, 1, Integer::sum));
    Run[] runs = new Run[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (layer instanceof Conv2d) {
        int end = i;
        BatchNorm bn = null;
        boolean relu = false;
        Pool2d pool = null;
        if (joins(spec, uses, end) && layers.get(end + 1) instanceof BatchNorm b) {
          bn = b;
          end++;
        }
        for (int k = 0; k < 2; k++) {
          if (!relu && joins(spec, uses, end) && isRelu(layers.get(end + 1))) {
            relu = true;
            end++;
          } else if (pool == null && joins(spec, uses, end) && layers.get(end + 1) instanceof Pool2d p && p.isMax()) {
            pool = p;
            end++;
          }
        }
        runs[i] = new Run(end - i + 1, bn, relu, pool);
        i = end;
      } else if (isRelu(layer) && joins(spec, uses, i) && layers.get(i + 1) instanceof Pool2d p && p.isMax()) {
        runs[i] = new Run(2, null, true, p);
        i++;
      }
    }
    return runs;
  }

  private static boolean isRelu(Layer layer) {
    return layer instanceof Activation a && a.isRelu();
  }

  /** Whether layer {@code i + 1} exists and reads only layer {@code i}, which nothing else reads. */
  private static boolean joins(NetworkSpec spec, Map<String, Integer> uses, int i) {
    if (i + 1 >= spec.layers().size()) {
      return false;
    }
    String name = spec.layers().get(i).name();
    return spec.layers().get(i + 1).inputs().equals(List.of(name)) && uses.getOrDefault(name, 0) == 1;
  }

  /** The {@link Footprint} of {@code spec}'s network. */
  public static Footprint footprint(NetworkSpec spec) {
    Map<String, List<Integer>> shapes = spec.inferShapes();
    long params = 0;
    long buffers = 0;
    long activations = 0;
    long workingSet = 0;
    long multiplyAdds = 0;
    List<Layer> built = new ArrayList<>();
    for (LayerSpec ls : spec.layers()) {
      built.add(build(ls, shapes, spec));
    }
    Run[] runs = runs(spec, built);
    // inside a scoring run only the run's last output is a batch's tensor; the others exist for one example at a time
    boolean[] inRun = new boolean[built.size()];
    for (int i = 0; i < runs.length; i++) {
      if (runs[i] != null && runs[i].span() > 1) {
        Arrays.fill(inRun, i, i + runs[i].span() - 1, true);
      }
    }
    for (int l = 0; l < built.size(); l++) {
      LayerSpec ls = spec.layers().get(l);
      Layer layer = built.get(l);
      for (Parameter p : layer.parameters()) {
        params += values(p.shape().toArray());
      }
      for (Parameter b : layer.buffers()) {
        buffers += values(b.shape().toArray());
      }
      List<Integer> out = shapes.get(ls.name());
      long output = out == null ? 0 : values(out.stream().mapToInt(Integer::intValue).toArray());
      List<Integer> input = shapes.get(ls.inputs().get(0));
      activations += output + layer.workspacePerRow(input);
      workingSet += (inRun[l] ? 0 : output) + layer.liveWorkspacePerRow(input);
      multiplyAdds += layer.multiplyAddsPerRow(input);
    }
    return new Footprint(params, buffers, activations, workingSet, multiplyAdds);
  }

  /**
   * A table of {@code spec}'s layers, as Keras' {@code summary()} prints it: each layer's name,
   * type, output shape (batch excluded) and parameter count, then the totals. Nothing is allocated.
   */
  public static String describe(NetworkSpec spec) {
    Map<String, List<Integer>> shapes = spec.inferShapes();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"layer", "type", "output shape", "parameters"});
    for (var input : spec.inputs()) {
      rows.add(new String[] {input.name(), input.sparse() ? "input (sparse)" : "input", String.valueOf(input.shape()), "0"});
    }
    long params = 0;
    long buffers = 0;
    for (LayerSpec ls : spec.layers()) {
      Layer layer = build(ls, shapes, spec);
      long mine = 0;
      for (Parameter p : layer.parameters()) {
        mine += values(p.shape().toArray());
      }
      for (Parameter b : layer.buffers()) {
        buffers += values(b.shape().toArray());
      }
      params += mine;
      rows.add(new String[] {ls.name(), ls.type(), String.valueOf(shapes.get(ls.name())), String.format(java.util.Locale.ROOT, "%,d", mine)});
    }
    rows.add(new String[] {"total", "", "", String.format(java.util.Locale.ROOT, "%,d", params)});
    int[] width = new int[4];
    for (String[] r : rows) {
      for (int c = 0; c < 4; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] r : rows) {
      out.append(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s", r[0],
          r[1], r[2], r[3]).stripTrailing()).append('\n');
    }
    if (buffers > 0) {
      out.append(String.format(java.util.Locale.ROOT, "(and %,d values in buffers: batch normalisation's running statistics)%n",
          buffers));
    }
    return out.toString();
  }

  private static long values(int[] dims) {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** Builds the network with all parameters zero (buffers at their defaults), for loading saved weights into. */
  public static Network uninitialised(NetworkSpec spec, Backend backend, DType dtype) {
    return new Network(spec, backend, dtype, List.of());
  }

  /** As {@link #uninitialised(NetworkSpec, Backend, DType)}, with the layers named in {@code frozenLayers} frozen. */
  public static Network uninitialised(NetworkSpec spec, Backend backend, DType dtype, Collection<String> frozenLayers) {
    return new Network(spec, backend, dtype, frozenLayers);
  }

  /**
   * The layers of {@code spec} that {@code patterns} name, in network order: each pattern is a
   * layer name, or a prefix followed by {@code *} ({@code "conv*"} names every layer whose name
   * starts with {@code conv}).
   *
   * @throws IllegalArgumentException naming every pattern that matches no layer, and the layers there are
   */
  public static List<String> matchLayers(NetworkSpec spec, List<String> patterns) {
    List<String> names = spec.layers().stream().map(LayerSpec::name).toList();
    List<String> unmatched = new ArrayList<>();
    Set<String> chosen = new LinkedHashSet<>();
    for (String pattern : patterns) {
      String p = pattern.trim();
      boolean prefix = p.endsWith("*");
      String stem = prefix ? p.substring(0, p.length() - 1) : p;
      List<String> hit = names.stream().filter(n -> prefix ? n.startsWith(stem) : n.equals(stem)).toList();
      if (hit.isEmpty() || p.isEmpty()) {
        unmatched.add(pattern);
      }
      chosen.addAll(hit);
    }
    if (!unmatched.isEmpty()) {
      throw new IllegalArgumentException("No layer matches " + unmatched + " (a layer name, or a prefix ending in *);"
          + " the network's layers are " + names + ".");
    }
    return names.stream().filter(chosen::contains).toList();
  }

  /** The layers built frozen, in the order given; empty for a network that trains every layer. */
  public List<String> frozenLayers() {
    return frozen;
  }

  private static Layer build(LayerSpec ls, Map<String, List<Integer>> shapes, NetworkSpec spec) {
    String first = ls.inputs().get(0);
    boolean sparse = spec.inputs().stream().anyMatch(i -> i.sparse() && i.name().equals(first));
    return LayerFactories.build(ls, new LayerFactories.Site(shapes.get(first), shapes.get(ls.name()), sparse));
  }

  public NetworkSpec spec() {
    return spec;
  }

  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** The trainable parameters: one flat value buffer and one flat gradient buffer. */
  public ParameterStore parameters() {
    return store;
  }

  /** The non-trainable buffers (e.g. {@code bn_1.running_mean}), values only; empty for most networks. */
  public ParameterStore buffers() {
    return buffers;
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
    boolean fold = batch != null && !values.values().iterator().next().tape().recordsGradients();
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec ls = spec.layers().get(i);
      List<Var> args = new ArrayList<>(ls.inputs().size());
      for (String name : ls.inputs()) {
        args.add(values.get(name));
      }
      Run run = runs[i];
      if (fold && run != null) {
        // each layer of the run feeds only the next; the last one's name takes the run's result
        Var result = layers.get(i) instanceof Conv2d conv
            ? conv.forwardScoring(args, run.batchNorm(), run.relu(), run.maxPool())
            : layers.get(i).forward(List.of(layers.get(i + 1).forward(args)));
        i += run.span() - 1;
        values.put(spec.layers().get(i).name(), result);
        continue;
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
    buffers.close();
  }

  @Override
  public String toString() {
    return "Network(" + layers.size() + " layers, " + store.size() + " parameters"
        + (buffers.size() > 0 ? ", " + buffers.size() + " buffer values" : "") + ")";
  }
}
