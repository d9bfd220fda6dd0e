"""The estimators, models, pipelines, tuning and persistence in both modes: classic PySpark and a
Spark Connect client (``mode_spark``), and models crossing from one mode to the other."""

import contextlib
import os
import warnings
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.ml.feature import StandardScaler
from pyspark.ml.linalg import Vectors
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

import spark_dl
from conftest import blobs, linear
from spark_dl import (
    NeuralNetworkClassificationModel,
    NeuralNetworkClassifier,
    NeuralNetworkRegressionModel,
    NeuralNetworkRegressor,
)
from spark_dl.errors import ModelFileError, SparkDLConnectError, SparkDLValueError


@contextlib.contextmanager
def connect_mode(on: bool) -> Iterator[None]:
    """PySpark as a Connect client (on) or classic (off) inside the block."""
    before = os.environ.get("SPARK_CONNECT_MODE_ENABLED")
    if on:
        os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    else:
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
        else:
            os.environ["SPARK_CONNECT_MODE_ENABLED"] = before


def predictions(model: Any, frame: Any) -> np.ndarray:
    rows = model.transform(frame).select("rawPrediction").collect()
    return np.array([r[0].toArray() for r in rows])


def test_fit_transform_and_the_summary(mode_spark: Any) -> None:
    frame = blobs(mode_spark, n=150)
    model = NeuralNetworkClassifier(layers=[4, 16, 3], maxEpochs=3, batchSize=32, learningRate=0.01, seed=3).fit(frame)

    assert isinstance(model, NeuralNetworkClassificationModel)
    assert model.numClasses == 3 and model.numFeatures == 4
    scored = model.transform(frame).select("label", "prediction").toPandas()
    assert (scored["label"] == scored["prediction"]).mean() > 0.8
    assert model.hasSummary
    summary = model.summary
    assert summary.epochs == 3 and len(summary.trainAccuracyHistory) == 3
    assert summary.metricName == "accuracy" and summary.trainingRows == 150
    assert len(summary.confusionMatrix) == 3 and sum(map(sum, summary.confusionMatrix)) > 0
    assert list(summary.toPandas().columns[:2]) == ["epoch", "loss"]
    assert summary.toDataFrame(mode_spark).count() == 3
    assert model.spec == spark_dl.Network.mlp([4, 16, 3])
    assert "Total" in model.describe() or "total" in model.describe()
    assert repr(model).startswith("NeuralNetworkClassificationModel: uid=")
    assert model.getTransformOutput() == "predictions"
    info = model._model_info()  # what a Connect client reads the summary from, the same in classic PySpark
    assert info["class"] == "org.sparkdl.ml.NeuralNetworkClassificationModel" and info["uid"] == model.uid
    assert info["summary"]["lossHistory"] == pytest.approx(summary.lossHistory)


def test_regressor_fit_transform(mode_spark: Any) -> None:
    frame = linear(mode_spark, n=150, outputs=2)
    model = NeuralNetworkRegressor(layers=[3, 8, 2], maxEpochs=2, batchSize=32, seed=3).fit(frame)

    assert isinstance(model, NeuralNetworkRegressionModel)
    assert model.numOutputs == 2
    assert model.transform(frame).select("prediction").first()[0].size == 2
    assert model.summary.metricName == "rmse" and model.summary.epochs == 2


def test_save_and_load_give_the_same_predictions(mode_spark: Any, tmp_path: Path) -> None:
    frame = blobs(mode_spark, n=90)
    clf = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=5)
    model = clf.fit(frame)
    model.write().overwrite().save(str(tmp_path / "model"))
    clf.write().overwrite().save(str(tmp_path / "estimator"))

    loaded = NeuralNetworkClassificationModel.load(str(tmp_path / "model"))
    estimator = NeuralNetworkClassifier.load(str(tmp_path / "estimator"))

    np.testing.assert_array_equal(predictions(loaded, frame), predictions(model, frame))
    assert loaded.summary.lossHistory == pytest.approx(model.summary.lossHistory)
    assert estimator.getLayers() == [4, 8, 3] and estimator.getSeed() == 5 and estimator.uid == clf.uid
    with pytest.raises(ModelFileError, match="describes a org.sparkdl.ml.NeuralNetworkClassifier; expected "
                                             "org.sparkdl.ml.NeuralNetworkRegressionModel"):
        NeuralNetworkRegressionModel.load(str(tmp_path / "estimator"))


