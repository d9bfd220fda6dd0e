"""Every Java param is mirrored in Python with the same name, doc and default; values travel both ways."""

import inspect
from typing import Any, Dict, Type

import pytest
from pyspark.ml.param import Params

from spark_dl import (
    Network,
    NeuralNetworkClassificationModel,
    NeuralNetworkClassifier,
    NeuralNetworkRegressionModel,
    NeuralNetworkRegressor,
    SparkDLValueError,
)

# Spark's own params come from PySpark's shared mixins, whose docs are PySpark's wording of Scala's.
SPARK_PARAMS = {"featuresCol", "labelCol", "predictionCol", "probabilityCol", "rawPredictionCol", "thresholds"}

STAGES = [NeuralNetworkClassifier, NeuralNetworkRegressor, NeuralNetworkClassificationModel, NeuralNetworkRegressionModel]


def java_stage(spark: Any, cls: Type[Any]) -> Any:
    """A Java object of the class, made through the JVM (models from an empty spec)."""
    jvm = spark.sparkContext._jvm
    if cls in (NeuralNetworkClassifier, NeuralNetworkRegressor):
        return getattr(jvm, cls._java_class)("probe")
    gateway = spark.sparkContext._gateway
    sizes = gateway.new_array(gateway.jvm.int, 2)
    sizes[0], sizes[1] = 4, 3
    spec = jvm.org.sparkdl.spec.NetworkSpec.mlp(sizes, "relu")
    weights = gateway.new_array(gateway.jvm.float, 15)
    return getattr(jvm, cls._java_class)("probe", spec, weights)


def java_params(spark: Any, cls: Type[Any]) -> Dict[str, Dict[str, Any]]:
    from pyspark.ml.common import _java2py

    obj = java_stage(spark, cls)
    out = {}
    for p in obj.params():
        entry: Dict[str, Any] = {"doc": p.doc()}
        if obj.hasDefault(p):
            value = obj.getDefault(p).get()
            entry["default"] = _java2py(spark.sparkContext, value)
        out[p.name()] = entry
    return out


def python_params(stage: Params) -> Dict[str, Dict[str, Any]]:
    out = {}
    for p in stage.params:
        entry: Dict[str, Any] = {"doc": p.doc}
        if stage.hasDefault(p):
            entry["default"] = stage.getOrDefault(p)
        out[p.name] = entry
    return out


@pytest.mark.parametrize("cls", STAGES, ids=lambda c: c.__name__)
def test_python_params_mirror_the_java_params(spark: Any, cls: Type[Any]) -> None:
    java = java_params(spark, cls)
    python = python_params(cls())
    assert sorted(python) == sorted(java)
    for name in java:
        if name not in SPARK_PARAMS:
            assert python[name]["doc"] == java[name]["doc"], name
        assert ("default" in python[name]) == ("default" in java[name]), name
        if "default" in java[name]:
            assert python[name]["default"] == pytest.approx(java[name]["default"]), name


@pytest.mark.parametrize("cls", [NeuralNetworkClassifier, NeuralNetworkRegressor], ids=lambda c: c.__name__)
def test_constructor_defaults_are_the_param_defaults(spark: Any, cls: Type[Any]) -> None:
    stage = cls()
    signature = inspect.signature(cls.__init__)
    names = [n for n, p in signature.parameters.items() if n != "self" and p.kind != p.VAR_KEYWORD]
    assert sorted(names) == sorted(p.name for p in stage.params)
    for name in names:
        default = signature.parameters[name].default
        if stage.hasDefault(stage.getParam(name)):
            assert default == stage.getOrDefault(name), name
        else:
            assert default is None, name
    assert [n for n, p in inspect.signature(cls.setParams).parameters.items() if p.kind != p.VAR_KEYWORD][1:] == names


