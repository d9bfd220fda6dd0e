package org.sparkdl.onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.spec.Gru;
import org.sparkdl.spec.Lstm;

/**
 * {@code LSTM} and {@code GRU} nodes, and the transposes, reshapes and squeezes exporters put around
 * them (ONNX's recurrent operators are time-major: {@code X [T, N, F]}, {@code Y [T, D, N, H]},
 * {@code Y_h [D, N, H]}), as this library's batch-first recurrent layers, one per node. Values in
 * those layouts are tracked as forms of a batch-first value, and become it again where the
 * exporter's nodes bring them back to batch-first. Layout 1 ({@code X [N, T, F]}, {@code Y [N, T,
 * D, H]}, {@code Y_h [N, D, H]}) is read too: its outputs need only their direction axis merged.
 */
final class RecurrentImport {
  private enum Kind {
    TIME_MAJOR, LENGTHS, Y, Y_TND, Y_BATCH, Y_H, Y_H_BATCH,
    /** Y of a layer made to give its last state, read only for its last step: {@code [T, 1, N, H]}, ... */
    LAST_Y,
    /** ... squeezed to {@code [T, N, H]}, ... */
    LAST_TIME_MAJOR,
    /** ... or batch first, {@code [N, T, 1, H]} (layout 1) ... */
    LAST_Y_BATCH,
    /** ... squeezed or transposed to {@code [N, T, H]}. */
    LAST_BATCH
  }

  /** A value in one of ONNX's recurrent layouts, standing for {@code base}. */
  private record Form(Kind kind, Value base, int dirs) {}

  private final NodeMapper m;
  private final Map<String, Form> forms = new HashMap<>();
  /** Per layer made to give its last state for {@code out[:, -1]}, the steps of its input. */
  private final Map<String, Integer> lastSteps = new HashMap<>();

  RecurrentImport(NodeMapper m) {
    this.m = m;
  }

