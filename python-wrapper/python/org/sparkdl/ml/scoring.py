"""The module name PySpark's loaders look up for spark-dl's models; use :mod:`spark_dl` in code.

``org.sparkdl.ml.scoring.NeuralNetworkClassificationModel`` was the Java class of a fitted classifier
before the models moved to ``org.sparkdl.ml``; kept for Java objects that still carry the former name
(see :mod:`org.sparkdl.ml`).
"""

from spark_dl import NeuralNetworkClassificationModel, NeuralNetworkRegressionModel

__all__ = ["NeuralNetworkClassificationModel", "NeuralNetworkRegressionModel"]
