"""spark-dl for PySpark: deep networks as Spark ML Estimators and Models.

The Python side of the spark-dl library. Every stage wraps its Java twin (same params, same files on
disk), so it works in ``Pipeline``, ``CrossValidator`` and ``ParamGridBuilder``, and models move
between Python, Java and Scala through ``save``/``load``.

Start Spark with the jar this package carries, then use the stages::

    import spark_dl
    from spark_dl import NeuralNetworkClassifier

    spark = spark_dl.session_builder().master("local[*]").getOrCreate()
    model = NeuralNetworkClassifier(layers=[784, 128, 10], maxEpochs=20).fit(train)

For ``spark-submit`` and ``pyspark``: ``--jars "$(python -m spark_dl --jar)"``.
"""

from spark_dl._version import JAR_VERSION, __version__
from spark_dl._jar import check_session, jar_path, jars, session_builder
from spark_dl.errors import (
    BackendError,
    JarNotFoundError,
    JarVersionMismatchError,
    ModelFileError,
    NetworkSpecError,
    SparkDLError,
    SparkDLSetupError,
    SparkDLConnectError,
    SparkDLStateError,
    SparkDLValueError,
)
from spark_dl.network import (
    Activation,
    Add,
    AvgPool2d,
    BatchNorm,
    Concat,
    Conv1d,
    Conv2d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAvgPool,
    Gru,
    Input,
    Layer,
    LayerNorm,
    Lstm,
    MaxPool2d,
    MultiHeadAttention,
    Network,
    NetworkBuilder,
    PositionalEmbedding,
    Reshape,
    SequenceMeanPool,
)
from spark_dl._mlflow import set_mlflow_logging
from spark_dl._progress import set_progress
from spark_dl.summary import TrainingSummary
from spark_dl import datasets

# The stages need PySpark; the rest (the jar's path, networks, summaries) does not, so that
# `python -m spark_dl --jar` also works where pyspark is only importable inside spark-submit.
try:
    import pyspark as _pyspark
except ImportError as _error:  # pragma: no cover - exercised only without pyspark
    _PYSPARK_MISSING: "ImportError | None" = _error
else:
    _PYSPARK_MISSING = None
    _PYSPARK_VERSION: str = _pyspark.__version__
    from spark_dl._wrapper import install_from_java_hook
    from spark_dl.classification import NeuralNetworkClassificationModel, NeuralNetworkClassifier
    from spark_dl.regression import NeuralNetworkRegressionModel, NeuralNetworkRegressor

    install_from_java_hook()

_STAGES = (
    "NeuralNetworkClassifier",
    "NeuralNetworkClassificationModel",
    "NeuralNetworkRegressor",
    "NeuralNetworkRegressionModel",
)


def __getattr__(name: str) -> object:
    if name in _STAGES and _PYSPARK_MISSING is not None:
        raise ImportError(
            "spark_dl.%s needs PySpark 4.0.x, which is not importable here: pip install 'pyspark==4.0.1' "
            "(or run inside spark-submit / a notebook that provides it)." % name
        ) from _PYSPARK_MISSING
    raise AttributeError("module 'spark_dl' has no attribute %r" % name)


__all__ = [
    "__version__",
    "JAR_VERSION",
    "jars",
    "jar_path",
    "session_builder",
    "set_progress",
    "set_mlflow_logging",
    "check_session",
    "NeuralNetworkClassifier",
    "NeuralNetworkClassificationModel",
    "NeuralNetworkRegressor",
    "NeuralNetworkRegressionModel",
    "TrainingSummary",
    "datasets",
    "Network",
    "NetworkBuilder",
    "Input",
    "Layer",
    "Dense",
    "Activation",
    "Dropout",
    "Add",
    "Concat",
    "Reshape",
    "Flatten",
    "Conv1d",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "GlobalAvgPool",
    "BatchNorm",
    "LayerNorm",
    "Embedding",
    "Lstm",
    "Gru",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "SequenceMeanPool",
    "SparkDLError",
    "SparkDLValueError",
    "NetworkSpecError",
    "ModelFileError",
    "SparkDLStateError",
    "SparkDLConnectError",
    "BackendError",
    "SparkDLSetupError",
    "JarNotFoundError",
    "JarVersionMismatchError",
]
