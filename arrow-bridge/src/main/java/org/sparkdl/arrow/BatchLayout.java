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
 * A fixed-size list keeps the record batch standard Arrow (every column has {@code rows} entries,
 * and the width travels in the type) while its data stays one flat buffer. Schema metadata records
 * the layout version and, for messages, the partition and the position of the batch's first row.
 */
final class BatchLayout {
  static final String FEATURES = "features";
  static final String LABEL = "label";
  static final String WEIGHT = "weight";
  static final String LENGTHS = "lengths";
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
    fields.add(floatList(FEATURES, c.featureWidth()));
    fields.add(c.vectorTarget() ? floatList(LABEL, c.targetWidth()) : floats(LABEL));
    if (c.hasWeight()) {
      fields.add(floats(WEIGHT));
    }
    if (c.input().lengths()) {
      fields.add(floats(LENGTHS));
    }
    return fields;
  }

  /** The schema of one serialized batch, with its metadata. */
  static Schema schema(List<Field> fields, int partition, long firstRow) {
    return new Schema(fields, Map.of(VERSION_KEY, VERSION, PARTITION_KEY, Integer.toString(partition),
        FIRST_ROW_KEY, Long.toString(firstRow)));
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

  private static Field floatList(String name, int width) {
    return new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(width)), List.of(floats(ITEM)));
  }
}
