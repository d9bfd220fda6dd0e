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
 *
 * <p>A {@link LayerType.Reader} reads a layer's type-specific fields through one, and a {@link
 * LayerType.Writer} puts them through another, in canonical order. Only the spec creates them.
 */
public final class JsonFields {
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
  public boolean has(String field) {
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

  /** A required integer field. */
  public int requireInt(String field) {
    return asInt(field, require(field));
  }

  /** An optional integer field, {@code fallback} when absent. */
  public int intOr(String field, int fallback) {
    return has(field) ? requireInt(field) : fallback;
  }

  /** A required number; integers are accepted and widened. */
  public double requireDouble(String field) {
    JsonNode value = require(field);
    if (!value.isNumber()) {
      throw wrongType(field, "a number", value);
    }
    return value.doubleValue();
  }

  /** An optional number, {@code fallback} when absent; integers are accepted and widened. */
  public double doubleOr(String field, double fallback) {
    return has(field) ? requireDouble(field) : fallback;
  }

  /** An optional boolean field, {@code fallback} when absent. */
  public boolean booleanOr(String field, boolean fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode value = node.get(field);
    if (!value.isBoolean()) {
      throw wrongType(field, "a boolean", value);
    }
    return value.booleanValue();
  }

  /** A required string field. */
  public String requireString(String field) {
    JsonNode value = require(field);
    if (!value.isTextual()) {
      throw wrongType(field, "a string", value);
    }
    return value.textValue();
  }

  /** An optional string field, {@code fallback} when absent. */
  public String stringOr(String field, String fallback) {
    return has(field) ? requireString(field) : fallback;
  }

  ArrayNode requireArray(String field) {
    JsonNode value = require(field);
    if (!value.isArray()) {
      throw wrongType(field, "an array", value);
    }
    return (ArrayNode) value;
  }

  /** A required array of integers. */
  public List<Integer> requireIntList(String field) {
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
  public List<Integer> requireInts(String field) {
    JsonNode value = require(field);
    if (value.isIntegralNumber()) {
      return List.of(asInt(field, value));
    }
    if (!value.isArray()) {
      throw wrongType(field, "an integer or an array of integers", value);
    }
    return requireIntList(field);
  }

  /** An optional integer or array of integers (see {@link #requireInts}), {@code fallback} when absent. */
  public List<Integer> intsOr(String field, List<Integer> fallback) {
    return has(field) ? requireInts(field) : fallback;
  }

  /** Padding: an integer, an array of integers, {@code "same"} or {@code "valid"}; {@code valid} when absent. */
  public Padding paddingOr(String field) {
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
    if (value.isArray() && !value.isEmpty() && value.get(0).isArray()) {
      return paddingPairs(field, value);
    }
    List<Integer> sizes = requireInts(field);
    for (int size : sizes) {
      if (size < 0) {
        throw new SpecException(owner + ": field '" + field + "' must be >= 0, found " + value + ".");
      }
    }
    return new Padding(false, sizes);
  }

  /** Padding as {@code [before, after]} pairs, one per spatial axis (or one for every axis). */
  private Padding paddingPairs(String field, JsonNode value) {
    List<Integer> before = new ArrayList<>(value.size());
    List<Integer> after = new ArrayList<>(value.size());
    for (JsonNode pair : value) {
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToInt() || !pair.get(1).canConvertToInt()
          || !pair.get(0).isIntegralNumber() || !pair.get(1).isIntegralNumber()) {
        throw new SpecException(owner + ": field '" + field + "' must hold [before, after] pairs of integers, found " + value
            + ".");
      }
      if (pair.get(0).intValue() < 0 || pair.get(1).intValue() < 0) {
        throw new SpecException(owner + ": field '" + field + "' must be >= 0, found " + value + ".");
      }
      before.add(pair.get(0).intValue());
      after.add(pair.get(1).intValue());
    }
    return new Padding(false, before, after);
  }

  /** A required array of strings. */
  public List<String> requireStringList(String field) {
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

  /**
   * An error about the owner, worded like the spec's own: {@code "Layer 'dense_1': " + message}.
   * For checks a reader makes across fields; the record's constructor checks each value.
   */
  public SpecException error(String message) {
    return new SpecException(owner + ": " + message);
  }

  /** Writes an integer field. */
  public void put(String field, int value) {
    node.put(field, value);
  }

  /** Writes a number field, in the shortest form that reads back to the same double. */
  public void put(String field, double value) {
    node.put(field, value);
  }

  /** Writes a boolean field. */
  public void put(String field, boolean value) {
    node.put(field, value);
  }

  /** Writes a string field. */
  public void put(String field, String value) {
    node.put(field, value);
  }

  /** Writes an array of integers. */
  public void putInts(String field, List<Integer> values) {
    ArrayNode array = node.putArray(field);
    values.forEach(array::add);
  }

  /**
   * Writes padding as {@code "same"}, as one size per spatial axis, or as one {@code [before,
   * after]} pair per axis where the sides differ (what {@link #paddingOr} reads).
   */
  public void putPadding(String field, Padding padding) {
    if (padding.same()) {
      put(field, "same");
    } else if (padding.after().isEmpty()) {
      putInts(field, padding.sizes());
    } else {
      ArrayNode pairs = node.putArray(field);
      for (int i = 0; i < padding.sizes().size(); i++) {
        pairs.addArray().add(padding.sizes().get(i)).add(padding.after().get(i));
      }
    }
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
