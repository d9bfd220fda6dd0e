"""Fit and transform from Python, checked through pandas."""

import sys
from typing import Any

import numpy as np
import pytest
from pyspark.ml.linalg import DenseVector, Vectors

from conftest import blobs
from spark_dl import Network, NeuralNetworkClassificationModel, NeuralNetworkClassifier, TrainingSummary


def test_fit_and_transform_with_pandas_output(blob_frame: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    scored = blob_model.transform(blob_frame).toPandas()
    assert list(scored.columns) == ["label", "features", "rawPrediction", "probability", "prediction"]
    assert len(scored) == 300
    assert scored["prediction"].dtype == np.float64
    assert set(scored["prediction"].unique()) <= {0.0, 1.0, 2.0}
    probabilities = np.stack([np.asarray(v.toArray()) for v in scored["probability"]])
    assert probabilities.shape == (300, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert (probabilities >= 0).all()
    np.testing.assert_array_equal(probabilities.argmax(axis=1), scored["prediction"].to_numpy())
    accuracy = (scored["label"] == scored["prediction"]).mean()
    assert accuracy > 0.97, accuracy


def test_model_facts(blob_model: NeuralNetworkClassificationModel) -> None:
    assert isinstance(blob_model, NeuralNetworkClassificationModel)
    assert blob_model.numClasses == 3
    assert blob_model.numFeatures == 4
    assert blob_model.getLayers() == [4, 16, 3]
    assert blob_model.getMaxEpochs() == 5
    assert blob_model.spec == Network.mlp([4, 16, 3])
    assert repr(blob_model).startswith("NeuralNetworkClassificationModel: uid=NeuralNetworkClassifier_")
    assert "numClasses=3, numFeatures=4, parameters=131" in repr(blob_model)
    table = blob_model.describe()
    assert table == blob_model.spec.describe()
    assert table.splitlines()[-1].split() == ["total", "131"]


def test_single_row_predictions_match_transform(blob_frame: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    row = blob_model.transform(blob_frame).first()
    raw = blob_model.predictRaw(row.features)
    assert isinstance(raw, DenseVector)
    np.testing.assert_allclose(raw.toArray(), row.rawPrediction.toArray(), atol=1e-5)
    np.testing.assert_allclose(blob_model.predictProbability(row.features).toArray(), row.probability.toArray(), atol=1e-6)
    assert blob_model.predict(row.features) == row.prediction


def test_a_single_class_fit_warns_in_its_summary(blob_frame: Any) -> None:
    one = blob_frame.where("label = 1")
    model = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=1, seed=1).fit(one)
    assert len(model.summary.warnings) == 1
    assert "hold 1 of the 3 classes the network outputs" in model.summary.warnings[0]


def test_summary_is_readable_from_python(blob_model: NeuralNetworkClassificationModel) -> None:
    assert blob_model.hasSummary
    summary = blob_model.summary
    assert isinstance(summary, TrainingSummary)
    assert isinstance(summary.lossHistory, list) and len(summary.lossHistory) == 5
    assert all(isinstance(v, float) for v in summary.lossHistory)
    assert summary.lossHistory[-1] < summary.lossHistory[0]
    assert summary.objectiveHistory == summary.lossHistory
    assert summary.epochs == 5 and summary.bestEpoch == 5 and not summary.stoppedEarly
    assert summary.trainingRows == 300
    assert summary.rounds == 5 * 10  # ceil(300 / 32) steps per epoch
    assert summary.metricName == "accuracy"
    assert summary.validationLossHistory == [] and summary.validationMetricHistory == []
    assert summary.seconds > 0
    assert summary.warnings == []
    assert len(summary.trainAccuracyHistory) == 5 and summary.trainAccuracyHistory[-1] > 0.9
    assert summary.confusionMatrixSource == "training"
    matrix = np.array(summary.confusionMatrix)
    assert matrix.shape == (3, 3) and matrix.sum() == 300
    assert np.trace(matrix) / matrix.sum() == pytest.approx(summary.trainAccuracyHistory[-1], abs=1e-12)
    assert "train accuracy %.4f" % summary.trainAccuracyHistory[-1] in str(summary)
    frame = summary.toPandas()
    assert list(frame.columns) == ["epoch", "loss", "trainAccuracy", "seconds"]
    assert frame["epoch"].tolist() == [1, 2, 3, 4, 5] and frame["seconds"].is_monotonic_increasing
    history = summary.toDataFrame(_session())
    assert history.columns == ["epoch", "loss", "trainAccuracy", "seconds"]
    assert [r["loss"] for r in history.orderBy("epoch").collect()] == summary.lossHistory
    java = blob_model._call_java("summary").toDataFrame(_session()._jsparkSession)
    assert list(java.columns()) == history.columns


def test_summary_plot_draws_the_loss(blob_model: NeuralNetworkClassificationModel, tmp_path: Any) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = blob_model.summary.plot()
    (line,) = [l for l in ax.get_lines() if l.get_label() == "training loss"]
    assert list(line.get_ydata()) == pytest.approx(blob_model.summary.lossHistory)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    ax.figure.savefig(tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 0


def test_summary_plot_without_matplotlib_says_what_to_install(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    summary = TrainingSummary([1.0, 0.5], [], [], "accuracy", 2, 10, 0.1, 2, False)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        summary.plot()


def test_network_from_the_python_builder_trains(spark: Any, blob_frame: Any) -> None:
    net = Network.builder().input("features", 4).dense(16, init="he_uniform").relu().dropout(0.1).dense(3).build()
    model = NeuralNetworkClassifier(network=net, maxEpochs=4, batchSize=32, learningRate=0.01).fit(blob_frame)
    assert model.spec == net
    scored = model.transform(blob_frame).toPandas()
    assert (scored["label"] == scored["prediction"]).mean() > 0.95


def test_validation_split_fills_the_validation_history(spark: Any) -> None:
    from pyspark.sql import functions as F

    data = blobs(spark, n=300, seed=3).withColumn("isVal", F.rand(seed=5) < 0.25)
    clf = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=3, batchSize=32, learningRate=0.01,
                                  validationIndicatorCol="isVal")
    summary = clf.fit(data).summary
    assert len(summary.validationLossHistory) == 3
    assert len(summary.validationMetricHistory) == 3
    assert 0.0 <= summary.validationMetricHistory[-1] <= 1.0
    assert summary.trainingRows < 300
    assert summary.confusionMatrixSource == "validation"
    matrix = np.array(summary.confusionMatrix)
    assert matrix.sum() == 300 - summary.trainingRows
    assert np.trace(matrix) / matrix.sum() == pytest.approx(summary.validationMetricHistory[-1], abs=1e-12)
    assert list(summary.toPandas().columns) == ["epoch", "loss", "trainAccuracy", "validationLoss", "accuracy", "seconds"]


def test_output_columns_follow_the_params(blob_frame: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    model = blob_model.copy()
    model.setPredictionCol("digit").setProbabilityCol("").setRawPredictionCol("logits")
    assert model.transform(blob_frame).columns == ["label", "features", "logits", "digit"]
    assert blob_model.transform(blob_frame).columns[-1] == "prediction"


def test_thresholds_change_predictions(spark: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    frame = spark.createDataFrame([(Vectors.dense([0.0, 0.0, 0.0, 0.0]),)], ["features"])
    favour_two = blob_model.copy().setThresholds([1.0, 1.0, 1e-6])
    assert favour_two.transform(frame).first().prediction == 2.0


def test_array_feature_columns_are_accepted(spark: Any, blob_frame: Any, blob_model: NeuralNetworkClassificationModel) -> None:
    from pyspark.ml.functions import vector_to_array

    arrays = blob_frame.withColumn("features", vector_to_array("features", "float32"))
    expected = blob_model.transform(blob_frame).select("prediction").toPandas()
    found = blob_model.transform(arrays).select("prediction").toPandas()
    assert (expected["prediction"] == found["prediction"]).all()


def _widest_stage(spark: Any, group: str, fit: Any) -> int:
    """The most tasks any stage of the training code (encoding, the barrier stage) had in the jobs ``fit`` ran."""
    sc = spark.sparkContext
    sc.setJobGroup(group, group)
    try:
        fit()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    tracker = sc.statusTracker()
    infos = [tracker.getStageInfo(s) for j in tracker.getJobIdsForGroup(group) for s in tracker.getJobInfo(j).stageIds]
    ours = [i.numTasks for i in infos if i is not None and ("BarrierEpochs" in i.name or "DistributedTrainer" in i.name)]
    assert ours, [i.name for i in infos if i is not None]
    return max(ours)


def test_one_partition_is_dealt_to_every_task_slot(blob_frame: Any) -> None:
    one = blob_frame.coalesce(1).cache()
    assert one.rdd.getNumPartitions() == 1
    spark = one.sparkSession
    # a 4-8-3 network's step is too little work to share: one task, unless every slot is asked for
    small = _widest_stage(spark, "small", lambda: NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=1).fit(one))
    spark.conf.set("spark.sparkdl.train.taskMultiplyAdds", "0")
    try:
        dealt = _widest_stage(spark, "dealt", lambda: NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=1).fit(one))
        fixed = _widest_stage(spark, "fixed",
                              lambda: NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=1, numWorkers=1).fit(one))
    finally:
        spark.conf.unset("spark.sparkdl.train.taskMultiplyAdds")
    assert (small, dealt, fixed) == (1, 2, 1), "one partition trains in both slots of local[2], unless numWorkers says 1"
    one.unpersist()


def _session() -> Any:
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def test_fit_shows_a_progress_bar_that_can_be_switched_off(blob_frame: Any, capsys: Any) -> None:
    import spark_dl

    pytest.importorskip("tqdm")

    clf = NeuralNetworkClassifier(layers=[4, 64, 3], maxEpochs=30, batchSize=8, seed=3)
    clf.fit(blob_frame)
    shown = capsys.readouterr().err
    assert "epoch" in shown and "loss=" in shown and "step=" in shown, shown[-500:]
    spark_dl.set_progress(False)
    try:
        clf.fit(blob_frame)
        assert "epoch" not in capsys.readouterr().err
    finally:
        spark_dl.set_progress(True)
