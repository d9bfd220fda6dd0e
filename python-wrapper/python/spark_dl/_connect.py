"""What spark_dl does differently when PySpark is a Spark Connect client.

A Connect client has no py4j gateway: it sends plans and ML commands to a server, which builds the
stages by their Java class name (found through ``META-INF/services``), fits, transforms, saves and
loads them, and keeps fitted models in a cache the client refers to by id. PySpark's own classes do
this for Spark's stages; for spark_dl:

* the library jar is checked on the server in SQL (:func:`spark_dl._jar.check_connect_session`);
* ``fit`` runs without the progress bar (it polls the JVM through py4j);
* saving goes through PySpark's Connect writer, with spark_dl's errors;
* loading reads the class from the saved metadata and asks the server to load that Java class:
  PySpark's Connect reader would derive the Java class from the Python module's name, which works
  only for ``pyspark.ml`` (:class:`ConnectReader`);
* what a model exposes only in the JVM (training summary, network, layer table) comes back through
  ``transform`` with ``transformOutput="modelInfo"`` (:mod:`spark_dl._model_info`).
"""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, Type

from spark_dl._jar import check_connect_session
from spark_dl.errors import ModelFileError, translated

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["ConnectReader", "ConnectWriter", "fit_remote"]


def fit_remote(estimator: Any, dataset: "DataFrame", fit: Callable[["DataFrame"], Any]) -> Any:
    """Fits ``estimator`` on the Connect server with PySpark's remote fit, after checking the jar."""
    from spark_dl._progress import explicitly_enabled

    check_connect_session(dataset.sparkSession)
    if explicitly_enabled():
        warnings.warn(
            "The fit progress bar polls the JVM through py4j, which a Spark Connect client cannot reach, so it is off "
            "over Connect. Follow the fit in the Spark UI (each epoch is a job description) or in the server's INFO "
            "log lines, and read model.summary afterwards.",
            stacklevel=4,
        )
    return translated(fit)(dataset)


class ConnectWriter:
    """Saves a spark_dl stage over Spark Connect: PySpark's Connect writer, with spark_dl's errors."""

    def __init__(self, instance: Any) -> None:
        from pyspark.ml.connect.readwrite import RemoteMLWriter

        check_connect_session()
        self._writer = RemoteMLWriter(instance)

    def overwrite(self) -> "ConnectWriter":
        """Replaces what is at the path."""
        self._writer.overwrite()
        return self

    def format(self, source: str) -> "ConnectWriter":
        """The internal format only: an ONNX export needs the JVM gateway."""
        if source.lower() not in ("internal", "default"):
            from spark_dl.errors import SparkDLConnectError

            raise SparkDLConnectError(
                "write().format(%r) runs through py4j, which a Spark Connect client cannot reach. Save the model "
                "(write().save(path)) and export it in a classic session or from Java/Scala:"
                " model.write().format(\"onnx\").save(path)." % (source,))
        return self

    def option(self, key: str, value: Any) -> "ConnectWriter":
        """Passes an option to the Java writer."""
        self._writer.option(key, value)
        return self

    def save(self, path: str) -> None:
        """Saves to ``path`` on the server's file systems; an existing path needs ``overwrite()``."""
        translated(self._writer.save)(path)


class ConnectReader:
    """Loads a spark_dl stage over Spark Connect.

    PySpark's ``RemoteMLReader`` names the Java class after the Python module
    (``pyspark.ml.x`` -> ``org.apache.spark.ml.x``), which is wrong for any other package. This reader
    reads the class from the saved ``metadata`` (with the session's own JSON reader, on the server),
    maps it to its spark_dl class (former class names included) and asks the server to load that.
    """

    def __init__(self, clazz: Type[Any]) -> None:
        self._clazz = clazz

    def load(self, path: str) -> Any:
        """Loads the stage saved at ``path`` (by Python, Java or Scala, classic or Connect)."""
        from pyspark.sql.connect.session import SparkSession

        session = check_connect_session(SparkSession.getActiveSession())
        java_class = self._saved_class(session, path)
        py_type = _python_class(java_class)
        if py_type is None or not issubclass(py_type, self._clazz):
            # the words of the Java reader's check, which classic PySpark reports
            raise ModelFileError("metadata: describes a %s; expected %s." % (java_class, self._clazz._java_class))
        return translated(_load)(session, py_type, path)

    @staticmethod
    def _saved_class(session: Any, path: str) -> str:
        metadata = path.rstrip("/") + "/metadata"
        try:
            lines = session.read.text(metadata).limit(1).collect()
        except Exception as e:
            raise ModelFileError("Nothing to load at %s: its metadata (%s) could not be read (%s)." % (
                path, metadata, str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)) from None
        if not lines:
            raise ModelFileError("%s has an empty metadata file; it is not a saved Spark ML stage." % metadata)
        try:
            return str(json.loads(lines[0][0])["class"])
        except (ValueError, KeyError, TypeError):
            raise ModelFileError("%s is not Spark ML metadata (no JSON object with a class)." % metadata) from None


def _python_class(java_class: str) -> Any:
    from spark_dl._wrapper import python_class_for

    found = python_class_for(java_class)
    if found is None and java_class.startswith("org.sparkdl.ml.scoring."):
        # models saved under the models' former package load as today's classes
        found = python_class_for("org.sparkdl.ml." + java_class.rsplit(".", 1)[1])
    return found


def _load(session: Any, py_type: Type[Any], path: str) -> Any:
    import pyspark.sql.connect.proto as pb2
    from pyspark.ml.connect.serialize import deserialize, deserialize_param
    from pyspark.ml.wrapper import JavaModel

    is_model = issubclass(py_type, JavaModel)
    ml_type = pb2.MlOperator.OPERATOR_TYPE_MODEL if is_model else pb2.MlOperator.OPERATOR_TYPE_ESTIMATOR
    command = pb2.Command()
    command.ml_command.read.CopyFrom(
        pb2.MlCommand.Read(operator=pb2.MlOperator(name=py_type._java_class, type=ml_type), path=path))
    (_, properties, _) = session.client.execute_command(command)
    result = deserialize(properties)
    if is_model:
        session.client.add_ml_cache(result.obj_ref.id)
        instance = py_type(result.obj_ref.id)
    else:
        instance = py_type()
    instance._resetUid(result.uid)
    params: Dict[str, Any] = {k: deserialize_param(v) for k, v in result.params.params.items()}
    known = {k: v for k, v in params.items() if instance.hasParam(k)}
    instance._set(**known)
    return instance