def test_pipeline_fits_saves_and_loads(mode_spark: Any, tmp_path: Path) -> None:
    frame = blobs(mode_spark, n=90)
    pipeline = Pipeline(stages=[
        StandardScaler(inputCol="features", outputCol="scaled"),
        NeuralNetworkClassifier(featuresCol="scaled", layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=5),
    ])
    fitted = pipeline.fit(frame)
    fitted.write().overwrite().save(str(tmp_path / "pipeline"))
    pipeline.write().overwrite().save(str(tmp_path / "unfitted"))

    loaded = PipelineModel.load(str(tmp_path / "pipeline"))
    again = Pipeline.load(str(tmp_path / "unfitted"))

    assert isinstance(loaded.stages[1], NeuralNetworkClassificationModel)
    assert isinstance(again.getStages()[1], NeuralNetworkClassifier)
    np.testing.assert_array_equal(predictions(loaded, frame), predictions(fitted, frame))


def test_cross_validator_picks_among_fitted_networks(mode_spark: Any) -> None:
    frame = blobs(mode_spark, n=90)
    clf = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=5)
    grid = ParamGridBuilder().addGrid(clf.learningRate, [0.003, 0.03]).build()
    cv = CrossValidator(estimator=clf, estimatorParamMaps=grid, evaluator=MulticlassClassificationEvaluator(),
                        numFolds=2, seed=1)

    best = cv.fit(frame)

    assert len(best.avgMetrics) == 2
    assert isinstance(best.bestModel, NeuralNetworkClassificationModel)
    assert best.bestModel.transform(frame).count() == 90


@pytest.mark.parametrize("saved_by, loaded_by", [("classic", "connect"), ("connect", "classic")])
def test_a_model_saved_in_one_mode_loads_in_the_other_with_the_same_predictions(
        spark: Any, connect_session: Any, tmp_path: Path, saved_by: str, loaded_by: str) -> None:
    sessions = {"classic": spark, "connect": connect_session}
    path = str(tmp_path / "model")
    with connect_mode(saved_by == "connect"):
        session = sessions[saved_by]
        model = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=9).fit(blobs(session, n=90))
        model.write().overwrite().save(path)
        before = predictions(model, blobs(session, n=30, seed=4))
    with connect_mode(loaded_by == "connect"):
        session = sessions[loaded_by]
        loaded = NeuralNetworkClassificationModel.load(path)
        after = predictions(loaded, blobs(session, n=30, seed=4))
        assert loaded.summary.epochs == 2
    np.testing.assert_array_equal(after, before)


def test_over_connect_jvm_only_features_say_what_to_do_instead(connect_session: Any) -> None:
    with connect_mode(True):
        with pytest.raises(SparkDLConnectError, match="Spark Connect client cannot reach.*model.describe"):
            spark_dl.Network.mlp([4, 8, 3]).describe()
        model = NeuralNetworkRegressor(layers=[3, 4, 2], maxEpochs=1, seed=1).fit(linear(connect_session, n=40, outputs=2))
        with pytest.raises(SparkDLConnectError, match="predictVector calls the model in the JVM.*transform"):
            model.predictVector(Vectors.dense([1.0, 2.0, 3.0]))
        with pytest.raises(SparkDLConnectError, match=r"write\(\).format\('onnx'\).*in a classic session"):
            model.write().format("onnx")
        with pytest.raises(SparkDLConnectError, match="loadOnnx imports through py4j"):
            type(model).loadOnnx("/nowhere/model.onnx")


def test_over_connect_the_progress_bar_is_off_with_a_warning_when_asked_for(connect_session: Any) -> None:
    from spark_dl import _progress

    frame = blobs(connect_session, n=40)
    before = (_progress._enabled, _progress._asked)
    _progress.set_progress(True)
    try:
        with connect_mode(True), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            NeuralNetworkClassifier(layers=[4, 4, 3], maxEpochs=1, seed=1).fit(frame)
    finally:
        _progress._enabled, _progress._asked = before
    assert any("progress bar" in str(w.message) and "Spark Connect" in str(w.message) for w in caught)


def test_over_connect_server_errors_are_spark_dl_errors(connect_session: Any) -> None:
    with connect_mode(True):
        frame = blobs(connect_session, n=40)
        with pytest.raises(SparkDLValueError, match="expects 5|5 values|input"):
            NeuralNetworkClassifier(layers=[5, 4, 3], maxEpochs=1).fit(frame)


def test_over_connect_a_server_without_the_jar_is_told_to_start_with_it(connect_session: Any, monkeypatch: Any) -> None:
    from spark_dl import _jar

    # a class no jar has stands for the library's class on a server started without the jar
    monkeypatch.setattr(_jar, "_VERSION_CLASS", "org.sparkdl.NoSuchClass")
    monkeypatch.setattr(_jar, "_verified_connect", set())
    with connect_mode(True):
        with pytest.raises(spark_dl.JarNotFoundError) as caught:
            _jar.check_connect_session(connect_session)
    message = str(caught.value)
    assert message.startswith("The spark-dl jar is not on the classpath of the Spark Connect server this client talks to"
                              " (class org.sparkdl.NoSuchClass could not be loaded there")
    assert "start the server with --jars <spark-dl-assembly-" in message and "spark.jars" in message
