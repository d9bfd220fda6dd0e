package org.sparkdl.onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.onnx.Draft.Value;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;

/**
 * The shape arithmetic exporters write for a batch size unknown until run time, as PyTorch's {@code
 * x.view(x.size(0), -1)}: {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape}. Every size of
 * a computed value but the batch is fixed here, so {@code Shape} gives a constant with one symbolic
 * entry, the batch. Entries picked without it ({@code x.size(1)}) are plain constants from then on;
 * vectors holding it follow {@code Gather}, {@code Slice}, {@code Squeeze}, {@code Unsqueeze},
 * {@code Concat}, {@code Cast} and {@code Identity}, and may end as the first entry of a {@code
 * Reshape}'s target, where it copies the batch. Any other use needs the batch size at run time
 * and is refused with the node.
 */
final class ShapeImport {
  /** The batch entry of a shape vector. */
  static final long BATCH = Long.MIN_VALUE;
  private static final Set<String> FOLLOWED = Set.of("Gather", "Slice", "Squeeze", "Unsqueeze", "Concat", "Cast",
      "Identity");

  /** An integer vector (or scalar) of which some entries are {@link #BATCH}. */
  private record Symbolic(long[] dims, long[] values) {}

  private final NodeMapper m;
  private final Map<String, Symbolic> symbolic = new HashMap<>();

  ShapeImport(NodeMapper m) {
    this.m = m;
  }

  /** Evaluates {@code n} when it is a {@code Shape} or reads a symbolic vector; returns whether it did. */
  boolean handles(NodeProto n) {
    boolean reads = n.getInputList().stream().anyMatch(symbolic::containsKey);
    if (n.getOpType().equals("Shape")) {
      define(n.getOutput(0), shape(n));
      return true;
    }
    if (!reads || n.getOpType().equals("Reshape") && !symbolic.containsKey(n.getInput(0))) {
      return false;
    }
    if (n.getOpType().equals("ConstantOfShape")) {
      // PyTorch's zero initial state of an LSTM or GRU under a dynamic batch: zeros(layers, batch, hidden)
      float fill = ConstFolder.fillValue(n);
      if (fill != 0) {
        throw new Unsupported("it fills a tensor shaped by the batch size at run time with " + fill + "; only zeros of"
            + " such a shape are read, as a recurrent layer's initial state");
      }
      m.defineRuntimeZeros(n.getOutput(0));
      return true;
    }
    if (!FOLLOWED.contains(n.getOpType())) {
      throw new Unsupported("it computes with the batch size (from a Shape node), which is known only at run time;"
          + " a layer fixes every size but the batch, and the batch size may only become a Reshape's first size");
    }
    List<Symbolic> in = n.getInputList().stream().map(this::operand).toList();
    define(n.getOutput(0), eval(n, in));
    return true;
  }

  /** The target of a {@code Reshape}: its constant shape, or a vector whose first entry may be {@link #BATCH}. */
  long[] target(NodeProto n) {
    Symbolic s = symbolic.get(n.getInput(1));
    if (s == null) {
      return m.constant(n, 1, "the shape").asLongs().clone();
    }
    for (int i = 1; i < s.values().length; i++) {
      if (s.values()[i] == BATCH) {
        throw new Unsupported("the batch size becomes size " + i + " of the target shape; only the first copies it");
      }
    }
    return s.values().clone();
  }

  private void define(String output, Symbolic s) {
    if (Arrays.stream(s.values()).anyMatch(v -> v == BATCH)) {
      symbolic.put(output, s);
    } else {
      m.defineConstant(output, Const.ofLongs(s.dims(), s.values()));
    }
  }

  private Symbolic operand(String name) {
    Symbolic s = symbolic.get(name);
    if (s != null) {
      return s;
    }
    Const c = m.constOrNull(name);
    if (c == null) {
      return null;   // an absent optional input, or a computed value, refused by the operator that reads it
    }
    return new Symbolic(c.dims(), c.asLongs());
  }

