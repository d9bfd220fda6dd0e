package org.sparkdl.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.spec.AvgPool2d;
import org.sparkdl.spec.Conv1d;
import org.sparkdl.spec.Conv2d;
import org.sparkdl.spec.MaxPool2d;
import org.sparkdl.spec.Padding;

/** {@code Conv}, {@code MaxPool} and {@code AveragePool} nodes as convolution and pooling layers. */
final class WindowImport {
  private WindowImport() {}

  static void conv(NodeMapper m, NodeProto n) {
    Value x = m.value(n.getInput(0));
    Const w = m.constant(n, 1, "the weight");
    int spatial = x.shape().size() - 1;
    if (spatial < 1 || spatial > 2 || w.rank() != spatial + 2) {
      throw new Unsupported("a " + spatial + "-D convolution of weight " + Arrays.toString(w.dims())
          + "; 1-D and 2-D convolutions are layers");
    }
    List<Integer> kernel = new ArrayList<>();
    for (int i = 2; i < w.rank(); i++) {
      kernel.add((int) w.dims()[i]);
    }
    long[] shapeAttr = Attrs.ints(n, "kernel_shape");
    if (shapeAttr.length > 0 && !Arrays.equals(shapeAttr, Arrays.stream(w.dims()).skip(2).toArray())) {
      throw new Unsupported("kernel_shape " + Arrays.toString(shapeAttr) + " differs from the weight's " + kernel);
    }
    List<Integer> stride = perAxis(n, "strides", spatial);
    List<Integer> dilation = perAxis(n, "dilations", spatial);
    Padding padding = padding(n, spatial);
    int groups = (int) Attrs.integer(n, "group", 1);
    int filters = (int) w.dims()[0];
    Const b = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? m.constant(n, 2, "the bias") : null;
    String out = n.getOutput(0);
    String name = m.unique(out);
    Draft d = m.add(out, spatial == 2
        ? new Conv2d(name, List.of(x.node()), filters, kernel, stride, padding, dilation, groups, b != null,
            Conv2d.DEFAULT_INIT)
        : new Conv1d(name, List.of(x.node()), filters, kernel.get(0), stride.get(0), padding, dilation.get(0), groups,
            b != null, Conv2d.DEFAULT_INIT));
    d.put("weight", w.asFloats());
    if (b != null) {
      d.put("bias", NodeMapper.along(b, List.of(filters), 0, "the bias"));
    }
  }

  static void pool(NodeMapper m, NodeProto n) {
    Value x = m.value(n.getInput(0));
    boolean max = n.getOpType().equals("MaxPool");
    if (x.shape().size() != 3) {
      throw new Unsupported("pooling of " + x.shape() + " per example; 2-D pooling of [channels, height, width] is a layer");
    }
    if (max && m.used(n, 1)) {
      throw new Unsupported("its indices output is used");
    }
    long[] k = Attrs.ints(n, "kernel_shape");
    if (k.length != 2) {
      throw new Unsupported("kernel_shape " + Arrays.toString(k) + " is not 2-D");
    }
    List<Integer> kernel = List.of((int) k[0], (int) k[1]);
    List<Integer> stride = perAxis(n, "strides", 2);
    if (perAxis(n, "dilations", 2).stream().anyMatch(d -> d != 1)) {
      throw new Unsupported("dilated pooling");
    }
    Padding padding = padding(n, 2);
    if (Attrs.integer(n, "ceil_mode", 0) != 0 && !ceilIsFloor(x.shape(), kernel, stride, padding)) {
      throw new Unsupported("ceil_mode=1 gives larger outputs than the pooling layers' floor rule here");
    }
    String out = n.getOutput(0);
    String name = m.unique(out);
    m.add(out, max ? new MaxPool2d(name, List.of(x.node()), kernel, stride, padding)
        : new AvgPool2d(name, List.of(x.node()), kernel, stride, padding, Attrs.integer(n, "count_include_pad", 0) != 0));
  }

  private static boolean ceilIsFloor(List<Integer> shape, List<Integer> kernel, List<Integer> stride, Padding padding) {
    if (padding.same()) {
      return true;
    }
    for (int i = 0; i < 2; i++) {
      int span = shape.get(i + 1) + 2 * (padding.sizes().isEmpty() ? 0 : padding.sizes().get(i)) - kernel.get(i);
      if (span % stride.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static List<Integer> perAxis(NodeProto n, String attr, int rank) {
    long[] v = Attrs.ints(n, attr);
    if (v.length != 0 && v.length != rank) {
      throw new Unsupported(attr + " " + Arrays.toString(v) + " does not have " + rank + " entries");
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      long value = v.length == 0 ? 1 : v[i];
      if (value < 1 || value > Integer.MAX_VALUE) {
        throw new Unsupported(attr + " " + Arrays.toString(v) + " must be >= 1");
      }
      out.add((int) value);
    }
    return out;
  }

  private static Padding padding(NodeProto n, int rank) {
    String auto = Attrs.text(n, "auto_pad", "NOTSET");
    switch (auto) {
      case "SAME_UPPER" -> {
        return Padding.SAME;
      }
      case "VALID" -> {
        return Padding.VALID;
      }
      case "NOTSET" -> {
        long[] pads = Attrs.ints(n, "pads");
        int[] sizes = new int[rank];
        if (pads.length == 0) {
          return Padding.of(sizes);
        }
        if (pads.length != 2 * rank) {
          throw new Unsupported("pads " + Arrays.toString(pads) + " does not have " + 2 * rank + " entries");
        }
        for (int i = 0; i < rank; i++) {
          if (pads[i] != pads[i + rank]) {
            throw new Unsupported("pads " + Arrays.toString(pads) + " pad the two ends of an axis differently;"
                + " the layers pad both ends alike");
          }
          sizes[i] = (int) pads[i];
        }
        return Padding.of(sizes);
      }
      default -> throw new Unsupported("auto_pad " + auto + "; NOTSET, VALID and SAME_UPPER are read");
    }
  }
}
