package org.sparkdl.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;
import org.sparkdl.spec.Activation;
import org.sparkdl.spec.AvgPool2d;
import org.sparkdl.spec.Conv1d;
import org.sparkdl.spec.Conv2d;
import org.sparkdl.spec.GlobalAvgPool;
import org.sparkdl.spec.MaxPool2d;
import org.sparkdl.spec.Padding;
import org.sparkdl.spec.SequenceMeanPool;

/** {@code Conv}, {@code MaxPool} and {@code AveragePool} nodes as convolution and pooling layers. */
final class WindowImport {
  private WindowImport() {}

  static void conv(NodeMapper m, NodeProto n) {
    NodeMapper.FoldedPad pad = m.foldedPad(n.getInput(0));
    Value x = pad != null ? pad.input() : m.value(n.getInput(0));
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
    Padding padding = padding(n, x.shape().subList(1, x.shape().size()), kernel, stride, dilation, false, pad);
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
    boolean max = n.getOpType().equals("MaxPool");
    NodeMapper.FoldedPad pad = m.foldedPad(n.getInput(0));
    Value x = pad != null ? pad.input() : m.value(n.getInput(0));
    boolean countPad = Attrs.integer(n, "count_include_pad", 0) != 0;
    if (!max && pad != null) {
      // the Pad's zeros are inputs, which the average counts: with its own padding counted too, or none of its own
      if (!countPad && Arrays.stream(Attrs.ints(n, "pads")).anyMatch(p -> p != 0)) {
        throw new Unsupported("count_include_pad=0 with pads of its own after a zero Pad: the average would count the"
            + " Pad's zeros and not its own padding, which one pooling layer cannot do");
      }
      if (Attrs.integer(n, "ceil_mode", 0) != 0) {
        throw new Unsupported("ceil_mode after a zero Pad: the windows hanging over the end would count the Pad's zeros"
            + " and not the positions past them, which one pooling layer cannot do");
      }
      countPad = true;
    }
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
    List<Integer> dilation = perAxis(n, "dilations", 2);
    if (dilation.stream().anyMatch(d -> d != 1)) {
      throw new Unsupported("dilated pooling");
    }
    Padding padding = padding(n, x.shape().subList(1, 3), kernel, stride, dilation, true, pad);
    String out = n.getOutput(0);
    String name = m.unique(out);
    m.add(out, max ? new MaxPool2d(name, List.of(x.node()), kernel, stride, padding)
        : new AvgPool2d(name, List.of(x.node()), kernel, stride, padding, countPad));
  }

  /**
   * {@code ReduceMean} where it is a layer: over the steps of a sequence (axis 1, the axis dropped:
   * PyTorch's {@code x.mean(dim=1)}), or over every axis after the channels (Keras' and tf2onnx's
   * global average pooling, as {@code GlobalAveragePool}).
   */
  static void reduceMean(NodeMapper m, NodeProto n) {
    Value x = m.value(n.getInput(0));
    int rank = x.shape().size() + 1;
    long[] axes = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? m.constant(n, 1, "axes").asLongs()
        : Attrs.ints(n, "axes");
    long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
    boolean keep = Attrs.integer(n, "keepdims", 1) != 0;
    long[] spatial = LongStream.range(2, rank).toArray();
    String out = n.getOutput(0);
    if (rank >= 3 && !keep && Arrays.equals(sorted, new long[] {1})) {
      m.add(out, new SequenceMeanPool(m.unique(out), x.node()));
    } else if (rank >= 3 && Arrays.equals(sorted, spatial)) {
      m.add(out, new GlobalAvgPool(m.unique(out), List.of(x.node())));
    } else {
      throw new Unsupported("the mean over axes " + OnnxTensors.clip(Arrays.toString(axes)) + (keep ? ", kept," : "")
          + " of " + x.shape() + " per example; the mean over a sequence's steps (axis 1, not kept) or over every axis"
          + " after the channels is a layer");
    }
  }

