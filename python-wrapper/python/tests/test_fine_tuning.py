"""Fine-tuning from Python: a fit that starts from a saved model (initialModel) with frozen layers."""

from pathlib import Path
from typing import Any

import pytest

from conftest import blobs
from spark_dl import NeuralNetworkClassifier


def test_a_new_head_trains_on_frozen_saved_layers(spark: Any, tmp_path: Path) -> None:
    three = blobs(spark).cache()
    base = NeuralNetworkClassifier().setLayers([4, 12, 3]).setBatchSize(32).setSeed(7).setMaxEpochs(3).fit(three)
    saved = str(tmp_path / "base")
    base.write().save(saved)
    two = three.filter("label < 2").cache()
    clf = (NeuralNetworkClassifier().setLayers([4, 12, 2]).setBatchSize(32).setLearningRate(0.05).setSeed(8)
           .setMaxEpochs(3).setInitialModel(saved).setFrozenLayers("dense_1"))
    assert clf.getInitialModel() == saved and clf.getFrozenLayers() == "dense_1"
    tuned = clf.fit(two)
    first = 4 * 12 + 12
    # the weights, through the JVM model: the first layer is the saved one, to the bit
    assert list(base._java_obj.weights())[:first] == list(tuned._java_obj.weights())[:first]
    accuracy = tuned.transform(two).filter("prediction = label").count() / two.count()
    assert accuracy > 0.9


def test_a_name_that_matches_no_layer_is_refused(spark: Any) -> None:
    clf = NeuralNetworkClassifier().setLayers([4, 12, 3]).setMaxEpochs(1).setFrozenLayers("conv*")
    with pytest.raises(Exception, match=r"No layer matches \[conv\*\]"):
        clf.fit(blobs(spark, n=60))
