"""Sequence networks described in Python train end to end: a row-by-row LSTM over 784-feature rows
reshaped to 28 steps of 28 values, and an embedding + Transformer encoder over token ids. The estimator
takes each network, fits a few steps on a tiny DataFrame, and the model scores, keeping the network
exactly as it was given."""

from typing import Any, List, Tuple

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors

from conftest import bars, fit_network, scored
from spark_dl import Network, NeuralNetworkClassificationModel

SIDE = 28
STEPS, VOCABULARY, MARKER = 10, 8, 7


def tokens(n: int, seed: int) -> List[Tuple[float, Any]]:
    """``n`` sequences of token ids 0..6; class 1 holds the marker token 7 somewhere, class 0 does not."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        ids = rng.integers(0, MARKER, STEPS).astype(float)
        if i % 2 == 1:
            ids[rng.integers(0, STEPS)] = MARKER
        rows.append((float(i % 2), Vectors.dense(ids)))
    return rows


def row_lstm() -> Network:
    return Network.builder().input("features", 784).reshape(SIDE, SIDE).lstm(16).dense(2).build()


def token_encoder() -> Network:
    return (
        Network.builder()
        .input("features", STEPS)
        .embedding(VOCABULARY, 16).positional_embedding()
        .transformer_encoder(2, 32, dropout=0.0, norm_first=True)
        .sequence_mean_pool().dense(2)
        .build()
    )


@pytest.fixture(scope="module")
def lstm_model(spark: Any) -> NeuralNetworkClassificationModel:
    return fit_network(spark, row_lstm(), bars(64, seed=3, side=SIDE, margin=2), epochs=4)


@pytest.fixture(scope="module")
def encoder_model(spark: Any) -> NeuralNetworkClassificationModel:
    return fit_network(spark, token_encoder(), tokens(128, seed=5), epochs=6)


def test_the_networks_have_the_documented_shapes() -> None:
    assert row_lstm().infer_shapes()["reshape_1"] == [28, 28]
    assert row_lstm().infer_shapes()["lstm_1"] == [16]
    assert token_encoder().infer_shapes()["encoder_1.add2"] == [STEPS, 16]
    assert token_encoder().infer_shapes()["sequence_mean_pool_1"] == [16]


@pytest.mark.parametrize("which", ["lstm", "encoder"])
def test_a_python_sequence_network_fits_and_its_loss_falls(which: str, request: Any) -> None:
    model = request.getfixturevalue(which + "_model")
    losses = model.summary.lossHistory
    print("%s network from Python: losses %s, %d rounds, fit %.1f s"
          % (which, ["%.4f" % x for x in losses], model.summary.rounds, model.summary.seconds))
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0], losses


def test_the_lstm_model_keeps_the_python_network_and_scores_unseen_rows(
        spark: Any, lstm_model: NeuralNetworkClassificationModel) -> None:
    assert lstm_model.getNetwork() == row_lstm().to_json()
    scores = scored(spark, lstm_model, bars(64, seed=4, side=SIDE, margin=2))
    assert len(scores) == 64
    assert all(len(raw) == 2 and np.all(np.isfinite(raw)) for raw in scores["rawPrediction"])


def test_the_encoder_model_keeps_the_python_network_and_scores_unseen_rows(
        spark: Any, encoder_model: NeuralNetworkClassificationModel) -> None:
    assert encoder_model.getNetwork() == token_encoder().to_json()
    scores = scored(spark, encoder_model, tokens(64, seed=6))
    assert len(scores) == 64
    assert all(len(raw) == 2 and np.all(np.isfinite(raw)) for raw in scores["rawPrediction"])
    # attending to every step finds the marker wherever it is (chance is 50%)
    assert (scores["label"] == scores["prediction"]).mean() >= 0.9