  /**
   * A {@code Pad} of zeros on the spatial axes, as PyTorch writes {@code nn.ZeroPad2d} and {@code
   * F.pad} and Keras' {@code ZeroPadding2D} becomes: no layer of its own, it is folded into the
   * padding of the convolutions that read it (which then pad by the sum), so it must be read by
   * convolutions alone, by average poolings alone (which then count the padding in each window's
   * divisor, as the Pad's zeros are inputs to them), or by max poolings of values known to be {@code
   * >= 0} (Keras' ResNet stem: ReLU, ZeroPadding2D, MaxPooling2D). A max pooling's own padding never
   * wins a maximum, a zero does over negative values, so elsewhere a zero Pad before it is another
   * computation.
   */
  static void pad(NodeMapper m, NodeProto n) {
    Value x = m.value(n.getInput(0));
    String mode = Attrs.text(n, "mode", "constant");
    if (!mode.equals("constant")) {
      throw new Unsupported("mode '" + OnnxTensors.clip(mode) + "'; zero padding (mode 'constant') is read");
    }
    if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
      throw new Unsupported("an 'axes' input; pads for every axis are read");
    }
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      float[] value = m.constant(n, 2, "the constant value").asFloats();
      if (value.length != 1 || value[0] != 0) {
        throw new Unsupported("it pads with " + (value.length == 1 ? Float.toString(value[0]) : value.length + " values")
            + "; zero padding is read");
      }
    }
    long[] pads = m.constant(n, 1, "pads").asLongs();
    int rank = x.shape().size() + 1;
    if (rank < 3 || rank > 4) {
      throw new Unsupported("a pad of " + x.shape() + " per example; padding before a 1-D or 2-D convolution is read");
    }
    if (pads.length != 2 * rank) {
      throw new Unsupported("pads " + OnnxTensors.clip(Arrays.toString(pads)) + " does not have " + 2 * rank + " entries");
    }
    if (pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0) {
      throw new Unsupported("it pads the batch or channel axis; padding of the spatial axes folds into a convolution");
    }
    int[][] ends = new int[rank - 2][];
    for (int i = 0; i < rank - 2; i++) {
      long before = pads[i + 2];
      long after = pads[rank + i + 2];
      if (before < 0 || after < 0 || before > Integer.MAX_VALUE || after > Integer.MAX_VALUE) {
        throw new Unsupported("pads " + OnnxTensors.clip(Arrays.toString(pads)) + " must be >= 0 (a negative pad crops)");
      }
      ends[i] = new int[] {(int) before, (int) after};
    }
    String out = n.getOutput(0);
    if (!m.readOnlyBy(out, "Conv") && !m.readOnlyBy(out, "AveragePool")
        && !(m.readOnlyBy(out, "MaxPool") && nonNegative(x))) {
      List<String> readers = m.consumerOps(out);
      throw new Unsupported((readers.isEmpty() ? "its output is a graph output" : "its output is read by "
          + String.join(", ", readers)) + "; a zero Pad is read where it folds into the convolutions or average poolings"
          + " reading it, or into the max poolings of a ReLU's, sigmoid's or softmax's output, which a padded zero never"
          + " outweighs (there is no padding layer)");
    }
    m.fold(out, new NodeMapper.FoldedPad(x, ends));
  }

  /**
   * Whether every value of {@code v} is known to be {@code >= 0}: the output of a ReLU, a sigmoid
   * or a softmax. Max pooling such values over zero padding gives the maxima it gives over its own
   * padding, which never wins, as long as each window holds an input value.
   */
  private static boolean nonNegative(Value v) {
    return v.producer() != null && v.producer().spec instanceof Activation a
        && List.of("relu", "sigmoid", "softmax").contains(a.function());
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

  /**
   * The layer padding that reproduces the node's: ONNX pads each end of an axis on its own ({@code
   * pads}, {@code SAME_UPPER}, {@code SAME_LOWER}, and for pooling the extra end positions of {@code
   * ceil_mode}). In the simplest form that computes the same windows: both ends alike where the
   * longer end is never reached by a window (the output size is that of the shorter end on both),
   * {@code "same"} where the split is its own for this input, otherwise each end as given. A zero
   * Pad {@code folded} into the node (null: none) adds its zeros to the node's own.
   */
  private static Padding padding(NodeProto n, List<Integer> in, List<Integer> kernel, List<Integer> stride,
      List<Integer> dilation, boolean pool, NodeMapper.FoldedPad folded) {
    int rank = in.size();
    int[][] ends = ends(n, in, kernel, stride, dilation);
    if (folded != null) {
      if (!Attrs.text(n, "auto_pad", "NOTSET").equals("NOTSET")) {
        throw new Unsupported("auto_pad " + OnnxTensors.clip(Attrs.text(n, "auto_pad", "")) + " after a Pad node; the Pad"
            + " folds into a convolution with explicit pads");
      }
      for (int i = 0; i < rank; i++) {
        ends[i][0] += folded.ends()[i][0];
        ends[i][1] += folded.ends()[i][1];
      }
    }
    if (pool && Attrs.integer(n, "ceil_mode", 0) != 0) {
      ceilEnds(n, ends, in, kernel, stride);
    }
    boolean same = true;
    for (int i = 0; i < rank; i++) {
      same &= Arrays.equals(ends[i], sameSplit(in.get(i), span(kernel, dilation, i), stride.get(i), false));
    }
    if (same && Attrs.text(n, "auto_pad", "NOTSET").startsWith("SAME")) {
      return Padding.SAME;
    }
    int[] sizes = new int[rank];
    boolean even = true;
    for (int i = 0; i < rank && even; i++) {
      sizes[i] = ends[i][0];
      even = ends[i][0] == ends[i][1] || ends[i][1] > ends[i][0]
          && outputSize(in.get(i), ends[i][0], ends[i][0], span(kernel, dilation, i), stride.get(i))
          == outputSize(in.get(i), ends[i][0], ends[i][1], span(kernel, dilation, i), stride.get(i));
    }
    if (even) {
      return Padding.of(sizes);
    }
    if (same) {
      return Padding.SAME;
    }
    int[] before = new int[rank];
    int[] after = new int[rank];
    for (int i = 0; i < rank; i++) {
      before[i] = ends[i][0];
      after[i] = ends[i][1];
    }
    return Padding.of(before, after);
  }

  /** Padding before and after each spatial axis as the node states it. */
  private static int[][] ends(NodeProto n, List<Integer> in, List<Integer> kernel, List<Integer> stride,
      List<Integer> dilation) {
    int rank = in.size();
    int[][] ends = new int[rank][2];
    String auto = Attrs.text(n, "auto_pad", "NOTSET");
    switch (auto) {
      case "SAME_UPPER", "SAME_LOWER" -> {
        for (int i = 0; i < rank; i++) {
          ends[i] = sameSplit(in.get(i), span(kernel, dilation, i), stride.get(i), auto.equals("SAME_LOWER"));
        }
      }
      case "VALID" -> { }
      case "NOTSET" -> {
        long[] pads = Attrs.ints(n, "pads");
        if (pads.length != 0 && pads.length != 2 * rank) {
          throw new Unsupported("pads " + Arrays.toString(pads) + " does not have " + 2 * rank + " entries");
        }
        for (int i = 0; i < pads.length / 2; i++) {
          if (pads[i] < 0 || pads[i + rank] < 0 || pads[i] > Integer.MAX_VALUE || pads[i + rank] > Integer.MAX_VALUE) {
            throw new Unsupported("pads " + Arrays.toString(pads) + " must be >= 0");
          }
          ends[i] = new int[] {(int) pads[i], (int) pads[i + rank]};
        }
      }
      default -> throw new Unsupported("auto_pad " + OnnxTensors.clip(auto) + "; NOTSET, VALID, SAME_UPPER and"
          + " SAME_LOWER are read");
    }
    return ends;
  }

  /**
   * Extends the end padding of each axis to what {@code ceil_mode=1} reads: the output size rounds
   * up, but a window that would start in the end padding is dropped (as PyTorch and ONNX Runtime do).
   * The extra positions count in no window's maximum, and in an average only with {@code
   * count_include_pad}, which ONNX Runtime then leaves out of the divisor and the layer does not.
   */
  private static void ceilEnds(NodeProto n, int[][] ends, List<Integer> in, List<Integer> kernel, List<Integer> stride) {
    if (!Attrs.text(n, "auto_pad", "NOTSET").equals("NOTSET")) {
      return;   // auto_pad fixes the output size itself
    }
    for (int i = 0; i < in.size(); i++) {
      int size = in.get(i) + ends[i][0] + ends[i][1] - kernel.get(i);
      int out = Math.floorDiv(size + stride.get(i) - 1, stride.get(i)) + 1;
      if ((out - 1) * stride.get(i) >= in.get(i) + ends[i][0]) {
        out--;
      }
      int needed = (out - 1) * stride.get(i) + kernel.get(i) - in.get(i) - ends[i][0];
      if (needed > ends[i][1]) {
        if (n.getOpType().equals("AveragePool") && Attrs.integer(n, "count_include_pad", 0) != 0) {
          throw new Unsupported("ceil_mode=1 with count_include_pad=1 adds a window at the end of axis " + i
              + " whose divisor ONNX Runtime clips to the padded input, while the layer divides by the whole window");
        }
        ends[i][1] = needed;
      }
    }
  }

  /** Padding before and after of {@code "same"} (SAME_UPPER; with {@code lower}, SAME_LOWER): the odd element at the end. */
  private static int[] sameSplit(int in, int span, int stride, boolean lower) {
    int out = Math.floorDiv(in + stride - 1, stride);
    int total = Math.max((out - 1) * stride + span - in, 0);
    int small = total / 2;
    return lower ? new int[] {total - small, small} : new int[] {small, total - small};
  }

  /** The extent of a window along axis {@code i}: {@code dilation (kernel - 1) + 1}. */
  private static int span(List<Integer> kernel, List<Integer> dilation, int i) {
    return dilation.get(i) * (kernel.get(i) - 1) + 1;
  }

  private static int outputSize(int in, int before, int after, int span, int stride) {
    return Math.floorDiv(in + before + after - span, stride) + 1;
  }
}
