"""The params every spark-dl estimator and model shares: the twin of Java's ``NetworkParamSet``.

Names, docs and defaults are those of the Java library, letter for letter (a test compares them
with the JVM's ``params()``). The converters also check what the Java validators check, so that a
bad value fails where it is set, with a message that says what is allowed.

Size: over 400 lines; most of it is the params, defaults and getters that ParamCodeGen writes from the
Java ParamTable (see the marked region).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Sequence

from pyspark.ml.param import Param, Params, TypeConverters

from spark_dl.errors import SparkDLValueError
from spark_dl.network import Network

__all__ = ["_NeuralNetworkParams", "_HasLoss", "_given", "_reject_unknown"]


def _choice(name: str, allowed: Sequence[str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = TypeConverters.toString(value)
        if text not in allowed:
            raise SparkDLValueError(
                "Param %s '%s' is invalid: use %s." % (name, text, ", ".join(allowed[:-1]) + " or " + allowed[-1])
            )
        return text

    convert.__name__ = "toString"
    return convert


def _number(name: str, low: float, inclusive: bool, integer: bool) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        number = TypeConverters.toInt(value) if integer else TypeConverters.toFloat(value)
        if not integer and not math.isfinite(number):
            raise SparkDLValueError("Param %s %s is invalid: it must be a finite number." % (name, number))
        if (number < low) if inclusive else (number <= low):
            shown = int(low) if integer or float(low).is_integer() else low
            raise SparkDLValueError(
                "Param %s %s is invalid: it must be %s %s." % (name, number, ">=" if inclusive else ">", shown)
            )
        return number

    convert.__name__ = "toInt" if integer else "toFloat"
    return convert


def toListLayerSizes(value: Any) -> List[int]:
    """Layer sizes: a list of at least 2 ints, each > 0 (the name starting with ``toList`` tells
    PySpark to read the Java ``int[]`` back as a list)."""
    sizes = TypeConverters.toListInt(value)
    if len(sizes) < 2:
        raise SparkDLValueError(
            "Param layers %s is invalid: at least 2 sizes (input and output) are needed." % _java_list(sizes)
        )
    if any(s <= 0 for s in sizes):
        raise SparkDLValueError("Param layers %s is invalid: every size must be > 0." % _java_list(sizes))
    return sizes


def toListInputShape(value: Any) -> List[int]:
    """An input shape: empty, or 1 to 8 ints each > 0 (``toList``: read back from Java as a list)."""
    shape = TypeConverters.toListInt(value)
    if len(shape) > 8 or any(d <= 0 for d in shape):
        raise SparkDLValueError("Param inputShape %s is invalid: at most 8 dimensions, each > 0." % _java_list(shape))
    return shape


def _channels(name: str, positive: bool) -> Callable[[Any], List[float]]:
    def convert(value: Any) -> List[float]:
        values = TypeConverters.toListFloat(value)
        if any(not math.isfinite(v) or (positive and v <= 0) for v in values):
            raise SparkDLValueError(
                "Param %s %s is invalid: every value must be finite%s."
                % (name, _java_list(values), " and > 0" if positive else "")
            )
        return values

    convert.__name__ = "toListFloat"
    return convert


def _fraction(name: str) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        number = TypeConverters.toFloat(value)
        if not (0 <= number < 1):
            raise SparkDLValueError("Param %s %s is invalid: it must be in [0, 1)." % (name, number))
        return number

    convert.__name__ = "toFloat"
    return convert


def toNetworkJson(value: Any) -> str:
    """A :class:`~spark_dl.network.Network` or its JSON, checked, as JSON text."""
    if isinstance(value, Network):
        return value.to_json()
    text = TypeConverters.toString(value)
    Network.from_json(text)  # raises NetworkSpecError naming the layer at fault
    return text


def toSchedule(value: Any) -> str:
    """A learning-rate schedule, checked by the JVM's own parser when a session with the jar is running
    (its grammar lives in one place), else at fit."""
    text = TypeConverters.toString(value)
    from pyspark import SparkContext

    from spark_dl._jar import is_connect

    sc = None if is_connect() else SparkContext._active_spark_context
    if sc is not None:
        try:
            problem = sc._jvm.org.sparkdl.ml.param.NetworkParamSet.scheduleProblem(text)  # type: ignore[union-attr]
        except Exception:  # no jar on this session's classpath: the stage's own JVM check will say so
            problem = None
        if problem is not None:
            raise SparkDLValueError(str(problem))
    return text


def toClassWeights(value: Any) -> str:
    """``"balanced"``, per-class weights (a list of numbers, or their comma-separated text), or ``""``
    for none, checked as the Java setter checks them, as the text the JVM param holds."""
    if isinstance(value, (list, tuple)):
        text = ",".join(repr(TypeConverters.toFloat(v)) for v in value)
    else:
        text = TypeConverters.toString(value)
    if text.strip() in ("", "balanced"):
        return text
    parts = text.split(",")
    weights = []
    for i, part in enumerate(parts):
        try:
            weights.append(float(part.strip()))
        except ValueError:
            raise SparkDLValueError(
                "Param classWeights '%s' is invalid: weight %d '%s' is not a number; expected balanced or "
                "weights like 1,5 (one per class)." % (text, i, part.strip())
            ) from None
        if not math.isfinite(weights[-1]) or weights[-1] < 0:
            raise SparkDLValueError(
                "Param classWeights '%s' is invalid: weight %d is %s; every weight must be finite and >= 0."
                % (text, i, weights[-1])
            )
    if sum(weights) == 0:
        raise SparkDLValueError(
            "Param classWeights '%s' is invalid: every weight is 0, so no row would count; give at least one "
            "class a weight > 0." % text
        )
    return text


_CLASSIFICATION_LOSSES = ("softmax_cross_entropy", "cross_entropy", "binary_cross_entropy", "bce")


def toRegressionLoss(value: Any) -> str:
    """``mse`` (or ``mean_squared_error``), ``huber`` or ``huber:<delta>``, as the Java setter takes."""
    text = TypeConverters.toString(value)
    name = text.strip().lower()
    if name in _CLASSIFICATION_LOSSES:
        raise SparkDLValueError("Loss '%s' is for classification; a regressor takes mse or huber[:delta]." % text)
    if name in ("mse", "mean_squared_error", "huber"):
        return text
    if name.startswith("huber:"):
        try:
            float(name[6:])
        except ValueError:
            raise SparkDLValueError("Loss '%s': the Huber delta must be a number, e.g. huber:0.5." % text) from None
        return text
    raise SparkDLValueError(
        "Unknown loss '%s'; known: softmax_cross_entropy, binary_cross_entropy, mse, huber[:delta]." % text
    )


def _java_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


class _NeuralNetworkParams(Params):
    """Params shared by the spark-dl estimators and models (Java: ``NeuralNetworkParams``)."""

    # @generated-begin ParamCodeGen params
    network: "Param[str]" = Param(
        Params._dummy(),
        "network",
        "The network as JSON (NetworkSpec format: inputs, layers, outputs); when set it takes "
        "precedence over layers. Default: unset.",
        typeConverter=toNetworkJson,
    )
    layers: "Param[List[int]]" = Param(
        Params._dummy(),
        "layers",
        "Layer sizes from input to output, e.g. [784, 128, 10]: dense layers with hiddenActivation "
        "between them, as MLlib's MultilayerPerceptronClassifier. Every size > 0, at least 2. Ignored "
        "when network is set. Default: unset.",
        typeConverter=toListLayerSizes,
    )
    hiddenActivation: "Param[str]" = Param(
        Params._dummy(),
        "hiddenActivation",
        "Activation between the layers of the layers shorthand: relu, leaky_relu, elu, gelu (tanh "
        "approximation), gelu_erf (exact, PyTorch's default), silu (x sigmoid(x), also called swish), "
        "sigmoid or tanh. Default: relu.",
        typeConverter=_choice("hiddenActivation", ["relu", "leaky_relu", "elu", "gelu", "gelu_erf", "silu", "sigmoid", "tanh"]),
    )
    optimizer: "Param[str]" = Param(
        Params._dummy(),
        "optimizer",
        "Optimizer: sgd, adam, adamw or rmsprop. Default: adam.",
        typeConverter=_choice("optimizer", ["sgd", "adam", "adamw", "rmsprop"]),
    )
    learningRate: "Param[float]" = Param(
        Params._dummy(),
        "learningRate",
        "Base learning rate, > 0. Default: 0.003.",
        typeConverter=_number("learningRate", 0.0, False, False),
    )
    weightDecay: "Param[float]" = Param(
        Params._dummy(),
        "weightDecay",
        "Weight decay, >= 0: an L2 term for sgd, adam and rmsprop, decoupled decay for adamw. Default: "
        "0.",
        typeConverter=_number("weightDecay", 0.0, True, False),
    )
    clipNorm: "Param[float]" = Param(
        Params._dummy(),
        "clipNorm",
        "Clip gradients to this global L2 norm; 0 disables. Default: 0.",
        typeConverter=_number("clipNorm", 0.0, True, False),
    )
    learningRateSchedule: "Param[str]" = Param(
        Params._dummy(),
        "learningRateSchedule",
        "Learning-rate schedule over optimizer steps: constant, step:S:G, cosine:T[:M] or "
        "warmup:W+<schedule>. Default: constant.",
        typeConverter=toSchedule,
    )
    batchSize: "Param[int]" = Param(
        Params._dummy(),
        "batchSize",
        "Rows per optimizer step over all workers, >= 1. Default: 64.",
        typeConverter=_number("batchSize", 1, True, True),
    )
    maxEpochs: "Param[int]" = Param(
        Params._dummy(),
        "maxEpochs",
        "Passes over the training data, >= 1. Default: 10.",
        typeConverter=_number("maxEpochs", 1, True, True),
    )
    tol: "Param[float]" = Param(
        Params._dummy(),
        "tol",
        "Early stopping: stop when an epoch improves the monitored value (see monitor: by default the "
        "validation loss with a validation split, else the training loss) by less than tol relative; 0 "
        "with minDelta 0 disables. Default: 0.",
        typeConverter=_number("tol", 0.0, True, False),
    )
    minDelta: "Param[float]" = Param(
        Params._dummy(),
        "minDelta",
        "Early stopping: stop when an epoch improves the monitored value by less than minDelta "
        "(absolute, as Keras' min_delta; with tol too, by less than either); 0 with tol 0 disables "
        "early stopping. Default: 0.",
        typeConverter=_number("minDelta", 0.0, True, False),
    )
    monitor: "Param[str]" = Param(
        Params._dummy(),
        "monitor",
        "What early stopping (tol, minDelta, patience) and, with a validation split, the epoch the "
        "model keeps watch: loss (the training loss), validationLoss, validationMetric (accuracy for a "
        "classifier, higher is better; rmse for a regressor), or auto: validationLoss with a "
        "validation split, else loss. The validation ones need validationIndicatorCol or "
        "validationFraction. Default: auto.",
        typeConverter=_choice("monitor", ["auto", "loss", "validationLoss", "validationMetric"]),
    )
    patience: "Param[int]" = Param(
        Params._dummy(),
        "patience",
        "Early stopping: how many epochs in a row must improve the monitored value by less than tol or "
        "minDelta before the fit stops, >= 1. Default: 1.",
        typeConverter=_number("patience", 1, True, True),
    )
    seed: "Param[int]" = Param(
        Params._dummy(),
        "seed",
        "Random seed for initialisation, shuffling and dropout. Default: 42.",
        typeConverter=TypeConverters.toInt,
    )
    weightCol: "Param[str]" = Param(
        Params._dummy(),
        "weightCol",
        "Column of non-negative per-row weights; empty for all ones. Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    classWeights: "Param[str]" = Param(
        Params._dummy(),
        "classWeights",
        "Classifiers only: each training row's loss is multiplied by its class's weight (and by its "
        "weightCol weight), as Keras' class_weight. balanced weighs class c by rows / (classes * rows "
        "of class c), counted over the training rows, as scikit-learn's class_weight='balanced'; or "
        "one weight per class, in class order, comma-separated (e.g. 1,5), each finite and >= 0, not "
        "all 0. The validation loss is weighted the same way; accuracy and the confusion matrix are "
        "not. Empty for none. Default: empty.",
        typeConverter=toClassWeights,
    )
    validationIndicatorCol: "Param[str]" = Param(
        Params._dummy(),
        "validationIndicatorCol",
        "Boolean column: true rows are held out for validation (metrics per epoch, early stopping with "
        "tol), like Spark's GBTs; empty for none. Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    stopOnDivergence: "Param[bool]" = Param(
        Params._dummy(),
        "stopOnDivergence",
        "Stop the fit with an error when the training loss diverges (grows to 100 times its starting "
        "level); otherwise the fit goes on with a warning in the log and in the training summary. "
        "Default: false.",
        typeConverter=TypeConverters.toBoolean,
    )
    validationFraction: "Param[float]" = Param(
        Params._dummy(),
        "validationFraction",
        "Fraction of the rows held out at random (seeded by seed) for validation, as "
        "validationIndicatorCol does (metrics per epoch, early stopping with tol), when "
        "validationIndicatorCol is empty. In [0, 1); 0 holds out none. Default: 0.",
        typeConverter=_fraction("validationFraction"),
    )
    syncMode: "Param[str]" = Param(
        Params._dummy(),
        "syncMode",
        "How workers synchronise: gradient (every step sums all workers' gradients, the step of one "
        "batch on one machine) or average (each worker takes localSteps steps on its own rows, then "
        "parameters and optimizer state are averaged). Default: gradient.",
        typeConverter=_choice("syncMode", ["gradient", "average"]),
    )
    localSteps: "Param[int]" = Param(
        Params._dummy(),
        "localSteps",
        "Local steps per round in average mode, >= 1. Default: 8.",
        typeConverter=_number("localSteps", 1, True, True),
    )
    aggregationDepth: "Param[int]" = Param(
        Params._dummy(),
        "aggregationDepth",
        "Depth of the treeAggregate that combines workers when a fit runs one Spark job per round "
        "(where barrier stages cannot run, e.g. with dynamic allocation), >= 2. Default: 2.",
        typeConverter=_number("aggregationDepth", 2, True, True),
    )
    numWorkers: "Param[int]" = Param(
        Params._dummy(),
        "numWorkers",
        "Data-parallel workers (partitions of the cached training data); 0 uses the input's "
        "partitions, dealt out to every task slot when there are fewer, and in gradient mode only as "
        "many tasks as a step of the network keeps busy (spark.sparkdl.train.taskMultiplyAdds). Beyond "
        "the task slots of the cluster, a task trains several. Default: 0.",
        typeConverter=_number("numWorkers", 0, True, True),
    )
    featuresLayout: "Param[str]" = Param(
        Params._dummy(),
        "featuresLayout",
        "How the features reach the network's first input: sparse (compressed rows, so a step costs "
        "the rows' non-zeros, not the width; only dense layers may read the input), dense, or auto: "
        "sparse for a network from layers whose input is 16384 wide or more, fed by a Vector column "
        "with inputShape empty, else as the network JSON's input says ('sparse': true). Default: auto.",
        typeConverter=_choice("featuresLayout", ["auto", "sparse", "dense"]),
    )
    backend: "Param[str]" = Param(
        Params._dummy(),
        "backend",
        "Tensor backend on the executors: auto (CUDA when a GPU and its libraries load, else CPU), cpu "
        "or cuda. Default: auto.",
        typeConverter=_choice("backend", ["auto", "cpu", "cuda"]),
    )
    checkpointDir: "Param[str]" = Param(
        Params._dummy(),
        "checkpointDir",
        "Directory (any Hadoop file system) for training checkpoints: parameters, optimizer state and "
        "progress every checkpointInterval epochs. A fit with the same settings resumes from the "
        "latest complete checkpoint there. Empty disables. Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    checkpointInterval: "Param[int]" = Param(
        Params._dummy(),
        "checkpointInterval",
        "Epochs between checkpoints, >= 1. Default: 1.",
        typeConverter=_number("checkpointInterval", 1, True, True),
    )
    logDir: "Param[str]" = Param(
        Params._dummy(),
        "logDir",
        "Directory (any Hadoop file system) under which each fit writes a TensorBoard run: a folder "
        "named after the estimator's uid and the start time, holding event files with the loss, "
        "learning rate, rows/s and synchronisation share of every round, the losses, metrics and time "
        "of every epoch, histograms of every parameter and its gradient each epoch, and the fit's "
        "params (hparams and text). Flushed at every epoch end, so TensorBoard shows a running fit; a "
        "fit resumed from checkpointDir continues the same run. Empty disables. Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    initialModel: "Param[str]" = Param(
        Params._dummy(),
        "initialModel",
        "Path (any Hadoop file system) of a saved spark-dl model, of a saved PipelineModel holding "
        "one, or of an .onnx file (imported into spark-dl's layers), whose weights start the fit "
        "(fine-tuning): every parameter of the network with the same name and shape takes its saved "
        "value, the others (a new head, say) start from their initialisers, and an INFO line lists "
        "both. Without layers or network set, the fit trains the saved model's own network. Its batch "
        "normalisation statistics come along. Empty: every parameter starts from its initialiser. "
        "Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    frozenLayers: "Param[str]" = Param(
        Params._dummy(),
        "frozenLayers",
        "Comma-separated layers whose parameters keep their values in the fit: each entry a layer "
        "name, or a prefix ending in * (conv* freezes every layer whose name starts with conv). A "
        "frozen parameter takes no gradient and has no optimizer state; a frozen batch normalisation "
        "still updates its running statistics. An entry that matches no layer is an error naming the "
        "layers there are. Default: empty.",
        typeConverter=TypeConverters.toString,
    )
    validateInput: "Param[bool]" = Param(
        Params._dummy(),
        "validateInput",
        "Check every row for nulls, NaN and wrong sizes before training and scoring (errors name the "
        "column and row). Default: true.",
        typeConverter=TypeConverters.toBoolean,
    )
    inputShape: "Param[List[int]]" = Param(
        Params._dummy(),
        "inputShape",
        "Per-row shape of the network's first input, e.g. [1, 28, 28]: features of prod(inputShape) "
        "values (Vector, array<float>, array<double>) are fed in that shape; images are decoded to "
        "[channels, height, width], sequences padded to [steps, values per step], token ids to "
        "[steps]. Must match the network's input (or hold layers[0] values). Empty uses the network's "
        "input shape. Default: [].",
        typeConverter=toListInputShape,
    )
    channelMean: "Param[List[float]]" = Param(
        Params._dummy(),
        "channelMean",
        "Per-channel mean subtracted from the features, one finite value per channel (the first axis "
        "of the input shape), after images are scaled to [0, 1]: x' = (x - mean[c]) / std[c]. Empty "
        "for 0. Default: [].",
        typeConverter=_channels("channelMean", False),
    )
    channelStd: "Param[List[float]]" = Param(
        Params._dummy(),
        "channelStd",
        "Per-channel standard deviation the features are divided by, one value > 0 per channel, after "
        "channelMean is subtracted. Empty for 1. Default: [].",
        typeConverter=_channels("channelStd", True),
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            hiddenActivation="relu",
            optimizer="adam",
            learningRate=0.003,
            weightDecay=0.0,
            clipNorm=0.0,
            learningRateSchedule="constant",
            batchSize=64,
            maxEpochs=10,
            tol=0.0,
            minDelta=0.0,
            monitor="auto",
            patience=1,
            seed=42,
            weightCol="",
            classWeights="",
            validationIndicatorCol="",
            stopOnDivergence=False,
            validationFraction=0.0,
            syncMode="gradient",
            localSteps=8,
            aggregationDepth=2,
            numWorkers=0,
            featuresLayout="auto",
            backend="auto",
            checkpointDir="",
            checkpointInterval=1,
            logDir="",
            initialModel="",
            frozenLayers="",
            validateInput=True,
            inputShape=[],
            channelMean=[],
            channelStd=[],
        )

    def getNetwork(self) -> str:
        """The network as JSON (NetworkSpec format). Raises ``KeyError`` when unset."""
        return self.getOrDefault(self.network)

    def getLayers(self) -> List[int]:
        """Layer sizes of the MLP shorthand, input to output, e.g. [784, 128, 10].

        Raises ``KeyError`` when unset."""
        return self.getOrDefault(self.layers)

    def getHiddenActivation(self) -> str:
        """Activation between the layers of the layers shorthand."""
        return self.getOrDefault(self.hiddenActivation)

    def getOptimizer(self) -> str:
        """The optimizer: sgd, adam, adamw or rmsprop."""
        return self.getOrDefault(self.optimizer)

    def getLearningRate(self) -> float:
        """The base learning rate."""
        return self.getOrDefault(self.learningRate)

    def getWeightDecay(self) -> float:
        """The weight decay."""
        return self.getOrDefault(self.weightDecay)

    def getClipNorm(self) -> float:
        """The global gradient-norm clip (0: off)."""
        return self.getOrDefault(self.clipNorm)

    def getLearningRateSchedule(self) -> str:
        """The learning-rate schedule."""
        return self.getOrDefault(self.learningRateSchedule)

    def getBatchSize(self) -> int:
        """Rows per optimizer step over all workers."""
        return self.getOrDefault(self.batchSize)

    def getMaxEpochs(self) -> int:
        """Passes over the training data."""
        return self.getOrDefault(self.maxEpochs)

    def getTol(self) -> float:
        """The early-stopping tolerance (0: off)."""
        return self.getOrDefault(self.tol)

    def getMinDelta(self) -> float:
        """The smallest absolute improvement that counts for early stopping (0: off)."""
        return self.getOrDefault(self.minDelta)

    def getMonitor(self) -> str:
        """What early stopping and the kept epoch watch: auto, loss, validationLoss or validationMetric."""
        return self.getOrDefault(self.monitor)

    def getPatience(self) -> int:
        """Epochs in a row below tol or minDelta before early stopping."""
        return self.getOrDefault(self.patience)

    def getSeed(self) -> int:
        """The random seed."""
        return self.getOrDefault(self.seed)

    def getWeightCol(self) -> str:
        """The per-row weight column (empty for none)."""
        return self.getOrDefault(self.weightCol)

    def getClassWeights(self) -> str:
        """Per-class loss weights (classifiers): balanced, comma-separated weights, or empty for none."""
        return self.getOrDefault(self.classWeights)

    def getValidationIndicatorCol(self) -> str:
        """The validation indicator column (empty for none)."""
        return self.getOrDefault(self.validationIndicatorCol)

    def getStopOnDivergence(self) -> bool:
        """Whether a diverging fit stops with an error."""
        return self.getOrDefault(self.stopOnDivergence)

    def getValidationFraction(self) -> float:
        """The fraction of rows held out at random for validation (0: none)."""
        return self.getOrDefault(self.validationFraction)

    def getSyncMode(self) -> str:
        """How workers synchronise: gradient or average."""
        return self.getOrDefault(self.syncMode)

    def getLocalSteps(self) -> int:
        """Local steps per round in average mode."""
        return self.getOrDefault(self.localSteps)

    def getAggregationDepth(self) -> int:
        """Depth of the treeAggregate."""
        return self.getOrDefault(self.aggregationDepth)

    def getNumWorkers(self) -> int:
        """Data-parallel workers (0: chosen by the fit)."""
        return self.getOrDefault(self.numWorkers)

    def getFeaturesLayout(self) -> str:
        """How the features reach the network's first input: auto, sparse or dense."""
        return self.getOrDefault(self.featuresLayout)

    def getBackend(self) -> str:
        """The tensor backend: auto, cpu or cuda."""
        return self.getOrDefault(self.backend)

    def getCheckpointDir(self) -> str:
        """The checkpoint directory (empty for none)."""
        return self.getOrDefault(self.checkpointDir)

    def getCheckpointInterval(self) -> int:
        """Epochs between checkpoints."""
        return self.getOrDefault(self.checkpointInterval)

    def getLogDir(self) -> str:
        """The TensorBoard log directory (empty for none)."""
        return self.getOrDefault(self.logDir)

    def getInitialModel(self) -> str:
        """A saved model whose weights start the fit (empty for none)."""
        return self.getOrDefault(self.initialModel)

    def getFrozenLayers(self) -> str:
        """Layers that keep their weights in the fit, comma-separated."""
        return self.getOrDefault(self.frozenLayers)

    def getValidateInput(self) -> bool:
        """Whether every row is checked for nulls, NaN and wrong sizes."""
        return self.getOrDefault(self.validateInput)

    def getInputShape(self) -> List[int]:
        """The per-row shape of the network's first input (empty for the network's own)."""
        return self.getOrDefault(self.inputShape)

    def getChannelMean(self) -> List[float]:
        """The per-channel means subtracted from the features (empty for none)."""
        return self.getOrDefault(self.channelMean)

    def getChannelStd(self) -> List[float]:
        """The per-channel standard deviations the features are divided by (empty for none)."""
        return self.getOrDefault(self.channelStd)
    # @generated-end


