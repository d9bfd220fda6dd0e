package org.sparkdl.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The JSON mapping of one layer type: its {@code "type"} tag, its record class, its type-specific
 * fields in canonical order, how to read them and how to write them. A {@link LayerFamily} lists
 * one per record it owns; the spec reader and writer find them by tag and by record.
 *
 * <p>The common fields {@code type}, {@code name} and {@code inputs} are read and written by the
 * spec itself and come first in every layer object; {@code fields} lists only what follows them.
 * A writer may leave out an optional field (Activation's {@code alpha} for functions without one)
 * but writes the others in exactly the order of {@code fields}, with every default spelled out.
 *
 * @param <L> the layer record
 * @param tag the JSON type tag, e.g. {@code "dense"}; the record's {@code TYPE} constant
 * @param recordClass the record the tag stands for
 * @param fields the type-specific field names in canonical order; the only other fields a layer of
 *     this type may carry in JSON
 * @param reader builds the record from its name, inputs and fields
 * @param writer writes the record's type-specific fields
 */
public record LayerType<L extends LayerSpec>(String tag, Class<L> recordClass, List<String> fields, Reader<L> reader,
    Writer<L> writer) {

  /**
   * Builds a layer record from JSON.
   *
   * @param <L> the layer record
   */
  @FunctionalInterface
  public interface Reader<L extends LayerSpec> {
    /**
     * The record named {@code name} reading {@code inputs}, from its type-specific fields. Missing
     * optional fields take their defaults; errors are {@link SpecException}s naming the layer (see
     * {@link JsonFields#error}).
     */
    L read(String name, List<String> inputs, JsonFields fields);
  }

  /**
   * Writes a layer record's type-specific fields in canonical order.
   *
   * @param <L> the layer record
   */
  @FunctionalInterface
  public interface Writer<L extends LayerSpec> {
    /** Puts the type-specific fields of {@code layer} into {@code out}, in the order of {@link LayerType#fields()}. */
    void write(L layer, JsonFields out);
  }

  /** Checks that every part is present and that {@code fields} has no duplicate or common field. */
  public LayerType {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(recordClass, "recordClass of layer type '" + tag + "'");
    Objects.requireNonNull(reader, "reader of layer type '" + tag + "'");
    Objects.requireNonNull(writer, "writer of layer type '" + tag + "'");
    fields = List.copyOf(fields);
    HashSet<String> seen = new HashSet<>(LayerTypes.COMMON_FIELDS);
    for (String field : fields) {
      if (!seen.add(field)) {
        throw new IllegalArgumentException("Layer type '" + tag + "' lists field '" + field + "' twice or as a "
            + "common field (" + String.join(", ", LayerTypes.COMMON_FIELDS) + ").");
      }
    }
  }
}
