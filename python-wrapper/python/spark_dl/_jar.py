"""Where the library jar is, how a session gets it, and the check that the running JVM has it.

The wheel carries ``spark_dl/jars/spark-dl-assembly-<version>.jar``: the library with its native
dependencies (JavaCPP, OpenBLAS for linux-x86_64), without what Spark itself brings. Spark reads
``spark.jars`` only when the driver JVM starts, so the jar must be named before the first session:

>>> spark = spark_dl.session_builder().getOrCreate()                        # doctest: +SKIP
>>> spark = SparkSession.builder.config("spark.jars", spark_dl.jar_path()).getOrCreate()  # doctest: +SKIP

and for ``spark-submit`` or ``pyspark``: ``--jars "$(python -m spark_dl --jar)"``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from spark_dl._version import JAR_VERSION, __version__
from spark_dl.errors import JarNotFoundError, JarVersionMismatchError, SparkDLSetupError

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

__all__ = ["jars", "jar_path", "session_builder", "check_session", "check_connect_session", "is_connect"]

JAR_NAME = "spark-dl-assembly-%s.jar" % JAR_VERSION
_JARS_DIR = Path(__file__).resolve().parent / "jars"
# A class every spark-dl jar has; finding it means the library is on the driver's classpath.
_PROBE_CLASS = "org.sparkdl.ml.NeuralNetworkClassifier"
_SPARK_LINE = "4.0."
# Its static libraryVersion() answers a Connect client's check, asked in SQL.
_VERSION_CLASS = "org.sparkdl.ml.scoring.ModelInfo"

# The SparkContext already checked, so that the check costs one JVM round trip per session.
_verified_context: Optional["SparkContext"] = None
# The Spark Connect sessions already checked, by session id.
_verified_connect: set = set()


def jar_path() -> str:
    """The absolute path of the library jar inside this package.

    Raises:
        JarNotFoundError: the package has no jar of its version (a source checkout that was not
            built with Maven yet).
    """
    jar = _JARS_DIR / JAR_NAME
    if jar.is_file():
        return str(jar)
    present = sorted(p.name for p in _JARS_DIR.glob("*.jar")) if _JARS_DIR.is_dir() else []
    found = ("; it holds " + ", ".join(present)) if present else ", which holds no jar"
    raise JarNotFoundError(
        "The spark-dl Python package %s needs %s in %s%s. In a source checkout, build it with "
        "`mvn -B package -pl python-wrapper -am -DskipTests` (Maven copies the jar there); "
        "otherwise reinstall the spark-dl wheel." % (__version__, JAR_NAME, _JARS_DIR, found)
    )


def jars() -> List[str]:
    """The jars to put on ``spark.jars`` (or ``--jars``, comma-separated): today one assembly jar."""
    return [jar_path()]


def session_builder(builder: Optional["SparkSession.Builder"] = None) -> "SparkSession.Builder":
    """A SparkSession builder with the library jar added to ``spark.jars``.

    Args:
        builder: a builder to extend (its own ``spark.jars`` are kept); default
            ``SparkSession.builder``.

    Returns:
        The builder, for chaining: ``spark_dl.session_builder().master("local[2]").getOrCreate()``.

    The jar takes effect only when this builder starts the JVM: with a session already running
    (a notebook's ``spark``), attach the jar to the cluster instead (see the package README).
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    b = builder if builder is not None else SparkSession.builder
    options = getattr(b, "_options", {})
    existing = [j for j in str(options.get("spark.jars", "")).split(",") if j.strip()]
    ours = [j for j in jars() if j not in existing]
    b.config("spark.jars", ",".join(existing + ours))
    if SparkContext._active_spark_context is not None:
        warnings.warn(
            "A SparkContext is already running; spark.jars set now will not reach its JVM. "
            "Stop it first, or start Spark with --jars %s." % ",".join(jars()),
            stacklevel=2,
        )
    return b


def _missing_message(sc: "SparkContext") -> str:
    configured = sc.getConf().get("spark.jars", "") or "(not set)"
    try:
        path = jar_path()
    except JarNotFoundError:
        path = "<spark_dl>/jars/" + JAR_NAME
    return (
        "The spark-dl jar is not on the classpath of this Spark session's driver (class %s was not "
        "found; spark.jars = %s). Start the session with the jar this package carries:\n"
        "    spark = spark_dl.session_builder().getOrCreate()\n"
        "or pass it when Spark starts: spark-submit / pyspark --jars %s\n"
        "A session that is already running cannot take new jars: on Databricks or EMR attach the jar "
        "to the cluster (cluster library, or --jars in the step) and restart it."
        % (_PROBE_CLASS, configured, path)
    )


def _library_version(sc: "SparkContext") -> Optional[str]:
    """The jar's Implementation-Version; ``None`` when the classes come from unpackaged builds."""
    from py4j.protocol import Py4JError
    from pyspark.errors.exceptions.captured import CapturedException

    try:
        java_class = sc._jvm.py4j.reflection.ReflectionUtil.classForName(_PROBE_CLASS)  # type: ignore
    except (Py4JError, CapturedException):
        raise JarNotFoundError(_missing_message(sc)) from None
    package = java_class.getPackage()
    version = package.getImplementationVersion() if package is not None else None
    return str(version) if version is not None else None


def check_version(found: Optional[str]) -> None:
    """Raises :class:`JarVersionMismatchError` unless ``found`` (a jar's version) fits this package.

    ``None`` (classes from a development classpath, without a jar manifest) is accepted.
    """
    if found is not None and found != JAR_VERSION:
        raise JarVersionMismatchError(
            "The spark-dl jar on the Spark classpath is version %s, but this Python package "
            "(spark-dl %s) needs version %s. Put the jar the package carries on spark.jars "
            "(spark_dl.jar_path()) instead of the other one." % (found, __version__, JAR_VERSION)
        )


def is_connect() -> bool:
    """Whether PySpark runs as a Spark Connect client (``SparkSession.builder.remote(...)``)."""
    from pyspark.sql.utils import is_remote

    return bool(is_remote())


def _connect_missing_message(detail: str) -> str:
    return (
        "The spark-dl jar is not on the classpath of the Spark Connect server this client talks to (class %s "
        "could not be loaded there: %s). The jar belongs on the server, not the client: start the server with "
        "--jars <spark-dl-assembly-%s.jar> (start-connect-server.sh --jars ..., or spark.jars in its "
        "configuration), or for a local server SparkSession.builder.remote(\"local[2]\").config(\"spark.jars\", "
        "spark_dl.jar_path()). `python -m spark_dl --jar` prints the path of the jar this package carries."
        % (_VERSION_CLASS, detail, JAR_VERSION)
    )


def check_connect_session(session: Optional["SparkSession"] = None) -> "SparkSession":
    """Checks, once per session, that the Spark Connect server has the library jar.

    Asks the server in SQL (``reflect``), without py4j, which a Connect client does not have.

    Raises:
        SparkDLSetupError: no Spark Connect session is active.
        JarNotFoundError: the server cannot load the library's classes.
    """
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    active = session if session is not None else ConnectSession.getActiveSession()
    if active is None:
        raise SparkDLSetupError(
            "No Spark Connect session is active. Start one first: "
            "spark = SparkSession.builder.remote(\"sc://<host>:15002\").getOrCreate()"
        )
    key = str(getattr(active, "session_id", id(active)))
    if key in _verified_connect:
        return active
    try:
        # reflect loads the class through the server's context class loader, which holds spark.jars
        found = active.sql("SELECT reflect('%s', 'libraryVersion')" % _VERSION_CLASS).first()[0]
    except Exception as e:  # what the server says when the class is missing varies; all mean the same
        text = str(e).strip()
        raise JarNotFoundError(_connect_missing_message(text.splitlines()[0] if text else type(e).__name__)) from None
    check_version(str(found) if found else None)
    _verified_connect.add(key)
    return active


def check_session(sc: Optional["SparkContext"] = None) -> "SparkContext":
    """Checks that the running Spark session can use spark_dl, once per session.

    Args:
        sc: the SparkContext; default the active one.

    As a Spark Connect client (no SparkContext here), checks the server instead, in SQL
    (:func:`check_connect_session`).

    Returns:
        The checked SparkContext (``None`` for a Spark Connect client).

    Raises:
        SparkDLSetupError: no SparkContext is running.
        JarNotFoundError: the library jar is not on the driver's classpath.
        JarVersionMismatchError: the jar on the classpath is another version.
    """
    global _verified_context
    from pyspark import SparkContext

    if sc is None and is_connect():
        check_connect_session()
        return None  # type: ignore[return-value]

    context = sc if sc is not None else SparkContext._active_spark_context
    if context is None:
        raise SparkDLSetupError(
            "No SparkContext is running. Start a session with the spark-dl jar first: "
            "spark = spark_dl.session_builder().getOrCreate()"
        )
    if context is _verified_context:
        return context
    check_version(_library_version(context))
    spark_version = str(context.version)
    if not spark_version.startswith(_SPARK_LINE):
        warnings.warn(
            "spark-dl %s is built for Spark %sx; this session runs Spark %s."
            % (__version__, _SPARK_LINE, spark_version),
            stacklevel=3,
        )
    _verified_context = context
    return context

