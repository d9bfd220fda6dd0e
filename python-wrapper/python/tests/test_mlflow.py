"""MLflow: a PipelineModel with our stages logs and loads back; fits log their params and metrics when asked."""

import inspect
from pathlib import Path
from typing import Any, Iterator

import pytest
from pyspark.ml import Pipeline
from pyspark.ml.feature import StandardScaler

import spark_dl
from conftest import blobs
from spark_dl import NeuralNetworkClassifier

mlflow = pytest.importorskip("mlflow")
import mlflow.spark  # noqa: E402


@pytest.fixture()
def tracking(tmp_path: Path) -> Iterator[Any]:
    """A local tracking store for the test (SQLite, and artifacts in a folder: MLflow 3 retired the plain
    file store), and the previous tracking URI back afterwards."""
    before = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri("sqlite:///" + str(tmp_path / "mlflow.db"))
    experiment = mlflow.create_experiment("spark-dl tests", artifact_location=(tmp_path / "artifacts").as_uri())
    mlflow.set_experiment(experiment_id=experiment)
    try:
        yield mlflow.tracking.MlflowClient()
    finally:
        while mlflow.active_run() is not None:
            mlflow.end_run()
        spark_dl.set_mlflow_logging(False)
        mlflow.set_tracking_uri(before)


def classifier(epochs: int = 3) -> NeuralNetworkClassifier:
    return (
        NeuralNetworkClassifier()
        .setFeaturesCol("scaled")
        .setLayers([4, 12, 3])
        .setSeed(7)
        .setMaxEpochs(epochs)
        .setBatchSize(32)
        .setLearningRate(0.01)
    )


def test_a_pipeline_model_logs_and_loads_back_with_mlflow(spark: Any, tracking: Any, tmp_path: Path) -> None:
    data = blobs(spark, 300, seed=4).cache()
    model = Pipeline(stages=[StandardScaler(inputCol="features", outputCol="scaled"), classifier()]).fit(data)
    where = {"name": "model"} if "name" in inspect.signature(mlflow.spark.log_model).parameters else {"artifact_path": "model"}
    with mlflow.start_run():
        # requirements given: MLflow would otherwise infer them by loading the model in a new Python process
        info = mlflow.spark.log_model(
            model, dfs_tmpdir=str(tmp_path / "dfs"), pip_requirements=["pyspark==4.0.1", "spark-dl"], **where
        )
    loaded = mlflow.spark.load_model(info.model_uri, dfs_tmpdir=str(tmp_path / "dfs-load"))
    assert [type(s).__name__ for s in loaded.stages] == ["StandardScalerModel", "NeuralNetworkClassificationModel"]
    before = model.transform(data).select("probability", "prediction").collect()
    after = loaded.transform(data).select("probability", "prediction").collect()
    assert before == after
    # and as a pyfunc model, as a serving layer would use it
    scored = mlflow.pyfunc.load_model(info.model_uri).predict(data.select("features").toPandas())
    assert list(scored) == [r.prediction for r in before]


def test_fits_log_params_and_metrics_into_the_active_run_when_asked(spark: Any, tracking: Any) -> None:
    data = blobs(spark, 300, seed=4)
    data = StandardScaler(inputCol="features", outputCol="scaled").fit(data).transform(data).cache()
    with mlflow.start_run() as run:
        classifier().fit(data)  # not asked: nothing logged
    assert tracking.get_run(run.info.run_id).data.params == {}

    spark_dl.set_mlflow_logging(True)
    with mlflow.start_run() as run:
        model = classifier().setValidationFraction(0.2).fit(data)
        second = classifier(2).fit(data)
    logged = tracking.get_run(run.info.run_id).data
    assert logged.params["maxEpochs"] == "3" and logged.params["layers"] == "[4, 12, 3]"
    assert logged.tags["spark_dl.uid"] == model.uid
    history = tracking.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [1, 2, 3]
    assert [m.value for m in history] == pytest.approx(model.summary.lossHistory)
    validation = tracking.get_metric_history(run.info.run_id, "validation_accuracy")
    assert [m.value for m in validation] == pytest.approx(model.summary.validationMetricHistory)
    # the second fit in the same run went to a nested run, so its params do not clash
    children = tracking.search_runs(
        [run.info.experiment_id], filter_string="tags.mlflow.parentRunId = '%s'" % run.info.run_id
    )
    assert len(children) == 1
    assert children[0].data.params["maxEpochs"] == "2"
    assert children[0].data.tags["spark_dl.uid"] == second.uid
