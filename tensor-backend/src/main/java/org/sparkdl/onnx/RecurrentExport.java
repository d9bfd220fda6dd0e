package org.sparkdl.onnx;

import static org.sparkdl.onnx.GraphWriter.integer;
import static org.sparkdl.onnx.GraphWriter.ints;
import static org.sparkdl.onnx.GraphWriter.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;

/**
 * LSTM and GRU layers as ONNX {@code LSTM} / {@code GRU} operators, one per stacked layer, in ONNX's
 * time-major layout between transposes. ONNX orders gate blocks {@code i, o, f, c} (LSTM) and
 * {@code z, r, h} (GRU) where this library, as PyTorch, has {@code i, f, g, o} and {@code r, z, n};
 * GRU's {@code linear_before_reset=1} is PyTorch's reset rule.
 */
final class RecurrentExport {
  /** ONNX's gate block {@code k} is this library's block {@code LSTM_GATES[k]}. */
  static final int[] LSTM_GATES = {0, 3, 1, 2};
  static final int[] GRU_GATES = {1, 0, 2};
  private final GraphWriter g;
  private final Map<String, float[]> values;

  RecurrentExport(GraphWriter g, Map<String, float[]> values) {
    this.g = g;
    this.values = values;
  }

  void write(String name, List<String> inputs, int features, int hidden, int layers, boolean bidirectional,
      boolean returnSequences, boolean lstm) {
    int[] order = lstm ? LSTM_GATES : GRU_GATES;
    int gates = order.length;
    int dirs = bidirectional ? 2 : 1;
    String lengths = "";
    if (inputs.size() > 1) {
      String flat = g.node("Reshape", List.of(inputs.get(1), g.longs(name + "/lengths_shape", -1)), g.fresh(name + "/lengths"));
      lengths = g.node("Cast", List.of(flat), g.fresh(name + "/lengths_int"), integer("to", TensorProto.DataType.INT32_VALUE));
    }
    String x = g.node("Transpose", List.of(inputs.get(0)), g.fresh(name + "/time_major"), ints("perm", List.of(1, 0, 2)));
    String lastState = null;
    for (int k = 0; k < layers; k++) {
      int in = k == 0 ? features : dirs * hidden;
      float[] w = new float[dirs * gates * hidden * in];
      float[] r = new float[dirs * gates * hidden * hidden];
      float[] b = new float[dirs * 2 * gates * hidden];
      for (int d = 0; d < dirs; d++) {
        String suffix = "_l" + k + (d == 1 ? "_reverse" : "");
        reorder(values.get(name + ".weight_ih" + suffix), order, hidden * in, w, d * gates * hidden * in);
        reorder(values.get(name + ".weight_hh" + suffix), order, hidden * hidden, r, d * gates * hidden * hidden);
        reorder(values.get(name + ".bias_ih" + suffix), order, hidden, b, d * 2 * gates * hidden);
        reorder(values.get(name + ".bias_hh" + suffix), order, hidden, b, d * 2 * gates * hidden + gates * hidden);
      }
      String wName = g.floats(name + ".W_l" + k, new long[] {dirs, (long) gates * hidden, in}, w);
      String rName = g.floats(name + ".R_l" + k, new long[] {dirs, (long) gates * hidden, hidden}, r);
      String bName = g.floats(name + ".B_l" + k, new long[] {dirs, 2L * gates * hidden}, b);
      String y = g.fresh(name + "/Y_l" + k);
      String yh = g.fresh(name + "/Y_h_l" + k);
      List<String> outputs = new ArrayList<>(List.of(y, yh));
      var attrs = new ArrayList<>(List.of(integer("hidden_size", hidden),
          text("direction", bidirectional ? "bidirectional" : "forward")));
      if (!lstm) {
        attrs.add(integer("linear_before_reset", 1));
      }
      // named "<layer>/LSTM" (one per stacked layer), as PyTorch names them; the importer names its layers so
      String op = lstm ? "LSTM" : "GRU";
      g.named((k == 0 ? name : name + "_l" + k) + "/" + op, op, lengths.isEmpty() ? List.of(x, wName, rName, bName)
          : List.of(x, wName, rName, bName, lengths), outputs,
          attrs.toArray(new org.sparkdl.onnx.proto.OnnxProto.AttributeProto[0]));
      // Y [T, D, N, H] -> [T, N, D H], the next layer's input
      String tnd = g.node("Transpose", List.of(y), g.fresh(name + "/Y_tnd_l" + k), ints("perm", List.of(0, 2, 1, 3)));
      x = g.node("Reshape", List.of(tnd, g.longs(name + "/seq_shape", 0, 0, -1)), g.fresh(name + "/seq_l" + k));
      lastState = yh;
    }
    if (returnSequences) {
      g.node("Transpose", List.of(x), name, ints("perm", List.of(1, 0, 2)));
    } else {
      // Y_h [D, N, H] -> [N, D H], forward state first
      String nd = g.node("Transpose", List.of(lastState), g.fresh(name + "/Y_h_nd"), ints("perm", List.of(1, 0, 2)));
      g.node("Reshape", List.of(nd, g.longs(name + "/state_shape", 0, -1)), name);
    }
  }

  /** Copies {@code from}'s gate blocks of {@code block} values into {@code to} at {@code at}, in ONNX order. */
  static void reorder(float[] from, int[] order, int block, float[] to, int at) {
    for (int k = 0; k < order.length; k++) {
      System.arraycopy(from, order[k] * block, to, at + k * block, block);
    }
  }
}
