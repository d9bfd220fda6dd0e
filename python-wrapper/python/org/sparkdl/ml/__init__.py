"""The module name PySpark's loaders look up for spark-dl's estimators; use :mod:`spark_dl` in code.

PySpark's ``JavaParams._from_java`` (which ``Pipeline.load``, ``PipelineModel.load`` and
``CrossValidatorModel.load`` call for every stage) finds the Python class of a Java stage by importing
the Java class name with ``org.apache.spark`` replaced by ``pyspark``. For spark-dl's Java classes
that is ``org.sparkdl.ml.NeuralNetworkClassifier`` and ``org.sparkdl.ml.NeuralNetworkClassificationModel``
(models saved before the models moved beside the estimators load as these too), so this package
re-exports the :mod:`spark_dl` classes under those names (and :mod:`org.sparkdl.ml.scoring` under the
models' former names): a saved pipeline holding spark-dl stages loads without ``import spark_dl`` first. ``org`` and ``org.sparkdl``
are namespace packages (no ``__init__.py``), so they never hide another distribution's ``org.*``.
"""

try:
    import pyspark as _pyspark  # noqa: F401
except ImportError as _error:
    raise ImportError(
        "org.sparkdl.ml is where PySpark's loaders find the spark_dl stages of a saved pipeline, and it "
        "needs PySpark 4.0.x, which is not importable here: pip install 'pyspark==4.0.1' (or run inside "
        "spark-submit / a notebook that provides it), then use the stages from spark_dl."
    ) from _error

from spark_dl import (
    NeuralNetworkClassificationModel,
    NeuralNetworkClassifier,
    NeuralNetworkRegressionModel,
    NeuralNetworkRegressor,
)

__all__ = [
    "NeuralNetworkClassifier",
    "NeuralNetworkRegressor",
    "NeuralNetworkClassificationModel",
    "NeuralNetworkRegressionModel",
]
