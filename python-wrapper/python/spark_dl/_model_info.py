"""A model's description read through ``transform``, for Spark Connect clients.

A Spark Connect server calls on a model only the methods it whitelists (``predict``,
``numClasses``, ``numFeatures``, ``toString``, ...), so a thin client cannot ask the JVM for the
training summary, the network or the layer table. The spark-dl models have a param,
``transformOutput``: set to ``"modelInfo"``, ``transform`` returns one row with one JSON string
column, ``modelInfo``, describing the model (``org.sparkdl.ml.scoring.ModelInfo``). This module
declares the param's Python twin and reads that row into the objects classic PySpark builds from
the JVM (:class:`~spark_dl.summary.TrainingSummary`, :class:`~spark_dl.network.Network`), so
``model.summary`` and friends read the same in both modes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict

from pyspark.ml.param import Param, Params, TypeConverters

from spark_dl.errors import SparkDLStateError

if TYPE_CHECKING:
    from spark_dl.summary import TrainingSummary

__all__ = ["model_info", "summary_from_info"]

PREDICTIONS = "predictions"
MODEL_INFO = "modelInfo"

# The same text as HasTransformOutput.DOC in Java (a pytest compares every param's doc).
_DOC = ("What transform returns: predictions (the input rows with the prediction columns; the default) or"
        " modelInfo (one row with one JSON string column, modelInfo, describing the model: network, layers and"
        " training summary; what a Spark Connect client reads them through).")


class _HasTransformOutput(Params):
    """The ``transformOutput`` param of the spark-dl models (declared by hand: it is not one of the
    params the estimators and models share, which ParamCodeGen generates)."""

    transformOutput: "Param[str]" = Param(
        Params._dummy(), "transformOutput", _DOC, typeConverter=TypeConverters.toString)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(transformOutput=PREDICTIONS)

    def getTransformOutput(self) -> str:
        """What ``transform`` returns: ``predictions`` (default) or ``modelInfo``."""
        return self.getOrDefault(self.transformOutput)

    def setTransformOutput(self, value: str) -> Any:
        """Sets :attr:`transformOutput`: ``predictions`` or ``modelInfo``."""
        if value not in (PREDICTIONS, MODEL_INFO):
            from spark_dl.errors import SparkDLValueError

            raise SparkDLValueError("Param transformOutput is %r; it takes %r or %r." % (value, PREDICTIONS, MODEL_INFO))
        return self._set(transformOutput=value)


def _session_of(model: Any) -> Any:
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        raise SparkDLStateError("No Spark session is active; the model %s is read through one." % model.uid)
    return session


def model_info(model: Any) -> Dict[str, Any]:
    """The model's description (the JSON of ``transformOutput="modelInfo"``) as a dict.

    Works in classic PySpark and over Spark Connect; one small Spark job.
    """
    session = _session_of(model)
    described = model.copy({model.transformOutput: MODEL_INFO})
    row = described.transform(session.range(1)).first()
    return json.loads(row[0])


def summary_from_info(info: Dict[str, Any]) -> "TrainingSummary":
    """The :class:`TrainingSummary` in a model description.

    Raises:
        SparkDLStateError: the model has none (the text Java's ``summary()`` gives).
    """
    from spark_dl.summary import TrainingSummary

    saved = info.get("summary")
    if not info.get("hasSummary") or saved is None:
        raise SparkDLStateError("No training summary for model %s: it was not fitted in this session, and its save (if"
                                " any) recorded none." % info.get("uid"))
    return TrainingSummary._from_saved(saved)
