package org.sparkdl.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.onnx.proto.OnnxProto.AttributeProto;
import org.sparkdl.onnx.proto.OnnxProto.NodeProto;

/**
 * Finds layers spelled out in elementwise operators, as exporters write them for opsets without
 * their own operator, and replaces each by that one node. Layer normalisation over the last axis
 * before opset 17 ({@code torch.onnx} at opsets 13 to 16 and hand-written modules):
 *
 * <pre>
 *   ReduceMean(x) -> Sub(x, mean) = d -> Pow(d, 2) -> ReduceMean -> Add(eps) -> Sqrt -> Div(d, sqrt)
 *       -> Mul(gamma) -> Add(beta)
 * </pre>
 *
 * <p>both reductions over axis -1 keeping it, {@code gamma} and {@code beta} constants, becomes
 * {@code LayerNormalization}. Mish ({@code nn.Mish}), {@code Mul(x, Tanh(Softplus(x)))} in either
 * operand order, becomes {@code Mish} (opset 18). SiLU ({@code nn.SiLU}, Keras'
 * {@code swish}), {@code Mul(x, Sigmoid(x))} in either operand order, becomes {@code Swish}
 * (opset 24), which maps to the {@code silu} activation. GELU, as PyTorch writes {@code nn.GELU()}
 * and {@code nn.GELU(approximate="tanh")} before opset 20's {@code Gelu}, becomes one {@code Gelu}
 * node, which maps to the {@code gelu_erf} or {@code gelu} activation. The GELU forms read, with
 * either operand order of each commutative node:
 *
 * <pre>
 *   Div(x, sqrt 2) | Mul(x, 1 / sqrt 2)  ->  Erf  ->  Add(1)  ->  Mul(x)  ->  Mul(0.5)     (torch.onnx)
 *   ... -> Add(1) -> Mul(Mul(x, 0.5))                                                       (0.5 x first)
 *   ... -> Add(1) -> Mul(0.5) -> Mul(x)                                                     (0.5 (1 + erf) first)
 *   Mul(x, Mul(x, x)) -> Mul(0.044715) -> Add(x) -> Mul(sqrt(2 / pi)) -> Tanh -> (the same endings)
 * </pre>
 *
 * <p>The last is the tanh form, as {@code torch.onnx} writes it ({@code Mul(x, Mul(x, x))}) and as
 * this library's export does ({@code Mul(Mul(x, x), x)}). Every value between {@code x} and the
 * result must be read only by the next node of the pattern, so that nothing else sees the
 * intermediate values that disappear. The constants may be initializers or {@code Constant} nodes;
 * they match when within 1e-6 of the value, relative.
 */
final class ElementwiseFusion {
  private static final double RELATIVE = 1e-6;

  private final Map<String, NodeProto> producer = new HashMap<>();
  private final Map<String, List<NodeProto>> readers = new HashMap<>();
  private final Map<String, Integer> consumers;
  private final Map<String, Const> initializers;

  private ElementwiseFusion(List<NodeProto> order, Map<String, Const> initializers, Map<String, Integer> consumers) {
    this.initializers = initializers;
    this.consumers = consumers;
    for (NodeProto n : order) {
      n.getOutputList().forEach(o -> producer.put(o, n));
      n.getInputList().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
    }
  }

