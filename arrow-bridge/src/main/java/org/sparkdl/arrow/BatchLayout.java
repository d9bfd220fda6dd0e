package org.sparkdl.arrow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow layout of a training batch, written by {@link BatchEncoder} and read by {@link
 * ArrowBatch}. One record batch of {@code rows} rows holds:
 *
 * <ul>
 *   <li>{@code features}: {@code FixedSizeList<float32>[featureWidth]}, whose child vector is
 *       one contiguous row-major {@code rows x featureWidth} float buffer, the memory a
 *       {@code [rows, featureWidth]} tensor views;
 *   <li>{@code label}: {@code float32} for a scalar label or target, else {@code
 *       FixedSizeList<float32>[targetWidth]};
 *   <li>{@code weight}: {@code float32}, only when the rows are weighted;
 *   <li>{@code lengths}: {@code float32}, each row's number of sequence steps, only when the
 *       network reads them ({@link FeatureInput#lengths()}).
 * </ul>
 *
 * For a {@linkplain FeatureInput#sparse sparse} input, {@code features} is instead {@code
 * List<float32>}, each row's non-zero values, and {@code feature_columns} is {@code List<float32>},
 * their columns: the two lists' offsets are the rows' starts in CSR form, their child buffers the
 * entries, and the schema metadata gives the width ({@code sparkdl.featureWidth}).
 *
 * A fixed-size list keeps the record batch standard Arrow (every column has {@code rows} entries,
 * and the width travels in the type) while its data stays one flat buffer. Schema metadata records
 * the layout version and, for messages, the partition and the position of the batch's first row.
 */
final class BatchLayout {
  static final String FEATURES = "features";
  static final String LABEL = "label";
  static final String WEIGHT = "weight";
  static final String LENGTHS = "lengths";
  static final String FEATURE_COLUMNS = "feature_columns";
  static final String FEATURE_WIDTH_KEY = "sparkdl.featureWidth";
  static final String ITEM = "item";
  static final String VERSION_KEY = "sparkdl.layout";
  static final String VERSION = "1";
  static final String PARTITION_KEY = "sparkdl.partition";
  static final String FIRST_ROW_KEY = "sparkdl.firstRow";

  private static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  private BatchLayout() {}

  /** The fields of a batch for these columns. */
  static List<Field> fields(TrainingColumns c) {
    List<Field> fields = new ArrayList<>(3);
    if (c.input().isSparse()) {
      fields.add(floatRows(FEATURES));
      fields.add(floatRows(FEATURE_COLUMNS));
    } else {
      fields.add(floatList(FEATURES, c.featureWidth()));
    }
    fields.add(c.vectorTarget() ? floatList(LABEL, c.targetWidth()) : floats(LABEL));
    if (c.hasWeight()) {
      fields.add(floats(WEIGHT));
    }
    if (c.input().lengths()) {
      fields.add(floats(LENGTHS));
    }
    return fields;
  }

  /** The schema of one serialized batch, with its metadata; {@code sparseWidth} is 0 for dense features. */
  static Schema schema(List<Field> fields, int partition, long firstRow, int sparseWidth) {
    Map<String, String> meta = new java.util.HashMap<>(Map.of(VERSION_KEY, VERSION, PARTITION_KEY, Integer.toString(partition),
        FIRST_ROW_KEY, Long.toString(firstRow)));
    if (sparseWidth > 0) {
      meta.put(FEATURE_WIDTH_KEY, Integer.toString(sparseWidth));
    }
    return new Schema(fields, meta);
  }

  /**
   * Marks every slot of {@code v} and its children valid. Batches never hold nulls, so this is done
   * once after allocation instead of once a value.
   */
  static void markAllValid(FieldVector v) {
    ArrowBuf validity = v.getValidityBuffer();
    validity.setOne(0, validity.capacity());
    for (FieldVector child : v.getChildrenFromFields()) {
      markAllValid(child);
    }
  }

  private static Field floats(String name) {
    return new Field(name, FieldType.notNullable(FLOAT32), null);
  }

  private static Field floatRows(String name) {
    return new Field(name, FieldType.notNullable(ArrowType.List.INSTANCE), List.of(floats(ITEM)));
  }

  private static Field floatList(String name, int width) {
    return new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(width)), List.of(floats(ITEM)));
  }
}