  /** Maps {@code n} when it reads or makes a recurrent layout; returns whether it did. */
  boolean handles(NodeProto n) {
    if (n.getInputCount() == 0 || n.getOutputCount() == 0) {
      return false;
    }
    String op = n.getOpType();
    String out = n.getOutput(0);
    Form f = forms.get(n.getInput(0));
    if (f == null) {
      Value x = m.valueOrNull(n.getInput(0));
      if (x == null) {
        return false;
      }
      if (op.equals("Transpose") && x.shape().size() == 2 && Arrays.equals(Attrs.ints(n, "perm"), new long[] {1, 0, 2})
          && consumedByRecurrent(out)) {
        forms.put(out, new Form(Kind.TIME_MAJOR, x, 1));
        return true;
      }
      if (op.equals("Reshape") && x.producer() == null && x.shape().equals(List.of(1)) && consumedByRecurrent(out)) {
        forms.put(out, new Form(Kind.LENGTHS, x, 1));
        return true;
      }
      return false;
    }
    if (op.equals("LSTM") || op.equals("GRU")) {
      return false;
    }
    long[] perm = Attrs.ints(n, "perm");
    switch (f.kind()) {
      case LENGTHS -> {
        if (op.equals("Cast") || op.equals("Identity")) {
          forms.put(out, f);
          return true;
        }
      }
      case TIME_MAJOR -> {
        if (op.equals("Transpose") && Arrays.equals(perm, new long[] {1, 0, 2})) {
          m.alias(out, f.base());
          return true;
        }
      }
      case Y -> {
        if (op.equals("Transpose") && Arrays.equals(perm, new long[] {0, 2, 1, 3})) {
          forms.put(out, new Form(Kind.Y_TND, f.base(), f.dirs()));
          return true;
        }
        if (op.equals("Squeeze") && f.dirs() == 1 && Arrays.equals(axes(n), new long[] {1})) {
          forms.put(out, new Form(Kind.TIME_MAJOR, f.base(), 1));
          return true;
        }
      }
      case Y_TND -> {
        if (op.equals("Reshape")) {
          long[] shape = m.constant(n, 1, "the shape").asLongs();
          if (shape.length == 3 && shape[0] == 0 && shape[1] == 0) {
            forms.put(out, new Form(Kind.TIME_MAJOR, f.base(), 1));
            return true;
          }
        }
      }
      case Y_BATCH -> {
        if (op.equals("Squeeze") && f.dirs() == 1 && Arrays.equals(axes(n), new long[] {2})) {
          m.alias(out, f.base());
          return true;
        }
        if (op.equals("Reshape") && mergesDirections(m.constant(n, 1, "the shape").asLongs(), f)) {
          m.alias(out, f.base());
          return true;
        }
      }
      case Y_H -> {
        if (op.equals("Transpose") && Arrays.equals(perm, new long[] {1, 0, 2})) {
          forms.put(out, new Form(Kind.Y_H_BATCH, f.base(), f.dirs()));
          return true;
        }
        if (op.equals("Squeeze") && f.dirs() == 1 && Arrays.equals(axes(n), new long[] {0})
            || op.equals("Gather") && f.dirs() == 1 && lastOrOnly(n)) {
          m.alias(out, f.base());
          return true;
        }
      }
      case Y_H_BATCH -> {
        if (op.equals("Reshape")) {
          long[] shape = m.constant(n, 1, "the shape").asLongs();
          if (shape.length == 2 && shape[0] == 0) {
            m.alias(out, f.base());
            return true;
          }
        }
        if (op.equals("Squeeze") && f.dirs() == 1 && Arrays.equals(axes(n), new long[] {1})
            || op.equals("Flatten") && Attrs.integer(n, "axis", 1) == 1) {
          m.alias(out, f.base());
          return true;
        }
      }
      case LAST_Y -> {
        if (op.equals("Squeeze") && Arrays.equals(axes(n), new long[] {1})) {
          forms.put(out, new Form(Kind.LAST_TIME_MAJOR, f.base(), 1));
          return true;
        }
      }
      case LAST_Y_BATCH -> {
        if (op.equals("Squeeze") && Arrays.equals(axes(n), new long[] {2})) {
          forms.put(out, new Form(Kind.LAST_BATCH, f.base(), 1));
          return true;
        }
      }
      case LAST_TIME_MAJOR -> {
        if (op.equals("Transpose") && Arrays.equals(perm, new long[] {1, 0, 2})) {
          forms.put(out, new Form(Kind.LAST_BATCH, f.base(), 1));
          return true;
        }
        if (op.equals("Gather")) {
          lastStep(n, f, 0);
          m.alias(out, f.base());
          return true;
        }
      }
      case LAST_BATCH -> {
        if (op.equals("Gather")) {
          lastStep(n, f, 1);
          m.alias(out, f.base());
          return true;
        }
      }
      default -> throw new IllegalStateException(f.kind().toString());
    }
    throw new Unsupported("it reads the time-major layout of a recurrent layer; only the transposes, reshapes and"
        + " squeezes exporters put around LSTM and GRU are read");
  }

  /**
   * Whether a {@code Gather} of a one-direction {@code Y_h [1, N, H]} takes its only entry along
   * axis 0 with a scalar index (PyTorch's {@code h[-1]} or {@code h[0]}), which leaves {@code [N, H]}.
   */
  private boolean lastOrOnly(NodeProto n) {
    Long index = scalarIndex(n);
    return Attrs.integer(n, "axis", 0) == 0 && index != null && (index == 0 || index == -1);
  }

  /** The constant scalar index of a {@code Gather}, or null when it is not one. */
  private Long scalarIndex(NodeProto n) {
    Const index = m.constOrNull(n.getInputCount() > 1 ? n.getInput(1) : "");
    return index != null && index.rank() == 0 ? index.asLongs()[0] : null;
  }

  /**
   * Checks that a {@code Gather} of a layer's steps takes the last one along {@code axis} (PyTorch's
   * {@code out[:, -1]} or {@code out[-1]}): the layer was made to give its last state when its
   * sequence was found read only this way ({@link #lastStepOnly}).
   */
  private void lastStep(NodeProto n, Form f, int axis) {
    int steps = stepsOf(f);
    Long i = scalarIndex(n);
    if (Attrs.integer(n, "axis", 0) != axis || i == null || !(i == -1 || steps > 0 && i == steps - 1)) {
      throw new Unsupported("it takes " + (i == null ? "several steps" : "step " + i)
          + " of a recurrent layer's sequence along axis " + Attrs.integer(n, "axis", 0) + "; of a sequence read only"
          + " through a Gather, the last step (index -1 along the steps' axis) is read");
    }
  }

  private int stepsOf(Form f) {
    Integer t = lastSteps.get(f.base().node());
    return t == null ? -1 : t;
  }