  /**
   * {@code order} with each layer normalisation, Mish, SiLU and GELU subgraph replaced by one
   * {@code LayerNormalization}, {@code Mish}, {@code Swish} or {@code Gelu} node, placed where its
   * last node was (so that it still comes after what it reads and before what reads it).
   *
   * @param consumers how many times each value is read, graph outputs counting as readers
   */
  static List<NodeProto> fuse(List<NodeProto> order, Map<String, Const> initializers, Map<String, Integer> consumers) {
    ElementwiseFusion f = new ElementwiseFusion(order, initializers, consumers);
    Map<NodeProto, NodeProto> replaced = new HashMap<>();
    Set<NodeProto> removed = new HashSet<>();
    for (NodeProto n : order) {
      if (n.getOpType().equals("ReduceMean") && standard(n) && !removed.contains(n)) {
        List<NodeProto> match = f.matchLayerNorm(n);
        if (match != null) {
          NodeProto last = match.get(match.size() - 1);
          removed.addAll(match);
          replaced.put(last, f.layerNorm(n.getInput(0), match));
        }
        continue;
      }
      // x times a function of x: Mish from its Softplus, SiLU (Swish) from its Sigmoid
      String fused = n.getOpType().equals("Softplus") ? "Mish" : n.getOpType().equals("Sigmoid") ? "Swish" : null;
      if (fused != null && standard(n) && !removed.contains(n)) {
        Match match = fused.equals("Mish") ? f.matchMish(n) : f.matchSilu(n);
        if (match != null) {
          NodeProto last = match.nodes().get(match.nodes().size() - 1);
          removed.addAll(match.nodes());
          replaced.put(last, NodeProto.newBuilder().setOpType(fused).setName(last.getName()).addInput(match.x())
              .addOutput(last.getOutput(0)).build());
        }
        continue;
      }
      boolean erf = n.getOpType().equals("Erf");
      if ((erf || n.getOpType().equals("Tanh")) && standard(n) && !removed.contains(n)) {
        Match match = erf ? f.matchErf(n) : f.matchTanh(n);
        if (match != null) {
          NodeProto last = match.nodes().get(match.nodes().size() - 1);
          removed.addAll(match.nodes());
          replaced.put(last, gelu(match.x(), last, erf ? "none" : "tanh"));
        }
      }
    }
    if (replaced.isEmpty()) {
      return order;
    }
    List<NodeProto> out = new ArrayList<>();
    for (NodeProto n : order) {
      if (replaced.containsKey(n)) {
        out.add(replaced.get(n));
      } else if (!removed.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** LayerNormalization of {@code x} over the last axis with the epsilon, scale and bias of {@code match}. */
  private NodeProto layerNorm(String x, List<NodeProto> match) {
    NodeProto addEps = match.get(4);
    NodeProto mul = match.get(7);
    NodeProto last = match.get(8);
    String eps = otherOperand(addEps, match.get(3).getOutput(0));
    return NodeProto.newBuilder().setOpType("LayerNormalization").setName(last.getName()).addInput(x)
        .addInput(otherOperand(mul, match.get(6).getOutput(0))).addInput(otherOperand(last, mul.getOutput(0)))
        .addOutput(last.getOutput(0))
        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(-1))
        .addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
            .setF((float) constValue(eps)))
        .build();
  }

  /**
   * The nine nodes of a layer normalisation spelled out from {@code mean} (in the order of the
   * class comment), or null.
   */
  private List<NodeProto> matchLayerNorm(NodeProto mean) {
    String x = mean.getInputCount() > 0 ? mean.getInput(0) : "";
    NodeProto sub = lastAxisMean(mean) ? onlyReader(mean, "Sub") : null;
    if (sub == null || !sub.getInput(0).equals(x) || isConstant(x)) {
      return null;
    }
    String d = sub.getOutput(0);
    List<NodeProto> uses = readers.getOrDefault(d, List.of());
    if (consumers.getOrDefault(d, 0) != 2 || uses.size() != 2) {
      return null;
    }
    NodeProto pow = uses.get(0).getOpType().equals("Pow") ? uses.get(0) : uses.get(1);
    NodeProto div = pow == uses.get(0) ? uses.get(1) : uses.get(0);
    if (!pow.getOpType().equals("Pow") || !div.getOpType().equals("Div") || !standard(pow) || !standard(div)
        || pow.getInputCount() != 2 || !pow.getInput(0).equals(d) || !near(constValue(pow.getInput(1)), 2)
        || div.getInputCount() != 2 || !div.getInput(0).equals(d)) {
      return null;
    }
    NodeProto variance = onlyReaderOf(pow, "ReduceMean");
    NodeProto addEps = variance != null && lastAxisMean(variance) ? onlyReader(variance, "Add") : null;
    if (addEps == null || !(constValue(otherOperand(addEps, variance.getOutput(0))) > 0)) {
      return null;
    }
    NodeProto sqrt = onlyReaderOf(addEps, "Sqrt");
    if (sqrt == null || onlyReader(sqrt, "Div") != div || !div.getInput(1).equals(sqrt.getOutput(0))) {
      return null;
    }
    NodeProto mul = onlyReader(div, "Mul");
    NodeProto add = mul != null && isConstant(otherOperand(mul, div.getOutput(0))) ? onlyReader(mul, "Add") : null;
    if (add == null || !isConstant(otherOperand(add, mul.getOutput(0)))) {
      return null;
    }
    return List.of(mean, sub, pow, variance, addEps, sqrt, div, mul, add);
  }

  /** Whether {@code n} is a {@code ReduceMean} over axis -1 alone that keeps it (axes as attribute or, from opset 18, input). */
  private boolean lastAxisMean(NodeProto n) {
    if (!n.getOpType().equals("ReduceMean") || !standard(n) || Attrs.integer(n, "keepdims", 1) != 1) {
      return false;
    }
    AttributeProto axes = Attrs.find(n, "axes");
    if (axes != null) {
      return axes.getIntsCount() == 1 && axes.getInts(0) == -1;
    }
    Const c = n.getInputCount() > 1 ? constant(n.getInput(1)) : null;
    return c != null && !c.isFloat() && c.size() == 1 && c.asLongs()[0] == -1;
  }

  private static NodeProto gelu(String x, NodeProto last, String approximate) {
    return NodeProto.newBuilder().setOpType("Gelu").setName(last.getName()).addInput(x).addOutput(last.getOutput(0))
        .addAttribute(AttributeProto.newBuilder().setName("approximate").setType(AttributeProto.AttributeType.STRING)
            .setS(com.google.protobuf.ByteString.copyFromUtf8(approximate)))
        .build();
  }

  /** A pattern found: its input {@code x} and its nodes, the result's last. */
  private record Match(String x, List<NodeProto> nodes) {
    static Match of(String x, List<NodeProto> head, List<NodeProto> tail) {
      if (tail == null) {
        return null;
      }
      List<NodeProto> nodes = new ArrayList<>(head);
      nodes.addAll(tail);
      return new Match(x, nodes);
    }
  }

  /** {@code Mul(x, sigmoid)} after {@code sigmoid = Sigmoid(x)}, with nothing else reading the sigmoid, or null. */
  private Match matchSilu(NodeProto sigmoid) {
    String x = sigmoid.getInputCount() == 1 ? sigmoid.getInput(0) : null;
    NodeProto mul = onlyReader(sigmoid, "Mul");
    if (x == null || isConstant(x) || mul == null || !otherOperand(mul, sigmoid.getOutput(0)).equals(x)) {
      return null;
    }
    return new Match(x, List.of(sigmoid, mul));
  }

  /** {@code Mul(x, Tanh(softplus))} after {@code softplus = Softplus(x)}, each value read once, or null. */
  private Match matchMish(NodeProto softplus) {
    String x = softplus.getInputCount() == 1 ? softplus.getInput(0) : null;
    NodeProto tanh = onlyReaderOf(softplus, "Tanh");
    NodeProto mul = tanh == null ? null : onlyReader(tanh, "Mul");
    if (x == null || isConstant(x) || mul == null || !otherOperand(mul, tanh.getOutput(0)).equals(x)) {
      return null;
    }
    return new Match(x, List.of(softplus, tanh, mul));
  }

  /** The erf form around {@code erf}, or null. */
  private Match matchErf(NodeProto erf) {
    NodeProto scale = onlyProducer(erf.getInput(0));
    if (scale == null) {
      return null;
    }
    String x = scaledInput(scale);
    if (x == null || isConstant(x)) {
      return null;
    }
    return Match.of(x, List.of(scale, erf), ending(erf, x));
  }

  /** The tanh form around {@code tanh}: {@code 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))}, or null. */
  private Match matchTanh(NodeProto tanh) {
    NodeProto scale = onlyProducer(tanh.getInput(0));
    if (scale == null || !scale.getOpType().equals("Mul") || scale.getInputCount() != 2) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      if (!near(constValue(scale.getInput(i)), Math.sqrt(2 / Math.PI))) {
        continue;
      }
      NodeProto inner = onlyProducer(scale.getInput(1 - i));
      if (inner == null || !inner.getOpType().equals("Add") || inner.getInputCount() != 2) {
        return null;
      }
      for (int j = 0; j < 2; j++) {
        String x = inner.getInput(j);
        NodeProto cubic = onlyProducer(inner.getInput(1 - j));
        if (isConstant(x) || cubic == null || !cubic.getOpType().equals("Mul") || cubic.getInputCount() != 2) {
          continue;
        }
        for (int k = 0; k < 2; k++) {
          if (!near(constValue(cubic.getInput(k)), 0.044715)) {
            continue;
          }
          List<NodeProto> cube = cube(cubic.getInput(1 - k), x);
          if (cube != null) {
            List<NodeProto> head = new ArrayList<>(cube);
            head.addAll(List.of(cubic, inner, scale, tanh));
            return Match.of(x, head, ending(tanh, x));
          }
        }
      }
    }
    return null;
  }

