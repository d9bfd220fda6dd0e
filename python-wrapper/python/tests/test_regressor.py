"""The regressor from Python: scalar and vector targets, losses, pandas output."""

from typing import Any

import numpy as np
import pytest

from conftest import linear
from spark_dl import NeuralNetworkRegressionModel, NeuralNetworkRegressor


@pytest.fixture(scope="module")
def scalar_frame(spark: Any) -> Any:
    return linear(spark).cache()


def rmse(frame: Any) -> float:
    return float(np.sqrt(((frame["label"] - frame["prediction"]) ** 2).mean()))


def test_fits_a_linear_target(scalar_frame: Any) -> None:
    reg = NeuralNetworkRegressor(layers=[3, 16, 1], maxEpochs=30, batchSize=32, learningRate=0.01)
    model = reg.fit(scalar_frame)
    assert isinstance(model, NeuralNetworkRegressionModel)
    scored = model.transform(scalar_frame).toPandas()
    assert list(scored.columns) == ["label", "features", "prediction"]
    assert scored["prediction"].dtype == np.float64
    assert rmse(scored) < 0.1, rmse(scored)
    assert model.numOutputs == 1 and model.numFeatures == 3
    row = model.transform(scalar_frame).first()
    assert model.predict(row.features) == pytest.approx(row.prediction, abs=1e-5)
    summary = model.summary
    assert summary.metricName == "rmse" and len(summary.lossHistory) == 30
    assert summary.lossHistory[-1] < summary.lossHistory[0] / 10


def test_huber_loss_trains(scalar_frame: Any) -> None:
    model = NeuralNetworkRegressor(layers=[3, 16, 1], maxEpochs=20, batchSize=32, learningRate=0.01,
                                   loss="huber:0.5").fit(scalar_frame)
    assert rmse(model.transform(scalar_frame).toPandas()) < 0.15


def test_vector_targets_give_vector_predictions(spark: Any) -> None:
    frame = linear(spark, outputs=2)
    model = NeuralNetworkRegressor(layers=[3, 16, 2], maxEpochs=30, batchSize=32, learningRate=0.01).fit(frame)
    assert model.numOutputs == 2
    scored = model.transform(frame).toPandas()
    predictions = np.stack([v.toArray() for v in scored["prediction"]])
    labels = np.stack([v.toArray() for v in scored["label"]])
    assert predictions.shape == (300, 2)
    assert float(np.sqrt(((predictions - labels) ** 2).mean())) < 0.1
    first = model.transform(frame).first()
    np.testing.assert_allclose(model.predictVector(first.features).toArray(), first.prediction.toArray(), atol=1e-5)
