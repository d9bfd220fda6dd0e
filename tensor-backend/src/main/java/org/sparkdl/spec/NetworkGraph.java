package org.sparkdl.spec;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Whole-network checks: unique names, references only to earlier nodes, outputs, and shape inference. */
final class NetworkGraph {
  private NetworkGraph() {}

  /** Error for a layer reading a name that is neither an input nor an earlier layer. */
  static SpecException unknownReference(String layer, String input) {
    return new SpecException("Layer '" + layer + "' reads '" + input + "', which is not an input or an earlier layer.");
  }

  /** Error for a name used by two nodes. */
  static SpecException duplicateName(String name) {
    return new SpecException("Duplicate name '" + name + "': every input and layer needs a unique name.");
  }

  /**
   * Checks names, references and outputs. Because a layer may only read inputs or layers listed
   * before it, a valid spec is a DAG in topological order and cycles cannot be expressed.
   */
  static void checkStructure(List<InputSpec> inputs, List<LayerSpec> layers, List<String> outputs) {
    Set<String> seen = new HashSet<>();
    for (InputSpec input : inputs) {
      if (!seen.add(input.name())) {
        throw duplicateName(input.name());
      }
    }
    for (LayerSpec layer : layers) {
      for (String input : layer.inputs()) {
        if (!seen.contains(input)) {
          throw unknownReference(layer.name(), input);
        }
      }
      if (!seen.add(layer.name())) {
        throw duplicateName(layer.name());
      }
    }
    for (InputSpec input : inputs) {
      if (!input.sparse()) {
        continue;
      }
      for (LayerSpec layer : layers) {
        if (layer.inputs().contains(input.name()) && !layer.type().equals(Dense.TYPE)) {
          throw new SpecException("Input '" + input.name() + "' is sparse; only dense layers may read it, but layer '"
              + layer.name() + "' (" + layer.type() + ") does.");
        }
      }
      if (outputs.contains(input.name())) {
        throw new SpecException("Input '" + input.name() + "' is sparse and cannot be an output.");
      }
    }
    if (outputs.isEmpty()) {
      throw new SpecException(
          "Network lists no outputs; name at least one node, or omit 'outputs' to return the last layer.");
    }
    Set<String> listed = new HashSet<>();
    for (String output : outputs) {
      if (!seen.contains(output)) {
        throw new SpecException("Output '" + output + "' is not an input or layer of the network.");
      }
      if (!listed.add(output)) {
        throw new SpecException("Output '" + output + "' is listed twice.");
      }
    }
  }

  /** Shapes of every input and layer output, in network order; assumes {@link #checkStructure} passed. */
  static Map<String, List<Integer>> inferShapes(List<InputSpec> inputs, List<LayerSpec> layers) {
    Map<String, List<Integer>> shapes = new LinkedHashMap<>();
    for (InputSpec input : inputs) {
      shapes.put(input.name(), input.shape());
    }
    for (LayerSpec layer : layers) {
      List<List<Integer>> in = layer.inputs().stream().map(shapes::get).toList();
      List<Integer> out = layer.outputShape(in);
      if (out == null || out.isEmpty() || out.size() > SpecChecks.MAX_RANK) {
        throw SpecChecks.layerError(layer.name(), "output shape " + out + " must have rank 1 to "
            + SpecChecks.MAX_RANK + ".");
      }
      shapes.put(layer.name(), List.copyOf(out));
    }
    return Collections.unmodifiableMap(shapes);
  }
}