class _HasLoss(Params):
    """The regressor's loss (Java: ``NeuralNetworkRegressor.loss``)."""

    loss: "Param[str]" = Param(
        Params._dummy(),
        "loss",
        "Regression loss: mse, or huber[:delta] (delta 1 by default). Default: mse.",
        typeConverter=toRegressionLoss,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(loss="mse")

    def getLoss(self) -> str:
        """The regression loss."""
        return self.getOrDefault(self.loss)


#: MLlib's names for params spark-dl spells otherwise, with what to use instead.
_MLLIB_NAMES = {
    "maxIter": "maxEpochs (passes over the data; MLlib's maxIter counts optimizer iterations)",
    "stepSize": "learningRate",
    "blockSize": "batchSize",
    "solver": "optimizer (sgd, adam, adamw or rmsprop)",
    "regParam": "weightDecay",
    "initialWeights": "network (a Network whose weights are initialised from seed)",
}


def _reject_unknown(stage: Params, unknown: Dict[str, Any]) -> None:
    """Raises for keyword arguments that are not params of ``stage``, suggesting the param meant."""
    if not unknown:
        return
    import difflib

    names = sorted(p.name for p in stage.params)
    problems = []
    for key in sorted(unknown):
        if key in _MLLIB_NAMES:
            problems.append("'%s' is MLlib's name; use %s" % (key, _MLLIB_NAMES[key]))
        else:
            close = difflib.get_close_matches(key, names, n=1)
            problems.append("'%s' is not a param%s" % (key, "; did you mean %s?" % close[0] if close else ""))
    raise SparkDLValueError("%s: %s." % (type(stage).__name__, "; ".join(problems)))


def _given(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword arguments actually given: ``None`` means "leave as it is", as in PySpark's stages."""
    return {k: v for k, v in kwargs.items() if v is not None}