  /** The two nodes computing {@code value} as {@code x^3} ({@code Mul(x, Mul(x, x))} in either order), or null. */
  private List<NodeProto> cube(String value, String x) {
    NodeProto outer = onlyProducer(value);
    if (outer == null || !outer.getOpType().equals("Mul") || outer.getInputCount() != 2
        || !outer.getInputList().contains(x)) {
      return null;
    }
    NodeProto square = onlyProducer(otherOperand(outer, x));
    return square != null && square.getOpType().equals("Mul") && square.getInputCount() == 2
        && square.getInput(0).equals(x) && square.getInput(1).equals(x) ? List.of(square, outer) : null;
  }

  /** The nodes after {@code f} (the Erf or the Tanh) that make {@code 0.5 x (1 + f)}, the result's last, or null. */
  private List<NodeProto> ending(NodeProto f, String x) {
    NodeProto plusOne = onlyReader(f, "Add");
    if (plusOne == null || !isConstOperand(plusOne, f.getOutput(0), 1)) {
      return null;
    }
    NodeProto mul = onlyReader(plusOne, "Mul");
    if (mul == null) {
      return null;
    }
    String other = otherOperand(mul, plusOne.getOutput(0));
    if (other.equals(x)) {   // Mul(x, 1 + f), then Mul(0.5)
      NodeProto half = onlyReader(mul, "Mul");
      return half != null && isConstOperand(half, mul.getOutput(0), 0.5) ? List.of(plusOne, mul, half) : null;
    }
    NodeProto halfX = onlyProducer(other);   // Mul(Mul(x, 0.5), 1 + f)
    if (halfX != null && halfX.getOpType().equals("Mul") && isConstOperand(halfX, x, 0.5)) {
      return List.of(plusOne, halfX, mul);
    }
    if (isConstOperand(mul, plusOne.getOutput(0), 0.5)) {   // Mul(x, Mul(1 + f, 0.5))
      NodeProto times = onlyReader(mul, "Mul");
      if (times != null && otherOperand(times, mul.getOutput(0)).equals(x)) {
        return List.of(plusOne, mul, times);
      }
    }
    return null;
  }

