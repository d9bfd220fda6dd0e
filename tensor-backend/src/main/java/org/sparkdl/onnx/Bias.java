package org.sparkdl.onnx;

import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.spec.Conv1d;
import org.sparkdl.spec.Conv2d;
import org.sparkdl.spec.Dense;

/** Folds a constant added after a dense layer or convolution into that layer's bias, as exporters split them. */
final class Bias {
  private Bias() {}

  /**
   * Adds (or, with {@code negate}, subtracts) {@code c} to the bias of the layer computing {@code x}
   * when it is a dense layer or convolution and {@code c} is one value or one per output unit or
   * channel; returns the value of the layer, renamed after {@code output} (the value the layer now
   * computes), or null when it cannot.
   */
  static Value fold(NodeMapper m, Value x, Const c, boolean negate, String output) {
    Draft d = x.producer();
    if (d.affine != null) {
      return null;
    }
    int axis;
    int width;
    if (d.spec instanceof Dense dense) {
      axis = x.shape().size() - 1;
      width = dense.units();
    } else if (d.spec instanceof Conv2d || d.spec instanceof Conv1d) {
      axis = 0;
      width = x.shape().get(0);
    } else {
      return null;
    }
    int varies;
    try {
      varies = NodeMapper.variesAlong(c, x.shape());
    } catch (Unsupported e) {
      return null;
    }
    if (varies >= 0 && varies != axis) {
      return null;
    }
    float[] add = NodeMapper.along(c, x.shape(), axis, "the bias");
    float[] bias = d.weights.containsKey("bias") ? d.weights.get("bias").clone() : new float[width];
    for (int i = 0; i < width; i++) {
      bias[i] += negate ? -add[i] : add[i];
    }
    String name = m.unique(output);
    if (d.spec instanceof Dense dense) {
      d.spec = new Dense(name, dense.inputs(), dense.units(), true, dense.init());
    } else if (d.spec instanceof Conv2d conv) {
      d.spec = new Conv2d(name, conv.inputs(), conv.filters(), conv.kernel(), conv.stride(), conv.padding(),
          conv.dilation(), conv.groups(), true, conv.init());
    } else if (d.spec instanceof Conv1d conv) {
      d.spec = new Conv1d(name, conv.inputs(), conv.filters(), conv.kernel(), conv.stride(), conv.padding(),
          conv.dilation(), conv.groups(), true, conv.init());
    }
    d.put("bias", bias);
    return new Value(name, x.shape(), d);
  }

}
