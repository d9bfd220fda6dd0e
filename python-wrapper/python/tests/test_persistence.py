"""save/load from Python, and across the language boundary: Java saves, Python loads, and back."""

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyspark.sql import DataFrame

from conftest import linear
from spark_dl import (
    ModelFileError,
    NeuralNetworkClassificationModel,
    NeuralNetworkClassifier,
    NeuralNetworkRegressionModel,
    NeuralNetworkRegressor,
)


def scored(frame: DataFrame, *columns: str) -> np.ndarray:
    """The named output columns of a transform, as one float matrix (vectors flattened)."""
    pdf = frame.select(*columns).toPandas()
    parts = [np.stack([np.asarray(v.toArray() if hasattr(v, "toArray") else [v]) for v in pdf[c]]) for c in columns]
    return np.concatenate(parts, axis=1)


def java_layers(spark: Any, sizes: Any) -> Any:
    gateway = spark.sparkContext._gateway
    array = gateway.new_array(gateway.jvm.int, len(sizes))
    for i, s in enumerate(sizes):
        array[i] = s
    return array


def test_model_round_trip_in_python(tmp_path: Path, blob_frame: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    path = str(tmp_path / "model")
    blob_model.save(path)
    top = sorted(p for p in os.listdir(path) if not p.startswith("."))
    assert len(top) == 2 and top[0] == "metadata" and top[1].startswith("v-"), top   # Spark's metadata and one version
    version = os.path.join(path, top[1])
    assert sorted(p for p in os.listdir(version) if not p.startswith(".")) == ["metadata", "network.json",
                                                                                "weights.safetensors"]
    loaded = NeuralNetworkClassificationModel.load(path)
    assert isinstance(loaded, NeuralNetworkClassificationModel)
    assert loaded.uid == blob_model.uid
    assert loaded.getLayers() == [4, 16, 3] and loaded.getMaxEpochs() == 5 and loaded.getLearningRate() == 0.01
    assert loaded.spec == blob_model.spec
    assert loaded.hasSummary and loaded.summary == blob_model.summary   # saved with the model
    assert loaded.summary.confusionMatrixSource == "training" and len(loaded.summary.trainAccuracyHistory) == 5
    np.testing.assert_allclose(scored(loaded.transform(blob_frame), "rawPrediction", "prediction"),
                               scored(blob_model.transform(blob_frame), "rawPrediction", "prediction"), atol=1e-6)


def test_estimator_round_trip_in_python(tmp_path: Path) -> None:
    clf = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=3, optimizer="rmsprop", thresholds=[0.5, 0.3, 0.2])
    clf.save(str(tmp_path / "clf"))
    loaded = NeuralNetworkClassifier.load(str(tmp_path / "clf"))
    assert isinstance(loaded, NeuralNetworkClassifier) and loaded.uid == clf.uid
    assert (loaded.getLayers(), loaded.getMaxEpochs(), loaded.getOptimizer()) == ([4, 8, 3], 3, "rmsprop")
    assert loaded.getThresholds() == pytest.approx([0.5, 0.3, 0.2])
    assert not loaded.isSet(loaded.seed) and loaded.getSeed() == 42
    reg = NeuralNetworkRegressor(layers=[3, 4, 1], loss="huber:2")
    reg.save(str(tmp_path / "reg"))
    assert NeuralNetworkRegressor.load(str(tmp_path / "reg")).getLoss() == "huber:2"


def test_model_saved_from_java_loads_in_python(spark: Any, tmp_path: Path, blob_frame: Any) -> None:
    jvm = spark.sparkContext._jvm
    java_model = (
        jvm.org.sparkdl.ml.NeuralNetworkClassifier()
        .setLayers(java_layers(spark, [4, 8, 3]))
        .setMaxEpochs(2)
        .setBatchSize(32)
        .fit(blob_frame._jdf)
    )
    path = str(tmp_path / "from-java")
    java_model.write().overwrite().save(path)
    expected = scored(DataFrame(java_model.transform(blob_frame._jdf), spark), "rawPrediction", "probability", "prediction")

    loaded = NeuralNetworkClassificationModel.load(path)
    assert loaded.uid == java_model.uid()
    assert loaded.getLayers() == [4, 8, 3] and loaded.getMaxEpochs() == 2 and loaded.getBatchSize() == 32
    found = scored(loaded.transform(blob_frame), "rawPrediction", "probability", "prediction")
    np.testing.assert_allclose(found, expected, atol=1e-6)