  /** Whether {@code name} is an initializer or a {@code Constant} node's output. */
  private boolean isConstant(String name) {
    return initializers.containsKey(name) || producer.containsKey(name) && producer.get(name).getOpType().equals("Constant");
  }

  /** The input of the node that scales x by 1 / sqrt 2 ({@code Div} by sqrt 2 or {@code Mul} by its inverse), or null. */
  private String scaledInput(NodeProto scale) {
    if (scale.getInputCount() != 2) {
      return null;
    }
    if (scale.getOpType().equals("Div") && near(constValue(scale.getInput(1)), Math.sqrt(2))) {
      return scale.getInput(0);
    }
    if (scale.getOpType().equals("Mul")) {
      for (int i = 0; i < 2; i++) {
        if (near(constValue(scale.getInput(i)), Math.sqrt(0.5))) {
          return scale.getInput(1 - i);
        }
      }
    }
    return null;
  }

  /** The node computing {@code value} when only one node reads it (and it is no graph output), or null. */
  private NodeProto onlyProducer(String value) {
    NodeProto p = producer.get(value);
    return p != null && standard(p) && p.getOutputCount() == 1 && consumers.getOrDefault(value, 0) == 1 ? p : null;
  }

  /** The one node reading {@code n}'s one output, when it is a standard binary {@code op}, or null. */
  private NodeProto onlyReader(NodeProto n, String op) {
    NodeProto next = onlyReaderOf(n, op);
    return next != null && next.getInputCount() == 2 ? next : null;
  }

  /** The one node reading {@code n}'s one output, when it is a standard {@code op}, or null. */
  private NodeProto onlyReaderOf(NodeProto n, String op) {
    if (n.getOutputCount() != 1 || consumers.getOrDefault(n.getOutput(0), 0) != 1) {
      return null;
    }
    List<NodeProto> r = readers.getOrDefault(n.getOutput(0), List.of());
    NodeProto next = r.size() == 1 ? r.get(0) : null;
    return next != null && next.getOpType().equals(op) && standard(next) ? next : null;
  }

  /** Whether binary {@code n} reads {@code value} and, as its other operand, a constant near {@code expected}. */
  private boolean isConstOperand(NodeProto n, String value, double expected) {
    return n.getInputCount() == 2 && n.getInputList().contains(value) && near(constValue(otherOperand(n, value)), expected);
  }

  private static String otherOperand(NodeProto n, String value) {
    return n.getInput(0).equals(value) ? n.getInput(1) : n.getInput(0);
  }

  /** The one value of a constant (an initializer or a {@code Constant} node) holding a single element, or NaN. */
  private double constValue(String name) {
    Const c = constant(name);
    return c == null || c.size() != 1 ? Double.NaN : c.asFloats()[0];
  }

  /** The value of an initializer or a {@code Constant} node's output, or null. */
  private Const constant(String name) {
    Const c = initializers.get(name);
    NodeProto p = producer.get(name);
    if (c == null && p != null && p.getOpType().equals("Constant") && standard(p)) {
      AttributeProto a = Attrs.find(p, "value");
      try {
        c = a == null || !a.hasT() ? null : OnnxTensors.decode("", a.getT(), OnnxTensors.ExternalData.NONE);
      } catch (java.io.IOException | RuntimeException e) {
        c = null;   // a malformed constant is reported when the node itself is mapped
      }
    }
    return c;
  }

  private static boolean near(double found, double expected) {
    return Math.abs(found - expected) <= RELATIVE * Math.abs(expected);
  }

  private static boolean standard(NodeProto n) {
    return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
  }
}