  /** {@code [batch, sizes...]} of a computed value, or the sizes of a constant; {@code start} and {@code end} applied. */
  private Symbolic shape(NodeProto n) {
    long[] full;
    Const c = m.constOrNull(n.getInput(0));
    long[] timeMajor = m.timeMajorDims(n.getInput(0), BATCH);
    if (c != null) {
      full = c.dims();
    } else if (timeMajor != null) {
      full = timeMajor;
    } else {
      Value x = m.value(n.getInput(0));
      full = new long[x.shape().size() + 1];
      full[0] = BATCH;
      for (int i = 0; i < x.shape().size(); i++) {
        full[i + 1] = x.shape().get(i);
      }
    }
    int rank = full.length;
    int start = clamp(Attrs.integer(n, "start", 0), rank);
    int end = clamp(Attrs.integer(n, "end", rank), rank);
    long[] v = Arrays.copyOfRange(full, start, Math.max(start, end));
    return new Symbolic(new long[] {v.length}, v);
  }

  private static int clamp(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    return (int) Math.max(0, Math.min(rank, a));
  }

  private static Symbolic eval(NodeProto n, List<Symbolic> in) {
    Symbolic x = in.get(0);
    if (n.getOpType().equals("Concat")) {
      return concat(in);
    }
    if (x == null || in.stream().skip(1).anyMatch(s -> s != null && Arrays.stream(s.values()).anyMatch(v -> v == BATCH))) {
      throw new Unsupported("only its first input may be a shape vector, and the others must be constants");
    }
    return switch (n.getOpType()) {
      case "Cast", "Identity" -> x;
      case "Squeeze", "Unsqueeze" -> {
        long[] axes = in.size() > 1 && in.get(1) != null ? in.get(1).values() : Attrs.ints(n, "axes");
        long[] dims = n.getOpType().equals("Squeeze") ? Shapes.squeeze(x.dims(), axes) : Shapes.unsqueeze(x.dims(), axes);
        if (dims.length > 1) {
          throw new Unsupported("the result " + Arrays.toString(dims) + " is not a vector");
        }
        yield new Symbolic(dims, x.values());
      }
      case "Gather" -> gather(n, x, in.get(1));
      default -> slice(x, in);
    };
  }

  private static Symbolic gather(NodeProto n, Symbolic x, Symbolic indices) {
    if (x.dims().length != 1 || Attrs.integer(n, "axis", 0) != 0 || indices == null || indices.dims().length > 1) {
      throw new Unsupported("only a gather of entries of a shape vector by constant indices is read");
    }
    long[] v = new long[indices.values().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = x.values()[Shapes.axis(indices.values()[i], x.values().length)];
    }
    return new Symbolic(indices.dims(), v);
  }

  private static Symbolic slice(Symbolic x, List<Symbolic> in) {
    if (x.dims().length != 1 || in.size() < 3 || in.get(1) == null || in.get(2) == null) {
      throw new Unsupported("only a slice of a shape vector with constant starts and ends is read");
    }
    int size = x.values().length;
    if (in.size() > 3 && in.get(3) != null && in.get(3).values().length == 1 && Shapes.axis(in.get(3).values()[0], 1) != 0) {
      throw new Unsupported("axes must be [0]");
    }
    long step = in.size() > 4 && in.get(4) != null ? in.get(4).values()[0] : 1;
    if (step != 1) {
      throw new Unsupported("a slice of a shape vector with step " + step);
    }
    int start = clamp(in.get(1).values()[0], size);
    int end = clamp(Math.max(Math.min(in.get(2).values()[0], size), -size - 1), size);
    long[] v = Arrays.copyOfRange(x.values(), start, Math.max(start, end));
    return new Symbolic(new long[] {v.length}, v);
  }

  private static Symbolic concat(List<Symbolic> in) {
    int total = 0;
    for (Symbolic s : in) {
      if (s == null || s.dims().length != 1) {
        throw new Unsupported("only a concatenation of shape vectors and constant vectors is read");
      }
      total += s.values().length;
    }
    long[] v = new long[total];
    int at = 0;
    for (Symbolic s : in) {
      System.arraycopy(s.values(), 0, v, at, s.values().length);
      at += s.values().length;
    }
    return new Symbolic(new long[] {total}, v);
  }
}
