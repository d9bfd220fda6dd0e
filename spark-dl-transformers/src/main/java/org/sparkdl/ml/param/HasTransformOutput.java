package org.sparkdl.ml.param;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The {@code transformOutput} param of the spark-dl models: what {@code transform} returns.
 * {@code predictions} (the default) appends the prediction columns as usual; {@code modelInfo}
 * returns instead a one-row DataFrame with one string column, {@code modelInfo}, holding a JSON
 * object that describes the model (class, uid, sizes, network, layer table, training summary).
 *
 * <p>Why it exists: a Spark Connect server calls on a model only the methods it whitelists
 * ({@code predict}, {@code numClasses}, {@code toString}, ...), so a thin client cannot ask for the
 * training summary or the network; a transform is the one call that reaches every model, and its
 * result comes back as rows. The Python package reads the JSON into the same objects it builds
 * from the JVM in classic PySpark.
 *
 * <p>Declared by hand rather than in {@link ParamTable}: that table holds the params every
 * estimator and model share, and this one belongs to the models alone.
 */
public interface HasTransformOutput extends Params {
  /** The default: the input rows with the prediction columns appended. */
  String PREDICTIONS = "predictions";

  /** One row, one column {@code modelInfo}: the model described as JSON. */
  String MODEL_INFO = "modelInfo";

  /** The param's doc, shared with the Python twin. */
  String DOC = "What transform returns: predictions (the input rows with the prediction columns; the default) or"
      + " modelInfo (one row with one JSON string column, modelInfo, describing the model: network, layers and"
      + " training summary; what a Spark Connect client reads them through).";

  /** What {@code transform} returns: {@code predictions} (default) or {@code modelInfo}. */
  Param<String> transformOutput();

  /** The value of {@link #transformOutput()}. */
  default String getTransformOutput() {
    return getOrDefault(transformOutput());
  }

  /** Whether {@code transform} returns the model description rather than predictions. */
  default boolean transformsToModelInfo() {
    return MODEL_INFO.equals(getTransformOutput());
  }

  /** Builds the param for {@code owner} (whose uid must be set) and sets its default. */
  static Param<String> create(Params owner) {
    Param<String> p = new Param<String>(owner, "transformOutput", DOC,
        ParamValidators.inArray(new String[] {PREDICTIONS, MODEL_INFO}));
    owner.setDefault(p, PREDICTIONS);
    return p;
  }
}