def test_model_saved_from_python_loads_in_java(spark: Any, tmp_path: Path, blob_frame: Any,
                                               blob_model: NeuralNetworkClassificationModel) -> None:
    path = str(tmp_path / "from-python")
    blob_model.write().overwrite().save(path)
    java_model = spark.sparkContext._jvm.org.sparkdl.ml.NeuralNetworkClassificationModel.load(path)
    assert java_model.uid() == blob_model.uid
    assert java_model.numClasses() == 3
    found = scored(DataFrame(java_model.transform(blob_frame._jdf), spark), "rawPrediction", "prediction")
    np.testing.assert_allclose(found, scored(blob_model.transform(blob_frame), "rawPrediction", "prediction"), atol=1e-6)


def test_regression_model_crosses_both_ways(spark: Any, tmp_path: Path) -> None:
    frame = linear(spark, n=120)
    model = NeuralNetworkRegressor(layers=[3, 8, 1], maxEpochs=2, batchSize=32).fit(frame)
    model.save(str(tmp_path / "reg"))
    java_model = spark.sparkContext._jvm.org.sparkdl.ml.NeuralNetworkRegressionModel.load(str(tmp_path / "reg"))
    java_model.write().overwrite().save(str(tmp_path / "reg-java"))
    back = NeuralNetworkRegressionModel.load(str(tmp_path / "reg-java"))
    assert back.uid == model.uid and back.numOutputs == 1
    np.testing.assert_allclose(scored(back.transform(frame), "prediction"), scored(model.transform(frame), "prediction"),
                               atol=1e-6)


def test_estimator_saved_from_java_loads_in_python_and_back(spark: Any, tmp_path: Path) -> None:
    jvm = spark.sparkContext._jvm
    java = jvm.org.sparkdl.ml.NeuralNetworkRegressor().setLayers(java_layers(spark, [5, 7, 2])).setLoss("huber").setTol(0.01)
    java.write().save(str(tmp_path / "est"))
    loaded = NeuralNetworkRegressor.load(str(tmp_path / "est"))
    assert (loaded.getLayers(), loaded.getLoss(), loaded.getTol(), loaded.uid) == ([5, 7, 2], "huber", 0.01, java.uid())
    loaded.setMaxEpochs(4).save(str(tmp_path / "est2"))
    again = jvm.org.sparkdl.ml.NeuralNetworkRegressor.load(str(tmp_path / "est2"))
    assert again.getOrDefault(again.getParam("maxEpochs")) == 4
    assert again.getOrDefault(again.getParam("loss")) == "huber"


def test_saving_over_an_existing_path_needs_overwrite(tmp_path: Path, blob_model: NeuralNetworkClassificationModel) -> None:
    path = str(tmp_path / "model")
    blob_model.save(path)
    with pytest.raises(ModelFileError, match="already exists. To overwrite it"):
        blob_model.save(path)
    blob_model.write().overwrite().save(path)
    assert isinstance(NeuralNetworkClassificationModel.load(path), NeuralNetworkClassificationModel)


def test_loading_bad_directories_raises_model_file_errors(tmp_path: Path,
                                                          blob_model: NeuralNetworkClassificationModel) -> None:
    path = tmp_path / "model"
    blob_model.save(str(path))
    with pytest.raises(ModelFileError, match=r"does not exist\."):
        NeuralNetworkClassificationModel.load(str(tmp_path / "nothing-here"))
    with pytest.raises(ModelFileError) as wrong:
        NeuralNetworkRegressionModel.load(str(path))
    assert str(wrong.value) == ("metadata: describes a org.sparkdl.ml.NeuralNetworkClassificationModel; "
                                "expected org.sparkdl.ml.NeuralNetworkRegressionModel.")
    assert wrong.value.java_class == "org.sparkdl.io.ModelFileException"
    assert isinstance(wrong.value, OSError)
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    version = next(p for p in broken.iterdir() if p.name.startswith("v-"))
    (version / "weights.safetensors").unlink()
    with pytest.raises(ModelFileError, match=r"weights\.safetensors: does not exist\."):
        NeuralNetworkClassificationModel.load(str(broken))
