package org.sparkdl.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the JSON form of a {@link NetworkSpec}. Reads through Jackson's tree model so that every
 * error is worded here and names the layer or input concerned.
 */
final class SpecReader {
  private static final List<String> NETWORK_FIELDS = List.of("format_version", "inputs", "layers", "outputs");
  private static final List<String> INPUT_FIELDS = List.of("name", "shape", "sparse");

  /** Duplicate keys and trailing content are errors: both usually mean a badly edited file. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private SpecReader() {}

  static NetworkSpec read(String json) {
    if (json == null) {
      throw new SpecException("Network JSON is null.");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    }
    if (root == null || root.isMissingNode()) {
      throw new SpecException("Network JSON is empty.");
    }
    if (!root.isObject()) {
      throw new SpecException("Network JSON must be an object, found " + JsonFields.describe(root) + ".");
    }
    JsonFields network = new JsonFields((ObjectNode) root, "Network");
    // The version is checked before anything else: a newer file may legitimately carry fields this reader lacks.
    int version = network.requireInt("format_version");
    if (version != NetworkSpec.FORMAT_VERSION) {
      throw new SpecException("Unsupported format_version " + version + "; this library reads format_version "
          + NetworkSpec.FORMAT_VERSION + ".");
    }
    network.allowOnly(NETWORK_FIELDS);
    List<InputSpec> inputs = readInputs(network.requireArray("inputs"));
    List<LayerSpec> layers = readLayers(network.requireArray("layers"), inputs);
    List<String> outputs = network.has("outputs") ? network.requireStringList("outputs") : null;
    return new NetworkSpec(version, inputs, layers, outputs);
  }

  private static List<InputSpec> readInputs(ArrayNode array) {
    List<InputSpec> inputs = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonFields fields = objectAt(array.get(i), "inputs[" + i + "]");
      String name = fields.requireString("name");
      fields = new JsonFields((ObjectNode) array.get(i), "Input '" + name + "'");
      fields.allowOnly(INPUT_FIELDS);
      inputs.add(new InputSpec(name, fields.requireIntList("shape"), fields.booleanOr("sparse", false)));
    }
    return inputs;
  }

  private static List<LayerSpec> readLayers(ArrayNode array, List<InputSpec> inputs) {
    List<LayerSpec> layers = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String name = objectAt(array.get(i), "layers[" + i + "]").requireString("name");
      JsonFields fields = new JsonFields((ObjectNode) array.get(i), "Layer '" + name + "'");
      if (!fields.has("type")) {
        throw new SpecException("Layer '" + name + "' has no 'type'; known types: "
            + String.join(", ", LayerTypes.knownTypes()) + ".");
      }
      String type = fields.requireString("type");
      LayerTypes.Entry<?> entry = LayerTypes.forType(type);
      if (entry == null) {
        throw new SpecException("Layer '" + name + "' has unknown type '" + type + "'; known types: "
            + String.join(", ", LayerTypes.knownTypes()) + ".");
      }
      // Unknown fields are reported before missing ones, so a typo like "unit" is named as such.
      fields.allowOnly(entry.allFields());
      List<String> layerInputs = fields.has("inputs")
          ? fields.requireStringList("inputs")
          : List.of(previousNode(name, inputs, layers));
      layers.add(entry.reader().read(name, layerInputs, fields));
    }
    return layers;
  }

  /** What a layer without "inputs" reads: the previous layer, or the only input for the first layer. */
  private static String previousNode(String layer, List<InputSpec> inputs, List<LayerSpec> layers) {
    if (!layers.isEmpty()) {
      return layers.get(layers.size() - 1).name();
    }
    if (inputs.size() != 1) {
      throw new SpecException("Layer '" + layer + "' has no 'inputs' and is the first layer of a network with "
          + inputs.size() + " inputs; list the inputs it reads.");
    }
    return inputs.get(0).name();
  }

  private static JsonFields objectAt(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new SpecException(where + " must be an object, found " + JsonFields.describe(node) + ".");
    }
    return new JsonFields((ObjectNode) node, where);
  }

  private static SpecException malformed(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String reason = e.getOriginalMessage();
    // Jackson points back at an opening marker as "[Source: ...; line: 1, column: 1]"; keep just the position.
    reason = reason.replaceAll("\\[Source: [^;\\]]*; ", "[");
    return new SpecException("Malformed network JSON" + where + ": " + reason, e);
  }
}