def test_mllib_names_and_typos_are_answered_with_the_param_meant(spark: Any) -> None:
    with pytest.raises(SparkDLValueError) as mllib:
        NeuralNetworkClassifier(layers=[4, 3], maxIter=20, stepSize=0.1)
    assert str(mllib.value) == ("NeuralNetworkClassifier: 'maxIter' is MLlib's name; use maxEpochs (passes over the data;"
                                " MLlib's maxIter counts optimizer iterations); 'stepSize' is MLlib's name; use"
                                " learningRate.")
    with pytest.raises(SparkDLValueError, match="'learningrate' is not a param; did you mean learningRate?"):
        NeuralNetworkRegressor().setParams(learningrate=0.1)


def test_a_model_made_without_a_network_says_where_models_come_from(spark: Any, blob_frame: Any) -> None:
    from spark_dl import SparkDLStateError

    with pytest.raises(SparkDLStateError, match=r"holds no network: a model comes from NeuralNetworkClassifier.fit"):
        NeuralNetworkClassificationModel().transform(blob_frame)


@pytest.mark.parametrize("cls", [NeuralNetworkClassifier, NeuralNetworkRegressor], ids=lambda c: c.__name__)
def test_every_param_has_a_setter_and_a_getter(spark: Any, cls: Type[Any]) -> None:
    stage = cls()
    for p in stage.params:
        setter = "set" + p.name[0].upper() + p.name[1:]
        getter = "get" + p.name[0].upper() + p.name[1:]
        assert callable(getattr(stage, setter, None)), setter
        assert callable(getattr(stage, getter, None)), getter


def test_params_set_in_python_reach_the_java_object(spark: Any) -> None:
    clf = NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=7, learningRate=0.02, seed=7, syncMode="average",
                                  thresholds=[0.2, 0.3, 0.5], validateInput=False, optimizer="sgd",
                                  inputShape=[1, 2, 2], channelMean=[0.5], channelStd=[0.25], featuresLayout="dense",
                                  hiddenActivation="gelu_erf")
    java = clf._to_java()

    def value(name: str) -> Any:  # Py4J cannot call Java's default interface methods, so no getX() here
        return java.getOrDefault(java.getParam(name))

    assert list(value("layers")) == [4, 8, 3]
    assert value("maxEpochs") == 7
    assert value("learningRate") == pytest.approx(0.02)
    assert value("seed") == 7
    assert value("syncMode") == "average"
    assert list(value("thresholds")) == pytest.approx([0.2, 0.3, 0.5])
    assert value("validateInput") is False
    assert value("optimizer") == "sgd"
    assert value("hiddenActivation") == "gelu_erf"
    assert list(value("inputShape")) == [1, 2, 2]
    assert list(value("channelMean")) == pytest.approx([0.5])
    assert list(value("channelStd")) == pytest.approx([0.25])
    assert value("featuresLayout") == "dense"
    assert java.uid() == clf.uid


def test_class_weights_are_set_by_keyword_or_setter_and_reach_the_java_object(spark: Any) -> None:
    clf = NeuralNetworkClassifier(classWeights=[1, 2.5])
    java = clf._to_java()
    assert clf.getClassWeights() == "1.0,2.5"
    assert java.getOrDefault(java.getParam("classWeights")) == "1.0,2.5"
    clf.setClassWeights("balanced")
    java = clf._to_java()
    assert java.getOrDefault(java.getParam("classWeights")) == "balanced"
    assert NeuralNetworkClassifier().getClassWeights() == ""


def test_network_param_takes_a_network_or_its_json(spark: Any) -> None:
    net = Network.builder().input("features", 4).dense(8).tanh().dense(3).build()
    a = NeuralNetworkClassifier(network=net)
    b = NeuralNetworkClassifier().setNetwork(net.to_json())
    assert a.getNetwork() == b.getNetwork() == net.to_json()
    java = a._to_java()
    assert java.getOrDefault(java.getParam("network")) == net.to_json()


