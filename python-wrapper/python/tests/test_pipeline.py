"""The stages inside Spark ML's meta-algorithms: Pipeline, CrossValidator, ParamGridBuilder."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.ml.feature import IndexToString, StandardScaler, StringIndexer, VectorAssembler
from pyspark.ml.tuning import CrossValidator, CrossValidatorModel, ParamGridBuilder

import spark_dl
from spark_dl import NeuralNetworkClassificationModel, NeuralNetworkClassifier


@pytest.fixture(scope="module")
def raw_frame(spark: Any) -> Any:
    """Named numeric columns and a string label, as a pipeline would start from."""
    rng = np.random.default_rng(11)
    centers = {"setosa": (2.0, 0.0, 0.0), "versicolor": (0.0, 2.0, 1.0), "virginica": (-2.0, -2.0, 0.0)}
    rows = []
    for i in range(240):
        name = list(centers)[i % 3]
        a, b, c = np.asarray(centers[name]) + 0.4 * rng.standard_normal(3)
        rows.append((float(a), float(b), float(c), name))
    return spark.createDataFrame(rows, ["a", "b", "c", "species"]).repartition(2).cache()


def pipeline() -> Pipeline:
    return Pipeline(
        stages=[
            StringIndexer(inputCol="species", outputCol="label"),
            VectorAssembler(inputCols=["a", "b", "c"], outputCol="raw"),
            StandardScaler(inputCol="raw", outputCol="features"),
            NeuralNetworkClassifier(layers=[3, 8, 3], maxEpochs=4, batchSize=16, learningRate=0.02),
        ]
    )


def accuracy(frame: Any) -> float:
    return MulticlassClassificationEvaluator(metricName="accuracy").evaluate(frame)


def test_pipeline_fits_transforms_saves_and_loads(raw_frame: Any, tmp_path: Path) -> None:
    model = pipeline().fit(raw_frame)
    assert isinstance(model.stages[-1], NeuralNetworkClassificationModel)
    out = model.transform(raw_frame)
    assert accuracy(out) > 0.95

    path = str(tmp_path / "pipeline-model")
    model.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    assert isinstance(loaded.stages[-1], NeuralNetworkClassificationModel)
    assert loaded.stages[-1].getLayers() == [3, 8, 3]
    expected = out.select("prediction").toPandas()["prediction"]
    found = loaded.transform(raw_frame).select("prediction").toPandas()["prediction"]
    assert (expected == found).all()


def test_unfitted_pipeline_saves_and_loads(tmp_path: Path) -> None:
    path = str(tmp_path / "pipeline")
    pipeline().save(path)
    stages = Pipeline.load(path).getStages()
    assert isinstance(stages[-1], NeuralNetworkClassifier)
    assert stages[-1].getMaxEpochs() == 4 and stages[-1].getLearningRate() == 0.02


def test_cross_validator_picks_from_a_param_grid(raw_frame: Any, tmp_path: Path) -> None:
    indexed = pipeline().getStages()
    prepared = Pipeline(stages=indexed[:3]).fit(raw_frame).transform(raw_frame).cache()
    clf = NeuralNetworkClassifier(layers=[3, 8, 3], batchSize=16, maxEpochs=3)
    grid = ParamGridBuilder().addGrid(clf.learningRate, [1e-4, 0.02]).addGrid(clf.hiddenActivation, ["relu", "tanh"]).build()
    assert len(grid) == 4
    cv = CrossValidator(estimator=clf, estimatorParamMaps=grid, evaluator=MulticlassClassificationEvaluator(metricName="accuracy"),
                        numFolds=2, seed=3, parallelism=1)
    cv_model = cv.fit(prepared)
    best = cv_model.bestModel
    assert isinstance(best, NeuralNetworkClassificationModel)
    assert best.getLearningRate() == 0.02  # 1e-4 barely moves in 3 epochs
    assert len(cv_model.avgMetrics) == 4
    assert max(cv_model.avgMetrics) == pytest.approx(max(m for m, p in zip(cv_model.avgMetrics, grid)
                                                         if p[clf.learningRate] == 0.02))
    assert accuracy(best.transform(prepared)) > 0.9

    path = str(tmp_path / "cv-model")
    cv_model.write().overwrite().save(path)
    loaded = CrossValidatorModel.load(path)
    assert isinstance(loaded.bestModel, NeuralNetworkClassificationModel)
    assert loaded.bestModel.uid == best.uid


# Run in a fresh interpreter: loads a saved PipelineModel and Pipeline with spark-dl stages without
# importing spark_dl; PySpark finds the stages through the org.sparkdl.ml modules the package ships.
FRESH_LOAD = textwrap.dedent(
    """
    import sys
    from pyspark.ml import Pipeline, PipelineModel
    from pyspark.sql import SparkSession

    jar, folder = sys.argv[1], sys.argv[2]
    spark = (SparkSession.builder.master("local[1]").config("spark.jars", jar).config("spark.ui.enabled", "false")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    assert "spark_dl" not in sys.modules
    model = PipelineModel.load(folder + "/pipeline-model")
    print("MODEL", [type(s).__module__ + "." + type(s).__name__ for s in model.stages])
    rows = spark.read.parquet(folder + "/rows")
    found = model.transform(rows).select("id", "predictedSpecies").orderBy("id").collect()
    expected = spark.read.parquet(folder + "/expected").orderBy("id").collect()
    print("SAME-PREDICTIONS", found == expected, len(found))
    stages = Pipeline.load(folder + "/pipeline").getStages()
    print("PIPELINE", type(stages[-1]).__module__ + "." + type(stages[-1]).__name__, stages[-1].getMaxEpochs())
    refit = Pipeline(stages=stages).fit(rows).transform(rows)
    print("REFIT-ACCURACY", refit.where("label = prediction").count() / rows.count())
    spark.stop()
    """
)


def test_saved_pipelines_load_in_a_fresh_interpreter_without_importing_spark_dl(raw_frame: Any, tmp_path: Path) -> None:
    indexer = StringIndexer(inputCol="species", outputCol="label", stringOrderType="alphabetAsc").fit(raw_frame)
    stages = pipeline().getStages()
    model = Pipeline(stages=[indexer, *stages[1:],
                             IndexToString(inputCol="prediction", outputCol="predictedSpecies",
                                           labels=indexer.labels)]).fit(raw_frame)
    rows = raw_frame.selectExpr("monotonically_increasing_id() AS id", "*").cache()
    rows.write.parquet(str(tmp_path / "rows"))
    model.transform(rows).select("id", "predictedSpecies").write.parquet(str(tmp_path / "expected"))
    model.write().save(str(tmp_path / "pipeline-model"))
    pipeline().save(str(tmp_path / "pipeline"))

    env = {**os.environ, "PYTHONPATH": str(Path(spark_dl.__file__).resolve().parent.parent),
           "PYSPARK_SUBMIT_ARGS": "pyspark-shell"}
    out = subprocess.run([sys.executable, "-c", FRESH_LOAD, spark_dl.jar_path(), str(tmp_path)], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout + out.stderr[-4000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines["MODEL"] == str(["pyspark.ml.feature.StringIndexerModel", "pyspark.ml.feature.VectorAssembler",
                                  "pyspark.ml.feature.StandardScalerModel",
                                  "spark_dl.classification.NeuralNetworkClassificationModel",
                                  "pyspark.ml.feature.IndexToString"]), out.stdout
    assert lines["SAME-PREDICTIONS"] == "True 240", out.stdout
    assert lines["PIPELINE"] == "spark_dl.classification.NeuralNetworkClassifier 4", out.stdout
    assert float(lines["REFIT-ACCURACY"]) > 0.9, out.stdout
