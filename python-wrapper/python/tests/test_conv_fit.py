"""A LeNet-style network described in Python trains end to end: the estimator takes it, fits a few steps
on a tiny image DataFrame, and the model scores, keeping the network exactly as it was given."""

from typing import Any, List, Tuple

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors

from spark_dl import Network, NeuralNetworkClassificationModel, NeuralNetworkClassifier

SIDE = 12


def bars(n: int, seed: int) -> List[Tuple[float, Any]]:
    """``n`` noisy 12x12 images: class 0 a vertical bar, class 1 a horizontal one, anywhere."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        image = 0.1 * rng.standard_normal((SIDE, SIDE))
        at = rng.integers(1, SIDE - 1)
        if i % 2 == 0:
            image[:, at] += 1.0
        else:
            image[at, :] += 1.0
        rows.append((float(i % 2), Vectors.dense(image.ravel())))
    return rows


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
def fitted(spark: Any) -> Tuple[NeuralNetworkClassificationModel, Any]:
    frame = spark.createDataFrame(bars(64, seed=3), ["label", "features"]).repartition(2).cache()
    clf = NeuralNetworkClassifier(network=lenet(), maxEpochs=4, batchSize=16, learningRate=0.01, seed=7)
    return clf.fit(frame), frame


def test_the_network_shapes_are_those_of_lenet() -> None:
    shapes = lenet().infer_shapes()
    assert shapes["max_pool_1"] == [4, 6, 6]
    assert shapes["avg_pool_1"] == [8, 2, 2]
    assert shapes["flatten_1"] == [32]


def test_a_python_lenet_fits_and_its_loss_falls(fitted: Tuple[NeuralNetworkClassificationModel, Any]) -> None:
    model, _ = fitted
    losses = model.summary.lossHistory
    print("LeNet-style network from Python, 64 images of 12x12: losses %s, %d rounds, fit %.1f s"
          % (["%.4f" % x for x in losses], model.summary.rounds, model.summary.seconds))
    assert len(losses) == 4 and all(np.isfinite(losses))
    assert losses[-1] < losses[0], losses


def test_the_model_keeps_the_python_network_and_scores_unseen_images(
        spark: Any, fitted: Tuple[NeuralNetworkClassificationModel, Any]) -> None:
    model, _ = fitted
    assert model.getNetwork() == lenet().to_json()
    unseen = spark.createDataFrame(bars(64, seed=4), ["label", "features"])
    scored = model.transform(unseen).select("label", "rawPrediction", "prediction").toPandas()
    assert len(scored) == 64
    assert all(len(raw) == 2 for raw in scored["rawPrediction"])
    # bars are easy: a few steps already tell them apart (chance is 50%)
    assert (scored["label"] == scored["prediction"]).mean() >= 0.9
