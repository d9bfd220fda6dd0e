"""TensorBoard event files of a fit, read back with TensorBoard's own EventAccumulator."""

from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import blobs
from spark_dl import NeuralNetworkClassifier

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

EVERYTHING = {"scalars": 0, "histograms": 0, "tensors": 0}


def only_run(log_dir: Path) -> Path:
    runs = list(log_dir.iterdir())
    assert len(runs) == 1, runs
    return runs[0]


def read(run: Path) -> Any:
    acc = event_accumulator.EventAccumulator(str(run), size_guidance=EVERYTHING)
    acc.Reload()
    return acc


def scalars(acc: Any, tag: str) -> Dict[int, float]:
    return {e.step: e.value for e in acc.Scalars(tag)}


def classifier(log_dir: Path, epochs: int) -> NeuralNetworkClassifier:
    return (
        NeuralNetworkClassifier()
        .setLayers([4, 12, 3])
        .setBatchSize(32)
        .setLearningRate(0.01)
        .setSeed(7)
        .setMaxEpochs(epochs)
        .setLogDir(str(log_dir))
    )


def test_the_log_of_a_fit_matches_its_summary(spark: Any, tmp_path: Path) -> None:
    data = blobs(spark, 300, seed=3).cache()
    model = classifier(tmp_path / "logs", 3).setValidationFraction(0.2).fit(data)
    summary = model.summary
    acc = read(only_run(tmp_path / "logs"))
    tags = acc.Tags()
    rounds = summary.rounds // summary.epochs
    ends = [rounds * (e + 1) for e in range(3)]
    for tag, expected in [
        ("epoch/loss", summary.lossHistory),
        ("epoch/train_accuracy", summary.trainAccuracyHistory),
        ("epoch/validation_loss", summary.validationLossHistory),
        ("epoch/validation_accuracy", summary.validationMetricHistory),
    ]:
        series = scalars(acc, tag)
        assert sorted(series) == ends, tag
        assert [series[s] for s in ends] == pytest.approx(expected, rel=1e-6), tag
    assert sorted(scalars(acc, "epoch/epoch").values()) == [1.0, 2.0, 3.0]
    for tag in ["round/loss", "round/learning_rate", "round/rows_per_second", "round/sync_share"]:
        assert sorted(scalars(acc, tag)) == list(range(1, 3 * rounds + 1)), tag
    assert list(scalars(acc, "round/learning_rate").values()) == pytest.approx([0.01] * 3 * rounds)
    assert all(0 <= v <= 1 for v in scalars(acc, "round/sync_share").values())

    weights = [t for t in tags["histograms"] if t.startswith("weights/")]
    gradients = [t for t in tags["histograms"] if t.startswith("gradients/")]
    assert len(weights) == 4 and len(gradients) == 4, tags["histograms"]
    sizes: List[float] = []
    for tag in weights + gradients:
        events = acc.Histograms(tag)
        assert [e.step for e in events] == ends, tag
        h = events[-1].histogram_value
        assert sum(h.bucket) == h.num and h.min <= h.max, tag
        if tag.startswith("weights/"):
            sizes.append(h.num)
    assert sum(sizes) == 4 * 12 + 12 + 12 * 3 + 3

    assert "params" in acc.PluginTagToContent("text")
    params_text = acc.Tensors("params")[0].tensor_proto.string_val[0].decode()
    assert "| maxEpochs | 3 |" in params_text and "| seed | 7 |" in params_text
    assert "_hparams_/session_start_info" in acc.PluginTagToContent("hparams")


def test_a_resumed_fit_continues_the_same_run(spark: Any, tmp_path: Path) -> None:
    data = blobs(spark, 300, seed=3).cache()
    straight = classifier(tmp_path / "straight", 4).fit(data)
    checkpoints = str(tmp_path / "ck")
    classifier(tmp_path / "logs", 2).setCheckpointDir(checkpoints).fit(data)
    run = only_run(tmp_path / "logs")
    resumed = classifier(tmp_path / "logs", 4).setCheckpointDir(checkpoints).fit(data)
    assert only_run(tmp_path / "logs") == run
    assert len(list(run.glob("events.out.tfevents.*"))) == 2
    acc = read(run)
    rounds = resumed.summary.rounds // 4
    losses = scalars(acc, "epoch/loss")
    assert sorted(losses) == [rounds, 2 * rounds, 3 * rounds, 4 * rounds]
    assert [losses[s] for s in sorted(losses)] == pytest.approx(straight.summary.lossHistory, rel=1e-6)
    assert scalars(acc, "round/loss") == scalars(read(only_run(tmp_path / "straight")), "round/loss")
