"""Neural network classification: :class:`NeuralNetworkClassifier` and the model it fits.

Twins of ``org.sparkdl.ml.NeuralNetworkClassifier`` and
``org.sparkdl.ml.NeuralNetworkClassificationModel``: the same params (names, docs,
defaults), the same behaviour, and the same files on disk, so a model saved from Java or Scala loads
here and the other way round.

>>> from spark_dl.classification import NeuralNetworkClassifier
>>> clf = NeuralNetworkClassifier(layers=[784, 128, 10], maxEpochs=20)     # doctest: +SKIP
>>> model = clf.fit(train)                                                  # doctest: +SKIP
>>> model.transform(test).select("label", "prediction").toPandas()          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from pyspark import keyword_only
from pyspark.ml.classification import _JavaProbabilisticClassificationModel, _JavaProbabilisticClassifier
from pyspark.ml.linalg import Vector

from spark_dl._params import _given, _reject_unknown
from spark_dl._setters import _NeuralNetworkSetters, _ScoringSetters
from spark_dl._jar import is_connect
from spark_dl._model_info import _HasTransformOutput, summary_from_info
from spark_dl._wrapper import _SparkDLEstimator, _SparkDLModel
from spark_dl.network import Network
from spark_dl.summary import TrainingSummary

if TYPE_CHECKING:
    from py4j.java_gateway import JavaObject

__all__ = ["NeuralNetworkClassifier", "NeuralNetworkClassificationModel"]


class NeuralNetworkClassifier(
    _SparkDLEstimator["NeuralNetworkClassificationModel"],
    _JavaProbabilisticClassifier["NeuralNetworkClassificationModel"],
    _NeuralNetworkSetters,
):
    """Trains a neural network classifier on a DataFrame, data-parallel on the executors.

    The network is any that :class:`~spark_dl.network.Network` can describe (``network``), or an
    MLP from ``layers`` (MLlib's ``MultilayerPerceptronClassifier`` shorthand); the loss is softmax
    cross-entropy on class indices. The network's output width is the number of classes, and labels
    must be integers in ``[0, classes)`` (index strings with ``StringIndexer``). Features: an ML
    ``Vector`` (dense or sparse), ``array<float>`` or ``array<double>`` column.

    The fitted :class:`NeuralNetworkClassificationModel` appends ``rawPrediction`` (logits),
    ``probability`` (their softmax) and ``prediction``.

    Every param is keyword-only; see each param's doc (``clf.explainParams()``) for ranges.

    Examples
    --------
    >>> clf = NeuralNetworkClassifier(layers=[4, 16, 3], maxEpochs=5, learningRate=0.01)  # doctest: +SKIP
    >>> model = clf.fit(df)                                                                # doctest: +SKIP
    >>> model.summary.lossHistory                                                          # doctest: +SKIP
    """

    _java_class = "org.sparkdl.ml.NeuralNetworkClassifier"
    _input_kwargs: Dict[str, Any]

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        thresholds: Optional[List[float]] = None,
        # @generated-begin ParamCodeGen keywords
        network: Optional[Union[Network, str]] = None,
        layers: Optional[List[int]] = None,
        hiddenActivation: str = "relu",
        optimizer: str = "adam",
        learningRate: float = 0.003,
        weightDecay: float = 0.0,
        clipNorm: float = 0.0,
        learningRateSchedule: str = "constant",
        batchSize: int = 64,
        maxEpochs: int = 10,
        tol: float = 0.0,
        minDelta: float = 0.0,
        monitor: str = "auto",
        patience: int = 1,
        seed: int = 42,
        weightCol: str = "",
        classWeights: Union[str, List[float]] = "",
        validationIndicatorCol: str = "",
        stopOnDivergence: bool = False,
        validationFraction: float = 0.0,
        syncMode: str = "gradient",
        localSteps: int = 8,
        aggregationDepth: int = 2,
        numWorkers: int = 0,
        featuresLayout: str = "auto",
        backend: str = "auto",
        checkpointDir: str = "",
        checkpointInterval: int = 1,
        logDir: str = "",
        initialModel: str = "",
        frozenLayers: str = "",
        validateInput: bool = True,
        inputShape: List[int] = [],  # noqa: B006 - never mutated
        channelMean: List[float] = [],  # noqa: B006 - never mutated
        channelStd: List[float] = [],  # noqa: B006 - never mutated
        # @generated-end
        **unknown: Any,
    ) -> None:
        super().__init__()
        _reject_unknown(self, unknown)
        self._java_obj = self._new_java_stage(self.uid)
        self._set(**_given(self._input_kwargs))

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        thresholds: Optional[List[float]] = None,
        # @generated-begin ParamCodeGen keywords
        network: Optional[Union[Network, str]] = None,
        layers: Optional[List[int]] = None,
        hiddenActivation: str = "relu",
        optimizer: str = "adam",
        learningRate: float = 0.003,
        weightDecay: float = 0.0,
        clipNorm: float = 0.0,
        learningRateSchedule: str = "constant",
        batchSize: int = 64,
        maxEpochs: int = 10,
        tol: float = 0.0,
        minDelta: float = 0.0,
        monitor: str = "auto",
        patience: int = 1,
        seed: int = 42,
        weightCol: str = "",
        classWeights: Union[str, List[float]] = "",
        validationIndicatorCol: str = "",
        stopOnDivergence: bool = False,
        validationFraction: float = 0.0,
        syncMode: str = "gradient",
        localSteps: int = 8,
        aggregationDepth: int = 2,
        numWorkers: int = 0,
        featuresLayout: str = "auto",
        backend: str = "auto",
        checkpointDir: str = "",
        checkpointInterval: int = 1,
        logDir: str = "",
        initialModel: str = "",
        frozenLayers: str = "",
        validateInput: bool = True,
        inputShape: List[int] = [],  # noqa: B006 - never mutated
        channelMean: List[float] = [],  # noqa: B006 - never mutated
        channelStd: List[float] = [],  # noqa: B006 - never mutated
        # @generated-end
        **unknown: Any,
    ) -> "NeuralNetworkClassifier":
        """Sets the params given (keyword-only); the others keep their values."""
        _reject_unknown(self, unknown)
        return self._set(**_given(self._input_kwargs))

    def _create_model(self, java_model: "JavaObject") -> "NeuralNetworkClassificationModel":
        return NeuralNetworkClassificationModel(java_model)


class NeuralNetworkClassificationModel(
    _SparkDLModel,
    _JavaProbabilisticClassificationModel[Vector],
    _ScoringSetters,
    _HasTransformOutput,
):
    """A fitted neural network classifier, with Spark's probabilistic-classifier semantics.

    ``transform`` appends ``rawPrediction`` (the logits), ``probability`` (their softmax) and
    ``prediction`` (the most probable class, after ``thresholds`` when set); an empty column name
    skips that column. Scoring runs batch-wise on the executors' backends.

    Made by :meth:`NeuralNetworkClassifier.fit`, or loaded with :meth:`load` from a directory saved
    by Python, Java or Scala.
    """

    _java_class = "org.sparkdl.ml.NeuralNetworkClassificationModel"

    def __init__(self, java_model: Optional["JavaObject"] = None) -> None:
        super().__init__(java_model)

    @property
    def spec(self) -> Network:
        """The network this model scores with."""
        if is_connect():
            return Network.from_json(str(self._model_info()["network"]))
        return Network.from_json(str(self._call_java("spec").toJson()))

    @property
    def hasSummary(self) -> bool:
        """Whether this model has a training summary: it was fitted in this session, or loaded from a
        save of a fitted model (models saved by spark-dl before summaries were saved have none)."""
        if is_connect():
            return bool(self._model_info()["hasSummary"])
        return bool(self._call_java("hasSummary"))

    @property
    def summary(self) -> TrainingSummary:
        """The training summary: loss and accuracy per epoch, validation metrics, the confusion matrix,
        rounds, time.

        Raises:
            SparkDLStateError: the model has none (:attr:`hasSummary` is false).
        """
        if is_connect():
            return summary_from_info(self._model_info())
        return TrainingSummary._from_java(self._call_java("summary"))

    def describe(self) -> str:
        """A table of the network's layers, as Keras' ``summary()`` prints it: name, type, output shape
        and parameters per layer, then the totals (:attr:`summary` is the training summary, as in
        Spark ML)."""
        if is_connect():
            return str(self._model_info()["layers"])
        return self.spec.describe()

    def __repr__(self) -> str:
        return str(self._call_java("toString"))