  /**
   * Whether the sequence {@code y} of a one-direction layer is read only through a chain ending in
   * one {@code Gather} (PyTorch's {@code out[:, -1, :]}): a {@code Squeeze}, perhaps a {@code
   * Transpose}, then the {@code Gather}, each the only reader of what it reads. Their attributes and
   * the step taken are checked as they are mapped ({@link #lastStep}); here only their order, as the
   * constants they read may come later in the graph.
   */
  private boolean lastStepOnly(String y) {
    NodeProto squeeze = m.onlyReader(y);
    if (squeeze == null || !squeeze.getOpType().equals("Squeeze")) {
      return false;
    }
    NodeProto next = m.onlyReader(squeeze.getOutput(0));
    if (next != null && next.getOpType().equals("Transpose")) {
      next = m.onlyReader(next.getOutput(0));
    }
    return next != null && next.getOpType().equals("Gather");
  }

  /** Whether {@code shape} turns {@code [N, T, D, H]} into {@code [N, T, D H]}, batch and steps copied or inferred. */
  private static boolean mergesDirections(long[] shape, Form y) {
    List<Integer> per = y.base().shape();
    return shape.length == 3 && (shape[0] == 0 || shape[0] == -1) && (shape[1] == 0 || shape[1] == per.get(0))
        && (shape[2] == per.get(1) || shape[2] == -1 && shape[0] != -1);
  }

  private long[] axes(NodeProto n) {
    return n.getInputCount() > 1 ? m.constant(n, 1, "axes").asLongs() : Attrs.ints(n, "axes");
  }

  /**
   * Whether only recurrent layers read {@code value}, besides casts and {@code Shape} nodes (PyTorch
   * reads the batch size of a time-major input for the layer's zero initial state).
   */
  private boolean consumedByRecurrent(String value) {
    return m.consumerOps(value).stream().allMatch(op -> op.equals("LSTM") || op.equals("GRU") || op.equals("Cast")
        || op.equals("Shape"));
  }

  /** {@code [T, batch, F]} when {@code value} is the time-major transpose of a sequence {@code [T, F]}, else null. */
  long[] timeMajorDims(String value, long batch) {
    Form f = forms.get(value);
    if (f == null || f.kind() != Kind.TIME_MAJOR) {
      return null;
    }
    List<Integer> per = f.base().shape();
    return new long[] {per.get(0), batch, per.get(1)};
  }

