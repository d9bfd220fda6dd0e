"""The module name PySpark's loaders look up for spark-dl's models; use :mod:`spark_dl` in code.

``org.sparkdl.ml.scoring.NeuralNetworkClassificationModel`` is the Java class of a fitted classifier;
PySpark's ``JavaParams._from_java`` imports this module for it (see :mod:`org.sparkdl.ml`).
"""

from spark_dl import NeuralNetworkClassificationModel, NeuralNetworkRegressionModel

__all__ = ["NeuralNetworkClassificationModel", "NeuralNetworkRegressionModel"]
