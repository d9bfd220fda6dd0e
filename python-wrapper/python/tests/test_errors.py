"""Bad input raises readable Python exceptions carrying the Java message, before training where it can."""

from typing import Any, Callable

import pytest
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F
from pyspark.ml.linalg import VectorUDT
from pyspark.sql.types import DoubleType, StructField, StructType

from conftest import blobs
from spark_dl import (
    Network,
    NeuralNetworkClassificationModel,
    NeuralNetworkClassifier,
    NeuralNetworkRegressor,
    SparkDLError,
    SparkDLValueError,
)
from spark_dl.errors import translate_java_exception


@pytest.fixture(scope="module")
def small(spark: Any) -> Any:
    return blobs(spark, n=60).cache()


def clf(**kwargs: Any) -> NeuralNetworkClassifier:
    return NeuralNetworkClassifier(**{"layers": [4, 8, 3], "maxEpochs": 1, **kwargs})


def raises_value_error(action: Callable[[], Any], message: str) -> SparkDLValueError:
    with pytest.raises(SparkDLValueError) as info:
        action()
    assert message in str(info.value), str(info.value)
    assert isinstance(info.value, ValueError)
    assert info.value.java_class == "java.lang.IllegalArgumentException"
    assert info.value.java_stack_trace and "IllegalArgumentException" in info.value.java_stack_trace
    return info.value


def test_label_outside_the_class_range_names_column_and_row(small: Any) -> None:
    bad = small.withColumn("label", F.when(F.col("label") == 2, 3.0).otherwise(F.col("label")))
    error = raises_value_error(lambda: clf().fit(bad),
                               "is outside [0, 3) for 3 classes: the network's output layer has 3 units")
    assert str(error).startswith("Column 'label', row ")


def test_missing_feature_column(small: Any) -> None:
    raises_value_error(lambda: clf().fit(small.withColumnRenamed("features", "x")),
                       "Column 'features' does not exist; columns: label, x.")


def test_wrong_feature_type(small: Any) -> None:
    raises_value_error(lambda: clf().fit(small.withColumn("features", F.lit("text"))),
                       "Column 'features' has type string; expected a Vector, array<float>, array<double>, a number,"
                       " an image struct (Spark's image source), binary (encoded images), array<array<float>> or"
                       " array<array<double>> (sequences), array<int> or array<long> (token ids).")


def test_wrong_label_type(small: Any) -> None:
    raises_value_error(lambda: clf().fit(small.withColumn("label", F.lit("x"))),
                       "Column 'label' has type string; expected a number (byte, short, int, long, float, double or decimal).")


def test_nan_and_null_features_name_the_row(spark: Any) -> None:
    schema = StructType([StructField("label", DoubleType()), StructField("features", VectorUDT())])
    nan = spark.createDataFrame([(0.0, Vectors.dense([1.0, float("nan"), 3.0, 4.0])), (1.0, Vectors.dense([1.0, 2, 3, 4]))], schema)
    raises_value_error(lambda: clf().fit(nan.coalesce(1)),
                       "Column 'features', row 0 of partition 0 (row 0 of the input, counting from 0 in partition order):"
                       " NaN at index 1.")
    null = spark.createDataFrame([(1.0, Vectors.dense([1.0, 2, 3, 4])), (0.0, None)], schema)
    raises_value_error(lambda: clf().fit(null.coalesce(1)), "Column 'features', row 1 of partition 0")


def test_width_known_from_metadata_fails_before_training(spark: Any) -> None:
    frame = spark.createDataFrame([(0.0, 1.0, 2.0, 3.0, 4.0)], ["label", "a", "b", "c", "d"])
    assembled = VectorAssembler(inputCols=["a", "b", "c", "d"], outputCol="features").transform(frame)
    raises_value_error(lambda: clf(layers=[3, 8, 3]).fit(assembled),
                       "Column 'features' declares 4 values in its metadata; the input layer expects 3.")


def test_width_found_in_a_task_is_reported_from_the_task(small: Any) -> None:
    raises_value_error(lambda: clf(layers=[5, 8, 3]).fit(small), "4 values; the input layer expects 5.")


def test_classifier_networks_must_end_in_logits(small: Any) -> None:
    softmax = Network.builder().input("features", 4).dense(3).softmax().build()
    raises_value_error(lambda: clf(network=softmax).fit(small),
                       "The network ends in softmax (layer 'softmax_1'); a classifier's network must output logits.")
    single = Network.builder().input("features", 4).dense(1).build()
    raises_value_error(lambda: clf(network=single).fit(small),
                       "A classifier's network must output one logit per class ([classes] with classes >= 2); "
                       "this one outputs [1].")


def test_neither_network_nor_layers(small: Any) -> None:
    raises_value_error(lambda: NeuralNetworkClassifier().fit(small),
                       "Set either network (JSON) or layers (e.g. [784, 128, 10]); neither is set.")


def test_missing_weight_column(small: Any) -> None:
    raises_value_error(lambda: clf(weightCol="w").fit(small), "Column 'w' does not exist; columns: label, features.")


def test_a_validation_monitor_needs_a_validation_split(small: Any) -> None:
    raises_value_error(lambda: clf(monitor="validationMetric", minDelta=0.01).fit(small),
                       "Param monitor is 'validationMetric', which needs a validation split; set "
                       "validationIndicatorCol or validationFraction, or monitor 'loss' or 'auto'.")
    with pytest.raises(SparkDLValueError, match="monitor"):
        clf(monitor="accuracy")


def test_bad_schedule_is_rejected_when_set(spark: Any) -> None:
    with pytest.raises(SparkDLValueError, match=r"Param learningRateSchedule 'bogus' is invalid; expected constant"):
        clf(learningRateSchedule="bogus")
    assert clf(learningRateSchedule="warmup:10+cosine:100").getLearningRateSchedule() == "warmup:10+cosine:100"


def test_transform_checks_the_schema_first(small: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    raises_value_error(lambda: blob_model.transform(small.withColumn("prediction", F.lit(1.0))),
                       "Column 'prediction' already exists; columns: label, features, prediction. "
                       "Choose another output column name.")
    raises_value_error(lambda: blob_model.transform(small.select("label")), "Column 'features' does not exist; columns: label.")


def test_a_model_saved_without_a_summary_says_so(tmp_path: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    from spark_dl import SparkDLStateError

    unfitted = blob_model.copy()
    unfitted._java_obj.setSummary(None)
    unfitted.write().overwrite().save(str(tmp_path / "m"))
    loaded = NeuralNetworkClassificationModel.load(str(tmp_path / "m"))
    assert not loaded.hasSummary
    with pytest.raises(SparkDLStateError, match="it was not fitted in this session, and its save"):
        loaded.summary
    assert isinstance(SparkDLStateError("x"), RuntimeError)


def test_regressor_rejects_a_loss_set_behind_the_setter(spark: Any) -> None:
    reg = NeuralNetworkRegressor(layers=[3, 4, 1])
    with pytest.raises(SparkDLValueError, match="a regressor takes mse or huber"):
        reg._set(loss="bce")


def test_other_jvm_errors_are_left_as_they_are(spark: Any) -> None:
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.captured import CapturedException

    with pytest.raises((Py4JJavaError, CapturedException)) as info:
        spark.sparkContext._jvm.java.lang.Math.floorDiv(1, 0)
    assert translate_java_exception(info.value) is None
    assert translate_java_exception(ValueError("plain")) is None
    assert issubclass(SparkDLValueError, SparkDLError)
