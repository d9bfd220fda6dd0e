"""One SparkSession for the whole run: local[2], UI off, on loopback, with the library jar.

The same JVM also serves Spark Connect (Spark's Connect plugin on a free port), so that
``mode_spark`` can give each two-mode test a classic session or a Connect client session without
starting a second JVM: that is what ``SparkSession.builder.remote("local[2]")`` does too (a
classic session with the plugin, and a client talking to it). PySpark decides per process whether
it is a Connect client (``SPARK_CONNECT_MODE_ENABLED``), so ``mode_spark`` sets that for the
Connect half of a test and takes it away after.
"""

import os
import socket
import sys
from pathlib import Path
from typing import Any, Iterator, List

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark")

from pyspark.ml.linalg import Vectors  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402

import spark_dl  # noqa: E402

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("spark-dl python tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
        .config("spark.connect.grpc.binding.address", "127.0.0.1")
        .config("spark.connect.grpc.binding.port", str(CONNECT_PORT))
    )
    session = spark_dl.session_builder(builder).getOrCreate()
    # Expected failures in the error tests would otherwise print Java stack traces.
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CONNECT_PORT = free_port()


def connect_available() -> bool:
    try:
        from pyspark.sql.connect.utils import check_dependencies

        check_dependencies("pyspark.sql.connect")
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def connect_session(spark: SparkSession) -> Iterator[Any]:
    """A Spark Connect client session on the test JVM (see the module doc)."""
    if not connect_available():
        pytest.skip("the Spark Connect client needs pandas, pyarrow, grpcio, grpcio-status and "
                    "googleapis-common-protos (pip install 'spark-dl[connect]')")
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    try:
        session = ConnectSession.builder.remote("sc://127.0.0.1:%d" % CONNECT_PORT).getOrCreate()
    finally:
        del os.environ["SPARK_CONNECT_MODE_ENABLED"]
    yield session
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    try:
        session.client.close()
    finally:
        del os.environ["SPARK_CONNECT_MODE_ENABLED"]


@pytest.fixture(params=["classic", "connect"])
def mode_spark(request: Any, spark: SparkSession) -> Iterator[Any]:
    """The classic session, then a Spark Connect client session: a test taking it runs in both modes."""
    if request.param == "classic":
        yield spark
        return
    session = request.getfixturevalue("connect_session")
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    try:
        yield session
    finally:
        del os.environ["SPARK_CONNECT_MODE_ENABLED"]


@pytest.fixture(scope="session")
def jvm(spark: SparkSession) -> object:
    """The session's JVM view, for comparing with the Java library."""
    return spark.sparkContext._jvm


@pytest.fixture(scope="session")
def gateway(spark: SparkSession) -> object:
    return spark.sparkContext._gateway


def blobs(spark: SparkSession, n: int = 300, seed: int = 1, partitions: int = 2) -> DataFrame:
    """Three Gaussian blobs in 4 dimensions, labels 0..2 (label double, features vector)."""
    rng = np.random.default_rng(seed)
    centers = np.array([[2.0, 0, 0, 1], [0, 2, 1, 0], [-2, -2, 0, 0]])
    rows = [(float(i % 3), Vectors.dense(centers[i % 3] + 0.5 * rng.standard_normal(4))) for i in range(n)]
    return spark.createDataFrame(rows, ["label", "features"]).repartition(partitions)


def linear(spark: SparkSession, n: int = 300, seed: int = 2, outputs: int = 1) -> DataFrame:
    """y = x . w + 0.5 (+ small noise) in 3 dimensions; a vector target when outputs > 1."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 3))
    w = np.array([[1.5, -2.0], [0.5, 1.0], [-1.0, 0.25]])[:, :outputs]
    y = x @ w + 0.5 + 0.01 * rng.standard_normal((n, outputs))
    if outputs == 1:
        rows: List[tuple] = [(float(y[i, 0]), Vectors.dense(x[i])) for i in range(n)]
    else:
        rows = [(Vectors.dense(y[i]), Vectors.dense(x[i])) for i in range(n)]
    return spark.createDataFrame(rows, ["label", "features"]).repartition(2)


def bars(n: int, seed: int, side: int, margin: int) -> List[tuple]:
    """``n`` noisy ``side`` x ``side`` images as ``side * side`` features: class 0 a vertical bar, class 1 a
    horizontal one, at least ``margin`` pixels from the border."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        image = 0.1 * rng.standard_normal((side, side))
        at = rng.integers(margin, side - margin)
        if i % 2 == 0:
            image[:, at] += 1.0
        else:
            image[at, :] += 1.0
        rows.append((float(i % 2), Vectors.dense(image.ravel())))
    return rows


def fit_network(spark: SparkSession, network: "spark_dl.Network", rows: List[tuple],
                epochs: int) -> "spark_dl.NeuralNetworkClassificationModel":
    """A classifier of ``network`` fitted on ``rows`` (label, features) in 2 partitions: batches of 16,
    learning rate 0.01, seed 7."""
    frame = spark.createDataFrame(rows, ["label", "features"]).repartition(2).cache()
    clf = spark_dl.NeuralNetworkClassifier(network=network, maxEpochs=epochs, batchSize=16, learningRate=0.01,
                                           seed=7)
    return clf.fit(frame)


def scored(spark: SparkSession, model: "spark_dl.NeuralNetworkClassificationModel", rows: List[tuple]) -> Any:
    """The label, raw prediction and prediction of ``model`` on ``rows``, as pandas."""
    unseen = spark.createDataFrame(rows, ["label", "features"])
    return model.transform(unseen).select("label", "rawPrediction", "prediction").toPandas()


@pytest.fixture(scope="session")
def blob_frame(spark: SparkSession) -> DataFrame:
    return blobs(spark).cache()


@pytest.fixture(scope="session")
def blob_model(blob_frame: DataFrame) -> "spark_dl.NeuralNetworkClassificationModel":
    """A small classifier fitted once and shared by the tests that only read it."""
    return spark_dl.NeuralNetworkClassifier(layers=[4, 16, 3], maxEpochs=5, batchSize=32, learningRate=0.01).fit(blob_frame)
