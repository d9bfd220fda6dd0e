package org.sparkdl.ml.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.sparkdl.io.ModelFileException;

/**
 * A {@link TrainingSummary} as it is saved with its model: an object under {@code sparkdl.summary}
 * in the model's metadata, its fields named as the record's; the confusion matrix as {@code
 * {"rows": K, "cols": K, "values": [...]}} row by row. A number that is not finite is written as
 * {@code null}. Models saved before the summary was recorded have none, and load without one.
 */
final class SummaryJson {
  static final String FIELD = "summary";

  private SummaryJson() {}

  /** The summary as maps and lists, for the metadata's JSON. */
  static Map<String, Object> toMap(TrainingSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lossHistory", finite(s.lossHistory()));
    m.put("validationLossHistory", finite(s.validationLossHistory()));
    m.put("validationMetricHistory", finite(s.validationMetricHistory()));
    m.put("metricName", s.metricName());
    m.put("rounds", s.rounds());
    m.put("trainingRows", s.trainingRows());
    m.put("epochSeconds", finite(s.epochSeconds()));
    m.put("seconds", s.seconds());
    m.put("bestEpoch", s.bestEpoch());
    m.put("stoppedEarly", s.stoppedEarly());
    m.put("warnings", s.warnings());
    m.put("trainAccuracyHistory", finite(s.trainAccuracyHistory()));
    Matrix c = s.confusionMatrix();
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < c.numRows(); i++) {
      for (int j = 0; j < c.numCols(); j++) {
        values.add(c.apply(i, j));
      }
    }
    m.put("confusionMatrix", Map.of("rows", c.numRows(), "cols", c.numCols(), "values", values));
    m.put("confusionMatrixSource", s.confusionMatrixSource());
    return m;
  }

  /**
   * The summary saved under {@code provenance}, or null when none was saved.
   *
   * @throws ModelFileException naming the field when the saved summary is malformed
   */
  static TrainingSummary read(JsonNode provenance, String file) throws ModelFileException {
    JsonNode s = provenance.get(FIELD);
    if (s == null || s.isNull()) {
      return null;
    }
    try {
      JsonNode c = s.path("confusionMatrix");
      int rows = c.path("rows").asInt(0);
      int cols = c.path("cols").asInt(0);
      List<Double> values = doubles(s, "confusionMatrix.values", c.path("values"));
      if (rows < 0 || cols < 0 || values.size() != (long) rows * cols) {
        throw new IllegalArgumentException("sparkdl.summary.confusionMatrix declares " + rows + " x " + cols + " but holds "
            + values.size() + " values.");
      }
      double[] columnMajor = new double[values.size()];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          columnMajor[j * rows + i] = values.get(i * cols + j);
        }
      }
      List<String> warnings = new ArrayList<>();
      s.path("warnings").forEach(w -> warnings.add(w.asText()));
      return new TrainingSummary(doubles(s, "lossHistory"), doubles(s, "validationLossHistory"),
          doubles(s, "validationMetricHistory"), s.path("metricName").asText(), s.path("rounds").asLong(),
          s.path("trainingRows").asLong(), doubles(s, "epochSeconds"), s.path("seconds").asDouble(),
          s.path("bestEpoch").asInt(), s.path("stoppedEarly").asBoolean(), warnings, doubles(s, "trainAccuracyHistory"),
          new DenseMatrix(rows, cols, columnMajor), s.path("confusionMatrixSource").asText(""));
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "its training summary (sparkdl.summary) is malformed: " + e.getMessage(), e);
    }
  }

  private static List<Double> doubles(JsonNode s, String field) {
    return doubles(s, field, s.path(field));
  }

  private static List<Double> doubles(JsonNode s, String field, JsonNode a) {
    if (a.isMissingNode()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException("sparkdl.summary." + field + " is not an array.");
    }
    List<Double> out = new ArrayList<>();
    a.forEach(v -> out.add(v.isNull() ? Double.NaN : v.asDouble()));
    return out;
  }

  private static List<Double> finite(List<Double> values) {
    List<Double> out = new ArrayList<>();
    values.forEach(v -> out.add(Double.isFinite(v) ? v : null));
    return out;
  }
}
