package org.sparkdl.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.Init;

/**
 * A network as ONNX files carry it: its spec and the values of its parameters and buffers, as the
 * flat float32 arrays a network's stores hold ({@link Network#layout}). Immutable by convention: the
 * arrays are never changed after construction.
 *
 * @param spec the network
 * @param weights every parameter's values, in network order
 * @param buffers every buffer's values (batch normalisation's running statistics), in network order
 */
public record OnnxNetwork(NetworkSpec spec, float[] weights, float[] buffers) {
  /** Checks that the arrays hold exactly what the network's layout needs. */
  public OnnxNetwork {
    int params = 0;
    int state = 0;
    for (Network.Slot s : Network.layout(spec)) {
      if (s.buffer()) {
        state += s.size();
      } else {
        params += s.size();
      }
    }
    if (weights.length != params) {
      throw new IllegalArgumentException("The network has " + params + " parameter values; " + weights.length + " were given.");
    }
    if (buffers.length != 0 && buffers.length != state) {
      throw new IllegalArgumentException("The network has " + state + " buffer values; " + buffers.length + " were given.");
    }
  }

  /** Every parameter and buffer by name, shaped as {@link Network#layout} says; buffers at their initial values when empty. */
  public Map<String, float[]> named() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Network.Slot s : Network.layout(spec)) {
      float[] v = new float[s.size()];
      if (!s.buffer()) {
        System.arraycopy(weights, s.offset(), v, 0, v.length);
      } else if (buffers.length > 0) {
        System.arraycopy(buffers, s.offset(), v, 0, v.length);
      } else if (s.init() == Init.ONES) {
        java.util.Arrays.fill(v, 1f);
      }
      out.put(s.name(), v);
    }
    return out;
  }

  /** The network of {@code spec} with the values of {@code named} (every parameter and buffer, by name). */
  static OnnxNetwork of(NetworkSpec spec, Map<String, float[]> named) {
    List<Network.Slot> layout = Network.layout(spec);
    int params = 0;
    int state = 0;
    for (Network.Slot s : layout) {
      if (s.buffer()) {
        state += s.size();
      } else {
        params += s.size();
      }
    }
    float[] weights = new float[params];
    float[] buffers = new float[state];
    for (Network.Slot s : layout) {
      float[] v = named.get(s.name());
      if (v == null || v.length != s.size()) {
        throw new IllegalStateException("'" + s.name() + "' needs " + s.size() + " values; found "
            + (v == null ? "none" : v.length) + ".");
      }
      System.arraycopy(v, 0, s.buffer() ? buffers : weights, s.offset(), v.length);
    }
    return new OnnxNetwork(spec, weights, buffers);
  }
}
