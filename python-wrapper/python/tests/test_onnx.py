"""Models written as ONNX (``write().format("onnx")``) score the same in ONNX Runtime as in Spark, and
``loadOnnx`` reads such a file back into a model that scores the same again."""

from typing import Any

import numpy as np
import pytest

from conftest import bars, fit_network
from test_conv_fit import SIDE, lenet
from spark_dl import NeuralNetworkClassificationModel

onnxruntime = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-5


def _run(path: str, features: np.ndarray) -> dict:
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, {session.get_inputs()[0].name: features})))


def _check(frame: Any, model: NeuralNetworkClassificationModel, path: str) -> None:
    rows = model.transform(frame).select("features", "rawPrediction", "probability", "prediction").collect()
    features = np.array([r.features.toArray() for r in rows], dtype=np.float32)
    out = _run(path, features)
    raw = np.array([r.rawPrediction.toArray() for r in rows])
    prob = np.array([r.probability.toArray() for r in rows])
    np.testing.assert_allclose(out["rawPrediction"], raw, rtol=TOLERANCE, atol=TOLERANCE)
    np.testing.assert_allclose(out["probability"], prob, rtol=TOLERANCE, atol=TOLERANCE)
    np.testing.assert_array_equal(out["prediction"], [r.prediction for r in rows])


def test_an_mlp_written_as_onnx_scores_the_same_in_onnx_runtime(blob_frame: Any, blob_model: Any, tmp_path: Any) -> None:
    path = str(tmp_path / "mlp.onnx")
    blob_model.write().format("onnx").save(path)
    _check(blob_frame, blob_model, path)


def test_a_cnn_with_batch_norm_written_as_onnx_scores_the_same_and_loads_back(spark: Any, tmp_path: Any) -> None:
    frame = bars(32, seed=5, side=SIDE, margin=1)
    model = fit_network(spark, lenet(), frame, epochs=1)
    path = str(tmp_path / "cnn.onnx")
    model.write().format("onnx").save(path)
    df = spark.createDataFrame(frame, ["label", "features"])
    _check(df, model, path)
    back = NeuralNetworkClassificationModel.loadOnnx(path)
    assert back.spec.to_json() == model.spec.to_json()
    a = [r.probability.toArray() for r in model.transform(df).select("probability").collect()]
    b = [r.probability.toArray() for r in back.transform(df).select("probability").collect()]
    np.testing.assert_array_equal(a, b)


def test_write_without_format_still_saves_a_model_directory(blob_model: Any, tmp_path: Any) -> None:
    path = str(tmp_path / "dir")
    blob_model.write().save(path)
    assert NeuralNetworkClassificationModel.load(path).spec.to_json() == blob_model.spec.to_json()
