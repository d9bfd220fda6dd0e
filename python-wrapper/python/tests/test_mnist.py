"""MNIST from Python reaches the accuracy the Java suite reaches (95.25% in local[2]).

The bundled sample through spark_dl.datasets.mnist: first 8000 rows train, last 2000 test.
784-128-10, gradient mode, Adam 1e-3, batch 64, 20 epochs, seed 42, as MnistSparkTest in Java.
"""

import time
from typing import Any

from spark_dl import NeuralNetworkClassifier, datasets


def test_mnist_accuracy_matches_java(spark: Any) -> None:
    train = datasets.mnist(spark, "train").repartition(2).cache()
    test = datasets.mnist(spark, "test").repartition(2).cache()
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
