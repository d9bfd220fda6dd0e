"""MNIST from Python reaches the accuracy the Java suite reaches (95.25% in local[2]).

The bundled sample (data/mnist10k: 10,000 real digits, IDX format): first 8000 rows train, last 2000
test. 784-128-10, gradient mode, Adam 1e-3, batch 64, 20 epochs, seed 42, as MnistSparkTest in Java.
"""

import gzip
import time
from pathlib import Path
from typing import Any, Tuple

import numpy as np
import pandas as pd
from pyspark.ml.functions import array_to_vector

from conftest import data_dir
from spark_dl import NeuralNetworkClassifier

TRAIN = 8000


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzipped) as a numpy array: magic, dims as big-endian int32, then unsigned bytes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist() -> Tuple[np.ndarray, np.ndarray]:
    folder = data_dir() / "mnist10k"
    images = read_idx(folder / "images-idx3-ubyte.gz").reshape(-1, 784)
    labels = read_idx(folder / "labels-idx1-ubyte.gz")
    # pixel / 255 in float32, as the Java reader computes it, then widened to double
    return (images.astype(np.float32) / np.float32(255)).astype(np.float64), labels.astype(np.float64)


def frame(spark: Any, x: np.ndarray, y: np.ndarray) -> Any:
    pdf = pd.DataFrame({"label": y, "pixels": list(x)})
    return (spark.createDataFrame(pdf).select("label", array_to_vector("pixels").alias("features"))
            .repartition(2).cache())


def test_idx_files_read_as_documented() -> None:
    x, y = mnist()
    assert x.shape == (10000, 784) and y.shape == (10000,)
    assert 0.0 <= x.min() and x.max() == 1.0
    assert np.bincount(y.astype(int)).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


def test_mnist_accuracy_matches_java(spark: Any) -> None:
    x, y = mnist()
    train = frame(spark, x[:TRAIN], y[:TRAIN])
    test = frame(spark, x[TRAIN:], y[TRAIN:])
    clf = NeuralNetworkClassifier(layers=[784, 128, 10], maxEpochs=20, batchSize=64, learningRate=1e-3, seed=42,
                                  syncMode="gradient", optimizer="adam")
    started = time.time()
    model = clf.fit(train)
    scored = model.transform(test).select("label", "prediction").toPandas()
    accuracy = 100.0 * float((scored["label"] == scored["prediction"]).mean())
    print("MNIST 784-128-10 from Python: %.2f%% test accuracy, %d rounds, fit %.1f s (total %.1f s)"
          % (accuracy, model.summary.rounds, model.summary.seconds, time.time() - started))
    assert len(scored) == 2000
    assert model.summary.epochs == 20
    assert accuracy >= 94.5, accuracy
