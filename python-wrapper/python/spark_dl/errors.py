"""Exceptions raised by spark_dl, and the one place where JVM exceptions become them.

A failure in the JVM reaches Python as a ``py4j.protocol.Py4JJavaError`` or, once a SparkSession
has installed PySpark's handler, as a ``pyspark.errors`` ``CapturedException``. Neither reads well:
the first prints a Java stack trace, the second hides which spark-dl error it was. Every call that
spark_dl makes into the JVM goes through :func:`translated`, which finds the spark-dl or argument
error in the Java cause chain (a failed Spark task wraps it in a ``SparkException``) and raises the
matching Python exception below with the Java message as its text:

==============================================  ==========================================
Java exception (anywhere in the cause chain)    Python exception
==============================================  ==========================================
``org.sparkdl.spec.SpecException``              :class:`NetworkSpecError` (a ``ValueError``)
``java.lang.IllegalArgumentException``          :class:`SparkDLValueError` (a ``ValueError``)
``org.sparkdl.io.ModelFileException``           :class:`ModelFileError` (an ``OSError``)
``java.io.IOException``                         :class:`ModelFileError` (an ``OSError``)
``java.lang.IllegalStateException``             :class:`SparkDLStateError` (a ``RuntimeError``)
``org.sparkdl.backend.BackendException``        :class:`BackendError` (a ``RuntimeError``)
==============================================  ==========================================

Any other JVM exception is re-raised unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, List, Optional, Tuple, Type, TypeVar

__all__ = [
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
    "translated",
    "translate_java_exception",
]


class SparkDLError(Exception):
    """Base class of every exception spark_dl raises.

    Attributes:
        java_class: the fully qualified name of the Java exception this was raised for, or ``None``
            when the error was found in Python.
        java_stack_trace: the Java stack trace (causes included), or ``None``.
    """

    def __init__(
        self,
        message: str,
        java_class: Optional[str] = None,
        java_stack_trace: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.java_class = java_class
        self.java_stack_trace = java_stack_trace

    @property
    def message(self) -> str:
        """The message (for JVM errors: the Java exception's message, unchanged)."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message


class SparkDLValueError(SparkDLError, ValueError):
    """Bad input or a bad param: a column of the wrong type or size, a label out of range, an invalid
    param value (Java ``IllegalArgumentException``)."""


class NetworkSpecError(SparkDLValueError):
    """An invalid network description: malformed JSON, an unknown layer type or field, a bad value,
    a reference to a missing node, or shapes that do not fit (Java ``SpecException``)."""


class ModelFileError(SparkDLError, OSError):
    """A model directory that cannot be read or written: missing, incomplete, corrupted, or a save
    over an existing path without ``overwrite()`` (Java ``ModelFileException`` / ``IOException``)."""


class SparkDLStateError(SparkDLError, RuntimeError):
    """An object used in the wrong state, e.g. asking a loaded model for its training summary (Java
    ``IllegalStateException``)."""


class SparkDLConnectError(SparkDLStateError):
    """What a Spark Connect client cannot do (it has no py4j gateway to the JVM); the message says what
    to do instead."""


class BackendError(SparkDLError, RuntimeError):
    """A native backend failed to load or a native call failed (Java ``BackendException``)."""


class SparkDLSetupError(SparkDLError, RuntimeError):
    """The Python package and the Spark session do not fit together."""


class JarNotFoundError(SparkDLSetupError):
    """The spark-dl jar is not on the Spark driver's classpath (or not inside this package)."""


class JarVersionMismatchError(SparkDLSetupError):
    """The spark-dl jar on the Spark classpath is another version than this Python package."""


# Most specific first: the first class in this list that an exception of the chain is an instance
# of decides the Python type.
_MAPPING: List[Tuple[str, Type[SparkDLError]]] = [
    ("org.sparkdl.spec.SpecException", NetworkSpecError),
    ("org.sparkdl.io.ModelFileException", ModelFileError),
    ("org.sparkdl.backend.BackendException", BackendError),
    ("java.lang.IllegalArgumentException", SparkDLValueError),
    ("java.lang.IllegalStateException", SparkDLStateError),
    ("java.io.IOException", ModelFileError),
]

# A cause chain longer than this is cut (a cycle would otherwise loop forever).
_MAX_CHAIN = 32


def _java_throwable(error: BaseException) -> Any:
    """The Java throwable behind a Py4JJavaError or a PySpark CapturedException, or ``None``."""
    from py4j.protocol import Py4JJavaError

    if isinstance(error, Py4JJavaError):
        return error.java_exception
    origin = getattr(error, "_origin", None)
    if origin is not None:
        return origin
    return None


def _stack_trace(gateway: Any, throwable: Any) -> Optional[str]:
    try:
        return str(gateway.jvm.org.apache.spark.util.Utils.exceptionString(throwable))
    except Exception:  # the trace is a convenience; never hide the real error behind it
        return None


def translate_java_exception(error: BaseException) -> Optional[SparkDLError]:
    """The spark_dl exception for a JVM failure, or ``None`` when it maps to none.

    Walks the Java cause chain from the outside in and picks the first exception whose class is in
    the table of this module, so that the error of a failed task (inside Spark's ``SparkException``)
    is reported with its own message.
    """
    from pyspark import SparkContext

    connect = _translate_connect(error)
    if connect is not None:
        return connect
    throwable = _java_throwable(error)
    gateway = SparkContext._gateway
    if throwable is None or gateway is None:
        return None
    chain: List[Any] = []
    current = throwable
    while current is not None and len(chain) < _MAX_CHAIN:
        chain.append(current)
        nxt = current.getCause()
        if nxt is None or nxt.equals(current):
            break
        current = nxt
    for java_name, py_type in _MAPPING:
        for candidate in chain:
            if _is_instance(gateway, candidate, java_name):
                message = candidate.getMessage()
                found_class = str(candidate.getClass().getName())
                text = str(message) if message is not None else found_class
                return py_type(text, java_class=found_class, java_stack_trace=_stack_trace(gateway, throwable))
    return None


def _translate_connect(error: BaseException) -> Optional[SparkDLError]:
    """The spark_dl exception for an error a Spark Connect server sent, or ``None``.

    Such an error carries no Java object, only text: the server's message (for a failed task, the
    executor's exception as ``java.lang.IllegalArgumentException: ...``) and, when the server sends
    it, its stack trace. The first class of the table named in that text decides the type.
    """
    try:
        from pyspark.errors.exceptions.connect import IllegalArgumentException, SparkConnectGrpcException
    except ImportError:  # the Connect client's dependencies are not installed: no Connect errors either
        return None
    if not isinstance(error, SparkConnectGrpcException):
        return None
    message = str(getattr(error, "_message", None) or error)
    text = message + "\n" + str(getattr(error, "_stacktrace", None) or "")
    for java_name, py_type in _MAPPING:
        marker = java_name + ": "
        at = text.find(marker)
        if at >= 0:
            found = text[at + len(marker):].split("\n", 1)[0].strip()
            return py_type(found or message, java_class=java_name, java_stack_trace=getattr(error, "_stacktrace", None))
    if isinstance(error, IllegalArgumentException):
        return SparkDLValueError(message, java_class="java.lang.IllegalArgumentException")
    return None


def _is_instance(gateway: Any, throwable: Any, java_name: str) -> bool:
    from py4j.java_gateway import is_instance_of
    from py4j.protocol import Py4JError

    try:
        return bool(is_instance_of(gateway, throwable, java_name))
    except Py4JError:  # the class itself is not on the classpath, so nothing is an instance of it
        return False


F = TypeVar("F", bound=Callable[..., Any])


def translated(function: F) -> F:
    """Decorates a function that calls into the JVM so that JVM failures raise spark_dl exceptions."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors.exceptions.base import PySparkException
        from pyspark.errors.exceptions.captured import CapturedException

        try:
            return function(*args, **kwargs)
        except (Py4JJavaError, CapturedException, PySparkException) as error:
            mapped = translate_java_exception(error)
            if mapped is None:
                raise
            # The Java stack trace stays on the exception (java_stack_trace); Py4J's is noise.
            raise mapped from None

    return wrapper  # type: ignore[return-value]
