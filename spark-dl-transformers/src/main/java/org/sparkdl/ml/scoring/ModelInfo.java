package org.sparkdl.ml.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.nn.Network;

/**
 * A model described as one JSON object, returned by a model's {@code transform} when its {@code
 * transformOutput} is {@code modelInfo} (see {@code HasTransformOutput}): one row, one string
 * column {@code modelInfo}. Fields: {@code class}, {@code uid}, {@code numFeatures}, {@code
 * numOutputs}, {@code parameters}, {@code buffers}, {@code network} (the spec's JSON as a string),
 * {@code layers} (the layer table, as {@code describe()} prints it), {@code toString}, {@code
 * hasSummary} and {@code summary} (the training summary in the form saved with the model, or null).
 */
public final class ModelInfo {
  /** The column of the one-row frame. */
  public static final String COLUMN = "modelInfo";

  /** The schema of the frame. */
  public static final StructType SCHEMA = new StructType().add(COLUMN, DataTypes.StringType, false);

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelInfo() {}

  /**
   * The JSON object describing a model.
   *
   * @param className the model's Java class name
   * @param uid the model's uid
   * @param data its network and weights (not empty)
   * @param summary its training summary, or null
   * @param text its {@code toString}
   */
  public static String json(String className, String uid, ModelData data, TrainingSummary summary, String text) {
    data.requireNetwork(uid);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("class", className);
    m.put("uid", uid);
    m.put("numFeatures", data.inputWidth());
    m.put("numOutputs", data.outputWidth());
    m.put("parameters", data.weights().length);
    m.put("buffers", data.buffers().length);
    m.put("network", data.specJson());
    m.put("layers", Network.describe(data.spec()));
    m.put("toString", text);
    m.put("hasSummary", summary != null);
    m.put("summary", summary == null ? null : SummaryJson.toMap(summary));
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Model " + uid + " could not be described as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The library's version (its jar's {@code Implementation-Version}), or {@code ""} when the classes
   * do not come from a jar. Spark Connect clients, which have no py4j gateway, call it in SQL
   * ({@code SELECT reflect('org.sparkdl.ml.scoring.ModelInfo', 'libraryVersion')}) to check that
   * the server has the library, and which version.
   */
  public static String libraryVersion() {
    Package p = ModelInfo.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "" : v;
  }

  /** The one-row frame holding {@code json} in column {@link #COLUMN}. */
  public static Dataset<Row> frame(SparkSession spark, String json) {
    return spark.createDataFrame(List.of(RowFactory.create(json)), SCHEMA);
  }
}
