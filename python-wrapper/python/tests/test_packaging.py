"""The wheel: built from pyproject.toml, it carries the jar, and installs and runs in a fresh virtualenv."""

import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path
from typing import Dict

import pytest

import spark_dl

PROJECT = Path(spark_dl.__file__).resolve().parent.parent


def clean_env() -> Dict[str, str]:
    """The environment without the source tree on the path, so only the installed wheel can be imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "SPARKDL_JAR")}
    env["PYSPARK_SUBMIT_ARGS"] = "pyspark-shell"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = tmp_path_factory.mktemp("build")
    # A copy, so that the build's own folders (build/, *.egg-info) stay out of the source tree.
    source = build / "project"
    for package in ("spark_dl", "org"):
        shutil.copytree(PROJECT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, env={**clean_env(), "TMPDIR": str(build)}, timeout=600,
    )
    if result.returncode != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pip wheel failed:\n" + result.stdout + result.stderr)
        pytest.skip("pip could not build the wheel here (it fetches setuptools from the package index):\n"
                    + result.stderr[-2000:])
    (found,) = out.glob("spark_dl-*.whl")
    return found


def test_the_wheel_carries_the_jar_and_the_typing_marker(wheel: Path) -> None:
    assert wheel.name == "spark_dl-%s-py3-none-any.whl" % spark_dl.__version__
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert "spark_dl/jars/spark-dl-assembly-%s.jar" % spark_dl.JAR_VERSION in names
        assert {"spark_dl/py.typed", "spark_dl/__init__.py", "spark_dl/network.py"} <= names
        assert not any(n.startswith("tests/") for n in names)
        # the modules PySpark's loaders import for the Java stages; org/ and org/sparkdl/ stay namespaces
        assert {"org/sparkdl/ml/__init__.py", "org/sparkdl/ml/scoring.py"} <= names
        assert "org/__init__.py" not in names and "org/sparkdl/__init__.py" not in names
        # the MNIST sample of spark_dl.datasets, with its licence
        assert {"spark_dl/data/mnist10k/%s" % f for f in ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz", "LICENSE")} <= names
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = z.read(metadata).decode()
    assert "Name: spark-dl" in text
    assert "Provides-Extra: pyspark" in text


def test_the_wheel_installs_and_trains_in_a_fresh_virtualenv(wheel: Path, tmp_path: Path) -> None:
    # The environment reuses this interpreter's packages (PySpark is 300 MB) but not the source tree.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(tmp_path / "venv")
    python = str(tmp_path / "venv" / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, env=clean_env(), timeout=300)
    script = textwrap.dedent(
        """
        import os, spark_dl
        assert os.path.realpath(spark_dl.__file__).startswith(os.path.realpath(os.environ["VENV"])), spark_dl.__file__
        assert os.path.isfile(spark_dl.jar_path())
        from pyspark.ml.linalg import Vectors
        spark = (spark_dl.session_builder().master("local[1]").config("spark.ui.enabled", "false")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .getOrCreate())
        rows = [(float(i % 2), Vectors.dense([float(i % 2), 1.0 - i % 2])) for i in range(40)]
        df = spark.createDataFrame(rows, ["label", "features"])
        model = spark_dl.NeuralNetworkClassifier(layers=[2, 4, 2], maxEpochs=20, learningRate=0.05).fit(df)
        correct = model.transform(df).where("label = prediction").count()
        assert spark_dl.datasets.mnist(spark, "test").count() == 2000
        import org.sparkdl.ml
        assert os.path.realpath(org.sparkdl.ml.__file__).startswith(os.path.realpath(os.environ["VENV"]))
        assert org.sparkdl.ml.NeuralNetworkClassificationModel is spark_dl.NeuralNetworkClassificationModel
        print("INSTALLED-WHEEL-OK", spark_dl.__version__, correct)
        spark.stop()
        """
    )
    out = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=600, cwd=str(tmp_path),
                         env={**clean_env(), "VENV": str(tmp_path / "venv")})
    assert "INSTALLED-WHEEL-OK %s 40" % spark_dl.__version__ in out.stdout, out.stdout + out.stderr
    jar = subprocess.run([str(tmp_path / "venv" / "bin" / "spark-dl-jar")], capture_output=True, text=True,
                         env=clean_env(), check=True)
    assert jar.stdout.strip().endswith("spark-dl-assembly-%s.jar" % spark_dl.JAR_VERSION)


def test_the_example_script_compiles() -> None:
    example = PROJECT.parent / "examples" / "mnist_classifier.py"
    compile(example.read_text(), str(example), "exec")


def test_the_loader_modules_say_what_to_install_without_pyspark() -> None:
    script = "import sys; sys.modules['pyspark'] = None; import org.sparkdl.ml.scoring"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**clean_env(), "PYTHONPATH": str(PROJECT)})
    assert out.returncode == 1
    assert ("ImportError: org.sparkdl.ml is where PySpark's loaders find the spark_dl stages of a saved pipeline, and "
            "it needs PySpark 4.0.x, which is not importable here: pip install 'pyspark==4.0.1'") in out.stderr, out.stderr
