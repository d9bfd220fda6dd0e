"""Finding the jar, wiring it into a session, and the errors when the JVM side is missing or differs."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

import spark_dl
from spark_dl import JAR_VERSION, JarNotFoundError, JarVersionMismatchError
from spark_dl._jar import _library_version, check_version

PACKAGE_ROOT = Path(spark_dl.__file__).resolve().parent


def test_the_package_carries_its_jar() -> None:
    jar = Path(spark_dl.jar_path())
    assert jar.is_file() and jar.parent == PACKAGE_ROOT / "jars"
    assert jar.name == "spark-dl-assembly-%s.jar" % JAR_VERSION
    assert spark_dl.jars() == [str(jar)]
    built = os.environ.get("SPARKDL_JAR")
    if built:
        assert Path(built).resolve() == jar


def test_package_and_build_agree_on_the_version() -> None:
    built = os.environ.get("SPARKDL_JAR_VERSION")
    if built is None:
        pytest.skip("SPARKDL_JAR_VERSION is set by the Maven build")
    assert JAR_VERSION == built
    assert spark_dl.__version__ == JAR_VERSION.replace("-SNAPSHOT", ".dev0")


def test_the_session_runs_with_the_jar_of_this_package(spark: SparkSession) -> None:
    assert spark_dl.jar_path() in spark.sparkContext.getConf().get("spark.jars")
    assert spark_dl.check_session() is spark.sparkContext
    assert _library_version(spark.sparkContext) == JAR_VERSION


def test_session_builder_keeps_jars_already_configured(spark: SparkSession) -> None:
    builder = SparkSession.Builder().config("spark.jars", "/opt/other.jar")
    with pytest.warns(UserWarning, match="A SparkContext is already running"):
        spark_dl.session_builder(builder)
    assert builder._options["spark.jars"] == "/opt/other.jar," + spark_dl.jar_path()


def test_a_jar_of_another_version_is_refused() -> None:
    with pytest.raises(JarVersionMismatchError) as info:
        check_version("0.0.1")
    assert str(info.value) == (
        "The spark-dl jar on the Spark classpath is version 0.0.1, but this Python package (spark-dl %s) needs "
        "version %s. Put the jar the package carries on spark.jars (spark_dl.jar_path()) instead of the other one."
        % (spark_dl.__version__, JAR_VERSION)
    )
    check_version(JAR_VERSION)
    check_version(None)  # classes from a development classpath carry no version


def test_python_m_spark_dl_prints_the_jar() -> None:
    out = subprocess.run([sys.executable, "-m", "spark_dl", "--jar"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT.parent)})
    assert out.stdout.strip() == spark_dl.jar_path()


def test_a_session_without_the_jar_gets_a_clear_error(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        from pyspark.sql import SparkSession
        import spark_dl
        spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .getOrCreate())
        try:
            spark_dl.NeuralNetworkClassifier(layers=[4, 3])
        except spark_dl.JarNotFoundError as e:
            print("ERROR:", e)
        spark.stop()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT.parent), "PYSPARK_SUBMIT_ARGS": "pyspark-shell"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300,
                         cwd=str(tmp_path))
    assert "ERROR: The spark-dl jar is not on the classpath of this Spark session's driver" in out.stdout, out.stderr
    assert "spark = spark_dl.session_builder().getOrCreate()" in out.stdout
    assert "--jars " + spark_dl.jar_path() in out.stdout
    assert issubclass(JarNotFoundError, RuntimeError)


def test_stages_outside_a_session_say_how_to_start_one(monkeypatch: Any) -> None:
    from pyspark import SparkContext

    monkeypatch.setattr(SparkContext, "_active_spark_context", None)
    with pytest.raises(spark_dl.SparkDLSetupError, match=r"No SparkContext is running\. Start a session with the spark-dl jar"):
        spark_dl.check_session()
