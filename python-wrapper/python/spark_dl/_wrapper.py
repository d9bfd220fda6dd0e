"""The base classes of every spark_dl stage: how a Python stage creates, saves, loads and calls its
Java twin, in PySpark's ``JavaEstimator``/``JavaModel`` idiom.

What they add to PySpark's classes:

* the JVM is checked before the first Java object is made (jar present, same version), so a missing
  jar is a clear :class:`~spark_dl.errors.JarNotFoundError` rather than ``'JavaPackage' object is not
  callable``;
* every call into the JVM raises spark_dl exceptions with the Java message (:mod:`spark_dl.errors`);
* Java class ``org.sparkdl.*`` maps to its Python class in ``spark_dl``. PySpark finds the Python
  class of a loaded stage by replacing ``org.apache.spark`` with ``pyspark`` in the Java name, which
  cannot work for another library, so :func:`install_from_java_hook` teaches
  ``JavaParams._from_java`` (used by ``Pipeline``, ``PipelineModel``, ``CrossValidator`` and
  ``TrainValidationSplit`` when they load) the spark_dl classes and leaves every other class to
  PySpark. Importing :mod:`spark_dl` installs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, Generic, Optional, Type, TypeVar

from pyspark.ml.util import JavaMLReadable, JavaMLReader, JavaMLWritable, JavaMLWriter
from pyspark.ml.wrapper import JavaEstimator, JavaModel, JavaParams, JavaTransformer, JavaWrapper

from spark_dl._jar import check_session, is_connect
from spark_dl.errors import SparkDLStateError, translated

if TYPE_CHECKING:
    from py4j.java_gateway import JavaObject
    from pyspark.sql import DataFrame

__all__ = ["install_from_java_hook", "python_class_for"]

S = TypeVar("S", bound="_SparkDLParams")
M = TypeVar("M", bound="_SparkDLModel")

# Java class name -> Python class, filled by the stage classes as they are defined.
_PY_CLASSES: Dict[str, Type["_SparkDLParams"]] = {}


def python_class_for(java_class_name: str) -> Optional[Type["_SparkDLParams"]]:
    """The spark_dl class wrapping the Java class of that name, or ``None``."""
    return _PY_CLASSES.get(java_class_name)


class _Writer(JavaMLWriter):
    """PySpark's Java writer with spark_dl's JVM check and exceptions."""

    @translated
    def __init__(self, instance: "_SparkDLParams") -> None:
        check_session()
        super().__init__(instance)

    @translated
    def save(self, path: str) -> None:
        """Saves to ``path`` on any Hadoop file system; an existing path needs ``overwrite()``."""
        super().save(path)


class _ModelWriter(_Writer):
    """A model's writer: Spark's ``GeneralMLWriter``, which also writes other formats."""

    def format(self, source: str) -> "_ModelWriter":
        """Chooses the format: ``"internal"`` (the default, a model directory) or ``"onnx"`` (one
        ONNX file at the path, its input and outputs named after the model's columns)."""
        translated(lambda: self._jwrite.format(source))()
        return self


class _Reader(JavaMLReader):
    """PySpark's Java reader for a spark_dl class: the Java class comes from the Python class."""

    @translated
    def __init__(self, clazz: Type["_SparkDLParams"]) -> None:
        check_session()
        super().__init__(clazz)  # type: ignore[arg-type]

    @classmethod
    def _java_loader_class(cls, clazz: Any) -> str:
        return clazz._java_class

    @translated
    def load(self, path: str) -> Any:
        """Loads the stage saved at ``path`` (by Python, Java or Scala)."""
        return super().load(path)


class _SparkDLParams(JavaParams, JavaMLWritable, JavaMLReadable):
    """Shared by every spark_dl stage: the Java class name, JVM checks, persistence."""

    #: The fully qualified name of the Java class this Python class wraps.
    _java_class: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_java_class"):
            _PY_CLASSES[cls._java_class] = cls

    @classmethod
    def _new_java_stage(cls, uid: str) -> "JavaObject":
        """A new Java object of this stage's class, after checking that the JVM has the library."""
        check_session()
        return translated(JavaWrapper._new_java_obj)(cls._java_class, uid)

    @translated
    def _call_java(self, name: str, *args: Any) -> Any:
        return super()._call_java(name, *args)

    def write(self) -> JavaMLWriter:
        """An MLWriter that saves this stage (``.overwrite()`` to replace an existing path)."""
        if is_connect():
            from spark_dl._connect import ConnectWriter

            return ConnectWriter(self)  # type: ignore[return-value]
        return _Writer(self)

    @classmethod
    def read(cls) -> JavaMLReader:
        """An MLReader for this class (in classic PySpark and over Spark Connect)."""
        if is_connect():
            from spark_dl._connect import ConnectReader

            return ConnectReader(cls)  # type: ignore[return-value]
        return _Reader(cls)

    @classmethod
    def _from_java_stage(cls: Type[S], java_stage: "JavaObject") -> S:
        """A Python stage of this class around an existing Java object."""
        raise NotImplementedError

    @staticmethod
    def _from_java(java_stage: "JavaObject") -> Any:
        return _from_java(java_stage)


J = TypeVar("J", bound=JavaTransformer)


class _SparkDLEstimator(_SparkDLParams, JavaEstimator[J], Generic[J]):
    """Base of the spark_dl estimators."""

    @translated
    def _fit_java(self, dataset: "DataFrame") -> "JavaObject":
        check_session()
        from spark_dl._progress import FitProgressBar

        with FitProgressBar(dataset.sparkSession.sparkContext._jvm, self.uid):
            return super()._fit_java(dataset)

    def _fit(self, dataset: "DataFrame") -> J:
        from spark_dl._mlflow import log_fit

        if is_connect():
            from spark_dl._connect import fit_remote

            model = fit_remote(self, dataset, super()._fit)
        else:
            model = super()._fit(dataset)
        log_fit(self, model)
        return model

    @classmethod
    def _from_java_stage(cls: Type[S], java_stage: "JavaObject") -> S:
        stage = cls()
        stage._java_obj = java_stage
        stage._resetUid(java_stage.uid())
        stage._transfer_params_from_java()
        return stage


class _SparkDLModel(_SparkDLParams, JavaModel):
    """Base of the spark_dl models."""

    def write(self) -> _ModelWriter:
        """An MLWriter that saves this model (``.overwrite()`` to replace an existing path;
        ``.format("onnx")`` to write an ONNX file; over Spark Connect, the internal format only)."""
        if is_connect():
            from spark_dl._connect import ConnectWriter

            return ConnectWriter(self)  # type: ignore[return-value]
        return _ModelWriter(self)

    @classmethod
    def loadOnnx(cls: Type[M], path: str) -> M:
        """A model of the network in the ONNX file at ``path`` (any Hadoop file system), imported
        into spark-dl's own layers: it scores, saves and fine-tunes like a fitted one."""
        from pyspark.sql import SparkSession

        if is_connect():
            from spark_dl.errors import SparkDLConnectError

            raise SparkDLConnectError(
                "loadOnnx imports through py4j, which a Spark Connect client cannot reach. Import the file once "
                "in a classic session (or from Java/Scala) and save the model; load that over Connect.")
        check_session()
        jvm = SparkSession.active().sparkContext._jvm
        java_class = jvm
        for part in cls._java_class.split("."):
            java_class = getattr(java_class, part)
        return cls._from_java_stage(translated(lambda: java_class.loadOnnx(path))())  # type: ignore[return-value]

    @translated
    def _transform(self, dataset: "DataFrame") -> "DataFrame":
        if self._java_obj is None:
            name = type(self).__name__
            raise SparkDLStateError(
                "This %s holds no network: a model comes from %s.fit(...) or %s.load(path)."
                % (name, name.replace("ClassificationModel", "Classifier").replace("RegressionModel", "Regressor"), name)
            )
        if is_connect():
            return translated(super()._transform)(dataset)
        return super()._transform(dataset)

    def _model_info(self) -> Dict[str, Any]:
        """This model's description (network, layers, training summary), read through ``transform``
        with ``transformOutput="modelInfo"``: the way a Spark Connect client reaches them."""
        from spark_dl._model_info import model_info

        return translated(model_info)(self)

    def _require_classic(self, what: str, instead: str) -> None:
        """Raises a clear error where ``what`` needs the JVM gateway, which Spark Connect clients lack."""
        if is_connect():
            from spark_dl.errors import SparkDLConnectError

            raise SparkDLConnectError(
                "%s calls the model in the JVM through py4j, which a Spark Connect client cannot reach (the "
                "server allows only predict, predictRaw, predictProbability, numClasses, numFeatures and "
                "toString on a model). %s" % (what, instead))

    @classmethod
    def _from_java_stage(cls: Type[S], java_stage: "JavaObject") -> S:
        stage = cls(java_stage)  # type: ignore[call-arg]
        stage._transfer_params_from_java()
        return stage


def _unwrap(member: Any) -> Any:
    return getattr(member, "__func__", member)


# PySpark's own _from_java; if this module is imported again after the hook went in, the hook
# remembers the original, so the hook never ends up calling itself.
_installed = _unwrap(JavaParams.__dict__["_from_java"])
_pyspark_from_java = getattr(_installed, "_pyspark_original", _installed)


def _from_java(java_stage: "JavaObject") -> Any:
    """``JavaParams._from_java`` that knows the spark_dl classes and hands the rest to PySpark."""
    py_type = _PY_CLASSES.get(str(java_stage.getClass().getName()))
    if py_type is None:
        return _pyspark_from_java(java_stage)
    return py_type._from_java_stage(java_stage)


_from_java._spark_dl_hook = True  # type: ignore[attr-defined]
_from_java._pyspark_original = _pyspark_from_java  # type: ignore[attr-defined]


def install_from_java_hook() -> None:
    """Makes PySpark's loaders (Pipeline, CrossValidator, ...) build spark_dl stages; idempotent."""
    if not getattr(_unwrap(JavaParams.__dict__["_from_java"]), "_spark_dl_hook", False):
        JavaParams._from_java = staticmethod(_from_java)  # type: ignore[method-assign]
