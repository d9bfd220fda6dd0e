package org.sparkdl.ml;

import org.apache.spark.ml.PredictorParams;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkdl.arrow.FeatureInput;
import org.sparkdl.arrow.TrainingColumns;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.spec.NetworkSpec;

/** What both estimators check and prepare before a fit: columns, the validation split, settings. */
final class EstimatorSchemas {
  private EstimatorSchemas() {}

  /**
   * The rows to fit on, and the boolean column marking the held-out validation rows (null without
   * one). The split happens as the partitions are encoded, so rows keep their input positions.
   */
  record Splits(Dataset<Row> data, String validationIndicator) {}

  /**
   * Checks the schema for a fit: features that fill the network's input (its shape, or {@code
   * inputShape}; images, sequences and their lengths, shaped vectors), a numeric label (or a
   * target of the output width for a regressor), the optional weight and validation columns, and
   * a classifier's class weights (one per output, when listed).
   *
   * @throws IllegalArgumentException naming the column or param, the expected and the found type,
   *     width or shape
   */
  static <P extends NeuralNetworkParams & PredictorParams> TrainingColumns checkTraining(StructType schema, P p,
      NetworkSpec spec, boolean classification) {
    int outputWidth = spec.outputShape().stream().reduce(1, (a, b) -> a * b);
    if (classification) {
      ClassWeights.check(p.getClassWeights(), outputWidth);
    } else if (!p.getClassWeights().trim().isEmpty()) {
      throw new IllegalArgumentException("Param classWeights is '" + p.getClassWeights() + "'; class weights apply to"
          + " classifiers, and a regressor has no classes. Leave it empty (weightCol weighs rows).");
    }
    FeatureInput features = p.resolveFeatures(schema, p.getFeaturesCol(), spec);
    String weight = p.getWeightCol().isEmpty() ? null : p.getWeightCol();
    String indicator = p.getValidationIndicatorCol();
    if (!indicator.isEmpty()) {
      StructField f = field(schema, indicator);
      if (!f.dataType().equals(DataTypes.BooleanType)) {
        throw new IllegalArgumentException("Column '" + indicator + "' (validationIndicatorCol) has type "
            + f.dataType().simpleString() + "; expected boolean.");
      }
    }
    return classification
        ? TrainingColumns.forLabel(schema, features, p.getLabelCol(), weight)
        : TrainingColumns.forTarget(schema, features, p.getLabelCol(), outputWidth, weight);
  }

  private static StructField field(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("Column '" + name + "' does not exist; columns: " + String.join(", ", schema.fieldNames()) + ".");
  }

  /** Names the validation column, and spreads the data over {@code numWorkers} partitions when set. */
  static Splits split(Dataset<?> dataset, NeuralNetworkParams p) {
    Dataset<Row> all = dataset.toDF();
    // the plan the fit reads when nothing changes it (see DistributedTrainer.fit), so that it runs once
    if (p.getNumWorkers() > 0 && all.queryExecution().toRdd().getNumPartitions() != p.getNumWorkers()) {
      all = all.repartition(p.getNumWorkers());
    }
    String indicator = p.getValidationIndicatorCol();
    DistributedTrainer.checkMonitor(p, indicator.isEmpty() && p.getValidationFraction() == 0 ? null : "validation");
    if (indicator.isEmpty() && p.getValidationFraction() > 0) {
      // a seeded random split, as validationIndicatorCol would give: rows whose draw falls below the fraction
      String drawn = "__sparkdl_validation_" + p.uid();
      return new Splits(all.withColumn(drawn, org.apache.spark.sql.functions.rand(p.getSeed())
          .lt(p.getValidationFraction())), drawn);
    }
    return new Splits(all, indicator.isEmpty() ? null : indicator);
  }

  /**
   * A fit of either estimator, from the checks on the schema to the trained weights: what differs
   * between a classifier and a regressor is the {@code objective} (loss, label handling, classes);
   * each estimator then wraps the result in its model.
   */
  static <P extends NeuralNetworkParams & PredictorParams> DistributedTrainer.Result fit(P p, Dataset<?> dataset,
      NetworkSpec spec, DistributedTrainer.Objective objective) {
    TrainingColumns columns = checkTraining(dataset.schema(), p, spec, objective.classification());
    Splits splits = split(dataset, p);
    NeuralNetworkParams snapshot = (NeuralNetworkParams) p.copy(org.apache.spark.ml.param.ParamMap.empty());
    return DistributedTrainer.fit(splits.data(), splits.validationIndicator(), columns,
        new DistributedTrainer.Settings(p.getClass().getSimpleName(), p.uid(), spec, objective, snapshot));
  }
}
