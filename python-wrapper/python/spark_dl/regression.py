"""Neural network regression: :class:`NeuralNetworkRegressor` and the model it fits.

Twins of ``org.sparkdl.ml.NeuralNetworkRegressor`` and
``org.sparkdl.ml.NeuralNetworkRegressionModel``.

>>> from spark_dl.regression import NeuralNetworkRegressor
>>> model = NeuralNetworkRegressor(layers=[13, 64, 1], loss="huber").fit(train)   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from pyspark import keyword_only
from pyspark.ml.linalg import Vector
from pyspark.ml.regression import _JavaRegressionModel, _JavaRegressor

from spark_dl._params import _given, _reject_unknown, _HasLoss
from spark_dl._setters import _NeuralNetworkSetters, _ScoringSetters
from spark_dl._jar import is_connect
from spark_dl._model_info import _HasTransformOutput, summary_from_info
from spark_dl._wrapper import _SparkDLEstimator, _SparkDLModel
from spark_dl.network import Network
from spark_dl.summary import TrainingSummary

if TYPE_CHECKING:
    from py4j.java_gateway import JavaObject

__all__ = ["NeuralNetworkRegressor", "NeuralNetworkRegressionModel"]


class NeuralNetworkRegressor(
    _SparkDLEstimator["NeuralNetworkRegressionModel"],
    _JavaRegressor["NeuralNetworkRegressionModel"],
    _NeuralNetworkSetters,
    _HasLoss,
):
    """Trains a neural network regressor on a DataFrame, data-parallel on the executors.

    The target (``labelCol``) is a double for one output, or a ``Vector`` / array column for
    several (the network's output width). Loss: ``mse`` (default), ``huber`` or ``huber:<delta>``.
    The fitted :class:`NeuralNetworkRegressionModel` appends ``prediction``: a double for one
    output, a ``Vector`` for several.

    Examples
    --------
    >>> reg = NeuralNetworkRegressor(layers=[3, 32, 1], maxEpochs=30, loss="huber:0.5")  # doctest: +SKIP
    >>> model = reg.fit(df)                                                               # doctest: +SKIP
    """

    _java_class = "org.sparkdl.ml.NeuralNetworkRegressor"
    _input_kwargs: Dict[str, Any]

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        loss: str = "mse",
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
        loss: str = "mse",
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
    ) -> "NeuralNetworkRegressor":
        """Sets the params given (keyword-only); the others keep their values."""
        _reject_unknown(self, unknown)
        return self._set(**_given(self._input_kwargs))

    def setLoss(self, value: str) -> "NeuralNetworkRegressor":
        """Sets :py:attr:`loss`: ``mse``, ``huber`` or ``huber:<delta>``."""
        return self._set(loss=value)

    def _create_model(self, java_model: "JavaObject") -> "NeuralNetworkRegressionModel":
        return NeuralNetworkRegressionModel(java_model)


class NeuralNetworkRegressionModel(
    _SparkDLModel,
    _JavaRegressionModel[Vector],
    _ScoringSetters,
    _HasTransformOutput,
):
    """A fitted neural network regressor.

    ``transform`` appends ``prediction``: a double for one output (as Spark's regressors do), a
    ``Vector`` for several. Made by :meth:`NeuralNetworkRegressor.fit`, or loaded with
    :meth:`load` from a directory saved by Python, Java or Scala.
    """

    _java_class = "org.sparkdl.ml.NeuralNetworkRegressionModel"

    def __init__(self, java_model: Optional["JavaObject"] = None) -> None:
        super().__init__(java_model)

    @property
    def numOutputs(self) -> int:
        """Outputs per row (1 for a scalar target)."""
        if is_connect():
            return int(self._model_info()["numOutputs"])
        return int(self._call_java("numOutputs"))

    def predictVector(self, value: Vector) -> Vector:
        """All outputs for one feature vector (``predict`` gives the first)."""
        self._require_classic("predictVector", "Score a DataFrame with transform(...) instead: with several outputs its"
                              " prediction column holds the whole vector.")
        return self._call_java("predictVector", value)

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
        """The training summary: loss per epoch, validation metrics, rounds, time.

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