  void map(NodeProto n, boolean lstm) {
    String op = n.getOpType();
    boolean batchFirst = Attrs.integer(n, "layout", 0) != 0;
    Value x = batchFirst ? batchFirstInput(n) : timeMajorInput(n);
    String direction = Attrs.text(n, "direction", "forward");
    if (!direction.equals("forward") && !direction.equals("bidirectional")) {
      throw new Unsupported("direction '" + direction + "'; forward and bidirectional are read");
    }
    if (Attrs.find(n, "activations") != null || Attrs.find(n, "clip") != null || Attrs.integer(n, "input_forget", 0) != 0) {
      throw new Unsupported("custom activations, clip or input_forget");
    }
    if (!lstm && Attrs.integer(n, "linear_before_reset", 0) != 1) {
      throw new Unsupported("linear_before_reset=0; this library's GRU (as PyTorch's) resets after the recurrent product");
    }
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    int gates = lstm ? 4 : 3;
    int hidden = (int) Attrs.integer(n, "hidden_size", -1);
    int features = x.shape().get(1);
    Const w = m.constant(n, 1, "W");
    Const r = m.constant(n, 2, "R");
    long gh = (long) gates * hidden;
    if (hidden <= 0 || !Arrays.equals(w.dims(), new long[] {dirs, gh, features})
        || !Arrays.equals(r.dims(), new long[] {dirs, gh, hidden})) {
      throw new Unsupported("W " + Arrays.toString(w.dims()) + " and R " + Arrays.toString(r.dims()) + " do not fit"
          + " hidden_size " + hidden + ", " + dirs + " direction(s) and " + features + " input features");
    }
    Const b = present(n, 3) ? m.constant(n, 3, "B") : null;
    if (b != null && !Arrays.equals(b.dims(), new long[] {dirs, 2 * gh})) {
      throw new Unsupported("B " + Arrays.toString(b.dims()) + " does not fit");
    }
    String lengths = null;
    if (present(n, 4)) {
      Form l = forms.get(n.getInput(4));
      if (l == null || l.kind() != Kind.LENGTHS) {
        throw new Unsupported("sequence_lens must come from a network input of one length per example");
      }
      lengths = l.base().node();
    }
    for (int i = 5; i < n.getInputCount(); i++) {
      if (present(n, i)) {
        if (i < 7 && m.isRuntimeZeros(n.getInput(i))) {
          continue;
        }
        Const c = m.constOrNull(n.getInput(i));
        boolean zeros = c != null && i < 7;
        for (int j = 0; zeros && j < c.size(); j++) {
          zeros = c.asFloats()[j] == 0;
        }
        if (!zeros) {
          throw new Unsupported(i == 7 ? "peephole weights P" : "an initial state other than zeros");
        }
      }
    }
    boolean sequences = m.used(n, 0);
    // out[:, -1, :] of a one-direction layer: the layer gives its last state instead of every step
    boolean last = sequences && dirs == 1 && lengths == null && !m.used(n, 1) && !m.used(n, 2)
        && lastStepOnly(n.getOutput(0));
    sequences &= !last;
    if (sequences && m.used(n, 1) || m.used(n, 2)) {
      throw new Unsupported("both the sequence and the last state" + (m.used(n, 2) ? " (or the cell state)" : "")
          + " are used; a layer gives one of them");
    }
    int[] order = lstm ? RecurrentExport.LSTM_GATES : RecurrentExport.GRU_GATES;
    // named after the node, less the operator PyTorch and the exporter append ("/lstm/LSTM" is layer "lstm")
    String node = n.getName().replaceFirst("/" + op + "$", "");
    String name = m.unique(node.isEmpty() ? n.getOutput(0) : node);
    List<String> inputs = lengths == null ? List.of(x.node()) : List.of(x.node(), lengths);
    String out = sequences || last ? n.getOutput(0) : n.getOutputCount() > 1 ? n.getOutput(1) : n.getOutput(0);
    Draft d = m.add(out, lstm ? new Lstm(name, inputs, hidden, 1, dirs == 2, sequences)
        : new Gru(name, inputs, hidden, 1, dirs == 2, sequences));
    float[] bias = b == null ? new float[(int) (dirs * 2 * gh)] : b.asFloats();
    for (int k = 0; k < dirs; k++) {
      String suffix = "_l0" + (k == 1 ? "_reverse" : "");
      d.put("weight_ih" + suffix, ours(w.asFloats(), order, hidden * features, k * gh * features));
      d.put("weight_hh" + suffix, ours(r.asFloats(), order, hidden * hidden, k * gh * hidden));
      d.put("bias_ih" + suffix, ours(bias, order, hidden, k * 2 * gh));
      d.put("bias_hh" + suffix, ours(bias, order, hidden, k * 2 * gh + gh));
    }
    Value layer = m.value(out);
    Kind kind = last ? (batchFirst ? Kind.LAST_Y_BATCH : Kind.LAST_Y)
        : sequences ? (batchFirst ? Kind.Y_BATCH : Kind.Y) : (batchFirst ? Kind.Y_H_BATCH : Kind.Y_H);
    forms.put(out, new Form(kind, layer, dirs));
    if (last) {
      lastSteps.put(layer.node(), x.shape().get(0));
    }
  }

  /** X of layout 0: the time-major transpose {@code [T, N, F]} of a batch-first sequence. */
  private Value timeMajorInput(NodeProto n) {
    Form x = forms.get(n.getInput(0));
    if (x == null || x.kind() != Kind.TIME_MAJOR) {
      throw new Unsupported("X must be the time-major transpose of a sequence ([T, N, F], layout 0)");
    }
    return x.base();
  }

  /** X of layout 1: a batch-first sequence {@code [N, T, F]} itself. */
  private Value batchFirstInput(NodeProto n) {
    Value x = m.value(n.getInput(0));
    if (x.shape().size() != 2) {
      throw new Unsupported("X of layout 1 must be [N, T, F]; found " + x.shape() + " per example");
    }
    return x;
  }

  private boolean present(NodeProto n, int input) {
    return n.getInputCount() > input && !n.getInput(input).isEmpty();
  }

  /** The gate blocks of one direction of an ONNX tensor at {@code at}, in this library's order. */
  private static float[] ours(float[] onnx, int[] order, int block, long at) {
    float[] out = new float[order.length * block];
    for (int k = 0; k < order.length; k++) {
      System.arraycopy(onnx, (int) at + k * block, out, order[k] * block, block);
    }
    return out;
  }
}
