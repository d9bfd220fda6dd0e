package org.sparkdl.ml.param;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.sparkdl.io.ModelFileException;
import scala.Option;

/**
 * The one-line JSON that Spark ML keeps in a stage's {@code metadata/} directory ({@code class},
 * {@code timestamp}, {@code sparkVersion}, {@code uid}, {@code paramMap}, {@code
 * defaultParamMap}), written and read here so that {@code Pipeline.load} and {@code
 * CrossValidatorModel.load} find our stages, plus a {@code sparkdl} object with provenance.
 */
public final class ParamsMetadata {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Classes that were renamed, by the name older saves record: such a save loads as the class of
   * today's name.
   */
  public static final java.util.Map<String, String> FORMER_NAMES = java.util.Map.of(
      "org.sparkdl.ml.scoring.NeuralNetworkClassificationModel", "org.sparkdl.ml.NeuralNetworkClassificationModel",
      "org.sparkdl.ml.scoring.NeuralNetworkRegressionModel", "org.sparkdl.ml.NeuralNetworkRegressionModel");

  private ParamsMetadata() {}

  /**
   * Writes the metadata line as Spark does: {@code dir/part-00000} and an empty {@code dir/_SUCCESS}.
   */
  public static void write(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path dir, String json)
      throws java.io.IOException {
    org.sparkdl.hadoop.HadoopFiles.writeUtf8(fs, new org.apache.hadoop.fs.Path(dir, "part-00000"), json + "\n");
    fs.create(new org.apache.hadoop.fs.Path(dir, "_SUCCESS")).close();
  }

  /**
   * The single metadata line of a stage directory's {@code metadata/}, from whichever part file
   * Spark or this library wrote.
   *
   * @throws ModelFileException naming the directory when it or its part file is missing
   */
  public static String read(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path dir) throws java.io.IOException {
    if (!fs.exists(dir)) {
      throw new ModelFileException(dir.toString(), "does not exist; a saved stage directory holds metadata/.");
    }
    for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (f.isFile() && !name.startsWith("_") && !name.startsWith(".") && f.getLen() > 0) {
        return org.sparkdl.hadoop.HadoopFiles.readUtf8(fs, f.getPath(), 16L << 20).trim();
      }
    }
    throw new ModelFileException(dir.toString(), "holds no metadata file.");
  }

  /** Rethrows a checked exception without declaring it (Spark's {@code MLReader.load} declares none). */
  @SuppressWarnings("unchecked")
  public static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }

  /** What a metadata file says. */
  public record Loaded(String className, String uid, String sparkVersion, JsonNode paramMap, JsonNode defaultParamMap,
      JsonNode provenance) {}

  /** The metadata of {@code stage}, with {@code provenance} (may be empty) under {@code sparkdl}. */
  public static String toJson(Params stage, String sparkVersion, Map<String, Object> provenance) {
    ObjectNode root = JSON.createObjectNode();
    root.put("class", stage.getClass().getName());
    root.put("timestamp", System.currentTimeMillis());
    root.put("sparkVersion", sparkVersion);
    root.put("uid", stage.uid());
    ObjectNode set = root.putObject("paramMap");
    ObjectNode defaults = root.putObject("defaultParamMap");
    for (Param<?> p : stage.params()) {
      encode(stage, p, set, defaults);
    }
    root.set("sparkdl", JSON.valueToTree(provenance));
    return root.toString();
  }

  @SuppressWarnings("unchecked")
  private static <T> void encode(Params stage, Param<T> p, ObjectNode set, ObjectNode defaults) {
    try {
      if (stage.isSet(p)) {
        set.set(p.name(), JSON.readTree(p.jsonEncode(stage.getOrDefault(p))));
      }
      Option<T> d = stage.getDefault(p);
      if (d.isDefined()) {
        defaults.set(p.name(), JSON.readTree(p.jsonEncode(d.get())));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Param " + p.name() + " did not encode as JSON.", e);
    }
  }

  /**
   * Parses and checks a metadata file.
   *
   * @param expectedClass the class the caller loads; another class in the file is an error
   * @throws ModelFileException naming {@code fileName} when the JSON is malformed or the class differs
   */
  public static Loaded parse(String json, String fileName, Class<?> expectedClass) throws ModelFileException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelFileException(fileName, "is not valid JSON (" + e.getOriginalMessage() + ").", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFileException(fileName, "must hold a JSON object.");
    }
    String cls = text(root, "class", fileName);
    if (!cls.equals(expectedClass.getName()) && !expectedClass.getName().equals(FORMER_NAMES.get(cls))) {
      throw new ModelFileException(fileName, "describes a " + cls + "; expected " + expectedClass.getName() + ".");
    }
    JsonNode params = root.path("paramMap");
    JsonNode defaults = root.path("defaultParamMap");
    if (!params.isObject() || !(defaults.isObject() || defaults.isMissingNode())) {
      throw new ModelFileException(fileName, "needs paramMap and defaultParamMap objects.");
    }
    return new Loaded(cls, text(root, "uid", fileName), root.path("sparkVersion").asText(""), params, defaults,
        root.path("sparkdl"));
  }

  private static String text(JsonNode root, String field, String fileName) throws ModelFileException {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw new ModelFileException(fileName, "lacks the text field '" + field + "'.");
    }
    return n.asText();
  }

  /**
   * Sets the params (and defaults) recorded in {@code m} on {@code stage}.
   *
   * @throws ModelFileException naming the file and the param that the stage does not have or whose
   *     value does not decode
   */
  public static void apply(Loaded m, Params stage, String fileName) throws ModelFileException {
    applyAll(m.defaultParamMap(), stage, fileName, true);
    applyAll(m.paramMap(), stage, fileName, false);
  }

  private static void applyAll(JsonNode map, Params stage, String fileName, boolean defaults) throws ModelFileException {
    if (map == null || map.isMissingNode()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!stage.hasParam(e.getKey())) {
        throw new ModelFileException(fileName, "sets param '" + e.getKey() + "', which " + stage.getClass().getSimpleName()
            + " does not have.");
      }
      Param<Object> p = stage.getParam(e.getKey());
      Object value;
      try {
        value = p.jsonDecode(e.getValue().toString());
      } catch (Exception ex) {
        // json4s reports a value of the wrong shape with a checked MappingException, thrown from Scala
        throw new ModelFileException(fileName, "param '" + e.getKey() + "' has the value " + e.getValue()
            + ", which does not decode (" + ex.getMessage() + ").", ex);
      }
      try {
        if (defaults) {
          stage.setDefault(p, value);
        } else {
          stage.set(new ParamPair<>(p, value));
        }
      } catch (IllegalArgumentException ex) {
        throw new ModelFileException(fileName, "param '" + e.getKey() + "' has the invalid value " + e.getValue() + ".", ex);
      }
    }
  }
}
