package org.sparkdl.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical JSON form of a {@link NetworkSpec}: fixed key order, every default written
 * out, one layer per line. Being canonical, equal specs always give identical text, which makes the
 * files diff well and lets tests compare strings.
 */
final class SpecWriter {
  private static final String INDENT = "  ";

  private SpecWriter() {}

  static String write(NetworkSpec spec) {
    List<JsonNode> inputs = new ArrayList<>();
    for (InputSpec input : spec.inputs()) {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("name", input.name());
      input.shape().forEach(node.putArray("shape")::add);
      if (input.sparse()) {
        node.put("sparse", true);
      }
      inputs.add(node);
    }
    List<JsonNode> layers = new ArrayList<>();
    for (LayerSpec layer : spec.layers()) {
      layers.add(LayerTypes.toJson(layer));
    }
    StringBuilder out = new StringBuilder("{\n");
    out.append(INDENT).append("\"format_version\" : ").append(spec.formatVersion()).append(",\n");
    out.append(INDENT).append("\"inputs\" : ");
    appendObjects(out, inputs);
    out.append(",\n").append(INDENT).append("\"layers\" : ");
    appendObjects(out, layers);
    out.append(",\n").append(INDENT).append("\"outputs\" : ");
    ArrayNode outputs = JsonNodeFactory.instance.arrayNode();
    spec.outputs().forEach(outputs::add);
    appendInline(out, outputs);
    return out.append("\n}").toString();
  }

  /** An array of objects: on one line when it has a single element, otherwise one element per line. */
  private static void appendObjects(StringBuilder out, List<JsonNode> objects) {
    if (objects.size() == 1) {
      out.append("[ ");
      appendInline(out, objects.get(0));
      out.append(" ]");
      return;
    }
    out.append("[\n");
    for (int i = 0; i < objects.size(); i++) {
      out.append(INDENT).append(INDENT);
      appendInline(out, objects.get(i));
      out.append(i + 1 < objects.size() ? ",\n" : "\n");
    }
    out.append(INDENT).append(']');
  }

  /** A value on one line, spaced like Jackson's default pretty printer. */
  private static void appendInline(StringBuilder out, JsonNode node) {
    if (node.isObject()) {
      if (node.isEmpty()) {
        out.append("{ }");
        return;
      }
      out.append("{ ");
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        out.append(TextNode.valueOf(field.getKey())).append(" : ");
        appendInline(out, field.getValue());
        out.append(fields.hasNext() ? ", " : " }");
      }
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        out.append("[ ]");
        return;
      }
      out.append("[ ");
      for (int i = 0; i < node.size(); i++) {
        appendInline(out, node.get(i));
        out.append(i + 1 < node.size() ? ", " : " ]");
      }
    } else {
      // Scalar nodes print as valid JSON: strings quoted and escaped, doubles in round-trip form.
      out.append(node.toString());
    }
  }
}