def test_set_params_and_copy(spark: Any) -> None:
    reg = NeuralNetworkRegressor(layers=[3, 4, 1])
    reg.setParams(maxEpochs=3, loss="huber:0.5", predictionCol="y_hat")
    assert (reg.getMaxEpochs(), reg.getLoss(), reg.getPredictionCol()) == (3, "huber:0.5", "y_hat")
    assert reg.getLayers() == [3, 4, 1]
    copy = reg.copy({reg.maxEpochs: 9})
    assert copy.uid == reg.uid and copy.getMaxEpochs() == 9 and reg.getMaxEpochs() == 3
    assert copy._java_obj is not reg._java_obj


def test_explain_params_shows_the_java_docs(spark: Any) -> None:
    text = NeuralNetworkClassifier().explainParams()
    assert "optimizer: Optimizer: sgd, adam, adamw or rmsprop. Default: adam. (default: adam)" in text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"layers": [784]}, "Param layers [784] is invalid: at least 2 sizes (input and output) are needed."),
        ({"layers": [784, 0, 10]}, "Param layers [784, 0, 10] is invalid: every size must be > 0."),
        ({"optimizer": "adagrad"}, "Param optimizer 'adagrad' is invalid: use sgd, adam, adamw or rmsprop."),
        ({"hiddenActivation": "softmax"}, "Param hiddenActivation 'softmax' is invalid: use relu,"),
        ({"learningRate": 0.0}, "Param learningRate 0.0 is invalid: it must be > 0."),
        ({"learningRate": float("inf")}, "Param learningRate inf is invalid: it must be a finite number."),
        ({"weightDecay": float("nan")}, "Param weightDecay nan is invalid: it must be a finite number."),
        ({"batchSize": 0}, "Param batchSize 0 is invalid: it must be >= 1."),
        ({"aggregationDepth": 1}, "Param aggregationDepth 1 is invalid: it must be >= 2."),
        ({"syncMode": "async"}, "Param syncMode 'async' is invalid: use gradient or average."),
        ({"backend": "tpu"}, "Param backend 'tpu' is invalid: use auto, cpu or cuda."),
        ({"featuresLayout": "csr"}, "Param featuresLayout 'csr' is invalid: use auto, sparse or dense."),
        ({"validationFraction": 1.0}, "Param validationFraction 1.0 is invalid: it must be in [0, 1)."),
        ({"network": '{"format_version": 1}'}, "Network has no 'inputs'."),
        ({"inputShape": [1, 0, 28]}, "Param inputShape [1, 0, 28] is invalid: at most 8 dimensions, each > 0."),
        ({"channelStd": [0.5, 0.0]}, "Param channelStd [0.5, 0.0] is invalid: every value must be finite and > 0."),
        ({"channelMean": [float("inf")]}, "Param channelMean [inf] is invalid: every value must be finite."),
        ({"classWeights": [1.0, -2.0]},
         "Param classWeights '1.0,-2.0' is invalid: weight 1 is -2.0; every weight must be finite and >= 0."),
        ({"classWeights": "balance"}, "Param classWeights 'balance' is invalid: weight 0 'balance' is not a number;"),
    ],
)
def test_invalid_param_values_are_rejected_when_set(spark: Any, kwargs: Dict[str, Any], message: str) -> None:
    with pytest.raises(SparkDLValueError) as info:
        NeuralNetworkClassifier(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "loss, message",
    [
        ("cross_entropy", "Loss 'cross_entropy' is for classification; a regressor takes mse or huber[:delta]."),
        ("huber:abc", "Loss 'huber:abc': the Huber delta must be a number, e.g. huber:0.5."),
        ("mae", "Unknown loss 'mae'; known: softmax_cross_entropy, binary_cross_entropy, mse, huber[:delta]."),
    ],
)
def test_invalid_regression_losses_are_rejected(spark: Any, loss: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        NeuralNetworkRegressor().setLoss(loss)
    assert str(info.value) == message


def test_wrong_types_name_the_param(spark: Any) -> None:
    with pytest.raises(TypeError, match='Invalid param value given for param "maxEpochs"'):
        NeuralNetworkClassifier(maxEpochs="ten")
