package org.sparkdl.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Typed, strict access to the fields of one JSON object, with errors that name the object's owner
 * (e.g. {@code "Layer 'dense_1'"}) and the field. A field that is present must have the right type:
 * an explicit {@code null} never silently means "use the default".
 */
final class JsonFields {
  private static final int MAX_SHOWN_CHARS = 40;

  private final ObjectNode node;
  private final String owner;

  /**
   * @param owner how messages refer to the object, e.g. {@code "Layer 'dense_1'"} or {@code "layers[2]"}
   */
  JsonFields(ObjectNode node, String owner) {
    this.node = node;
    this.owner = owner;
  }

  /** Rejects any field not in {@code known}, listing the known ones so that typos are easy to fix. */
  void allowOnly(Collection<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!known.contains(field)) {
        throw new SpecException(owner + " has unknown field '" + field + "'; known fields: "
            + String.join(", ", new TreeSet<>(known)) + ".");
      }
    }
  }

  /** Whether the field is present (even as {@code null}). */
  boolean has(String field) {
    return node.has(field);
  }

  /** A required field; throws naming the owner when it is absent. */
  JsonNode require(String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new SpecException(owner + " has no '" + field + "'.");
    }
    return value;
  }

  int requireInt(String field) {
    return asInt(field, require(field));
  }

  int intOr(String field, int fallback) {
    return has(field) ? requireInt(field) : fallback;
  }

  /** A required number; integers are accepted and widened. */
  double requireDouble(String field) {
    JsonNode value = require(field);
    if (!value.isNumber()) {
      throw wrongType(field, "a number", value);
    }
    return value.doubleValue();
  }

  double doubleOr(String field, double fallback) {
    return has(field) ? requireDouble(field) : fallback;
  }

  boolean booleanOr(String field, boolean fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode value = node.get(field);
    if (!value.isBoolean()) {
      throw wrongType(field, "a boolean", value);
    }
    return value.booleanValue();
  }

  String requireString(String field) {
    JsonNode value = require(field);
    if (!value.isTextual()) {
      throw wrongType(field, "a string", value);
    }
    return value.textValue();
  }

  String stringOr(String field, String fallback) {
    return has(field) ? requireString(field) : fallback;
  }

  ArrayNode requireArray(String field) {
    JsonNode value = require(field);
    if (!value.isArray()) {
      throw wrongType(field, "an array", value);
    }
    return (ArrayNode) value;
  }

  List<Integer> requireIntList(String field) {
    ArrayNode array = requireArray(field);
    List<Integer> out = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      if (!element.isIntegralNumber() || !element.canConvertToInt()) {
        throw wrongType(field, "an array of integers", array);
      }
      out.add(element.intValue());
    }
    return Collections.unmodifiableList(out);
  }

  /** An integer or an array of integers, as a list (one entry for a single integer). */
  List<Integer> requireInts(String field) {
    JsonNode value = require(field);
    if (value.isIntegralNumber()) {
      return List.of(asInt(field, value));
    }
    if (!value.isArray()) {
      throw wrongType(field, "an integer or an array of integers", value);
    }
    return requireIntList(field);
  }

  List<Integer> intsOr(String field, List<Integer> fallback) {
    return has(field) ? requireInts(field) : fallback;
  }

  /** Padding: an integer, an array of integers, {@code "same"} or {@code "valid"}; {@code valid} when absent. */
  Padding paddingOr(String field) {
    if (!has(field)) {
      return Padding.VALID;
    }
    JsonNode value = node.get(field);
    if (value.isTextual() && Padding.named(value.textValue()) != null) {
      return Padding.named(value.textValue());
    }
    if (!value.isIntegralNumber() && !value.isArray()) {
      throw wrongType(field, "an integer, an array of integers, \"same\" or \"valid\"", value);
    }
    List<Integer> sizes = requireInts(field);
    for (int size : sizes) {
      if (size < 0) {
        throw new SpecException(owner + ": field '" + field + "' must be >= 0, found " + value + ".");
      }
    }
    return new Padding(false, sizes);
  }

  List<String> requireStringList(String field) {
    ArrayNode array = requireArray(field);
    List<String> out = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        throw wrongType(field, "an array of strings", array);
      }
      out.add(element.textValue());
    }
    return Collections.unmodifiableList(out);
  }

  private int asInt(String field, JsonNode value) {
    if (!value.isIntegralNumber()) {
      throw wrongType(field, "an integer", value);
    }
    if (!value.canConvertToInt()) {
      throw new SpecException(owner + ": field '" + field + "' is out of range, found " + value + ".");
    }
    return value.intValue();
  }

  private SpecException wrongType(String field, String expected, JsonNode found) {
    return new SpecException(
        owner + ": field '" + field + "' must be " + expected + ", found " + describe(found) + ".");
  }

  /** A short description of a JSON value for messages, e.g. {@code string "128"}. */
  static String describe(JsonNode value) {
    String kind = switch (value.getNodeType()) {
      case ARRAY -> "array";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case NUMBER -> "number";
      case OBJECT -> "object";
      case STRING -> "string";
      default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
    if (value.isNull()) {
      return kind;
    }
    String text = value.toString();
    if (text.length() > MAX_SHOWN_CHARS) {
      text = text.substring(0, MAX_SHOWN_CHARS) + "...";
    }
    return kind + " " + text;
  }
}
