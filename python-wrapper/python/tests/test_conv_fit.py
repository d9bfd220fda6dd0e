"""A LeNet-style network described in Python trains end to end: the estimator takes it, fits a few steps
on a tiny image DataFrame, and the model scores, keeping the network exactly as it was given."""

from typing import Any

import numpy as np
import pytest

from conftest import bars, fit_network, scored
from spark_dl import Network, NeuralNetworkClassificationModel

SIDE = 12


def lenet() -> Network:
    return (
        Network.builder()
        .input("features", 1, SIDE, SIDE)
        .conv2d(4, 3, padding="same").batch_norm().relu().max_pool2d(2)  # [4, 6, 6]
        .conv2d(8, 3).relu().avg_pool2d(2)  # [8, 4, 4] -> [8, 2, 2]
        .flatten().dense(16).relu().dense(2)
        .build()
    )


@pytest.fixture(scope="module")
def model(spark: Any) -> NeuralNetworkClassificationModel:
    return fit_network(spark, lenet(), bars(64, seed=3, side=SIDE, margin=1), epochs=4)


def test_the_network_shapes_are_those_of_lenet() -> None:
    shapes = lenet().infer_shapes()
    assert shapes["max_pool_1"] == [4, 6, 6]
    assert shapes["avg_pool_1"] == [8, 2, 2]
    assert shapes["flatten_1"] == [32]


def test_a_python_lenet_fits_and_its_loss_falls(model: NeuralNetworkClassificationModel) -> None:
    losses = model.summary.lossHistory
    print("LeNet-style network from Python, 64 images of 12x12: losses %s, %d rounds, fit %.1f s"
          % (["%.4f" % x for x in losses], model.summary.rounds, model.summary.seconds))
    assert len(losses) == 4 and all(np.isfinite(losses))
    assert losses[-1] < losses[0], losses


def test_the_model_keeps_the_python_network_and_scores_unseen_images(
        spark: Any, model: NeuralNetworkClassificationModel) -> None:
    assert model.getNetwork() == lenet().to_json()
    scores = scored(spark, model, bars(64, seed=4, side=SIDE, margin=1))
    assert len(scores) == 64
    assert all(len(raw) == 2 for raw in scores["rawPrediction"])
    # bars are easy: a few steps already tell them apart (chance is 50%)
    assert (scores["label"] == scores["prediction"]).mean() >= 0.9
