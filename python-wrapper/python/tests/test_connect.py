"""spark_dl against a Spark Connect server in its own process, started from the PySpark
distribution's ``spark-submit`` with the library jar on ``--jars``, and a client process with no
JVM of its own."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

import spark_dl
from conftest import blobs, connect_available, free_port

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory: Any) -> Iterator[str]:
    """``sc://127.0.0.1:<port>`` of a Connect server process, killed at teardown."""
    if not connect_available():
        pytest.skip("the Spark Connect client needs grpcio, grpcio-status and googleapis-common-protos "
                    "(pip install 'spark-dl[connect]')")
    import pyspark

    submit = Path(pyspark.__file__).resolve().parent / "bin" / "spark-submit"
    port = free_port()
    log = tmp_path_factory.mktemp("connect-server") / "server.log"
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    command = [str(submit), "--master", "local[2]", "--driver-memory", "2g",
               "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
               "--jars", spark_dl.jar_path(),
               "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
               "--conf", "spark.connect.grpc.binding.port=%d" % port,
               "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4",
               "spark-internal"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.time() + 180
        while True:
            if server.poll() is not None:
                pytest.fail("The Connect server exited with %s:\n%s" % (server.returncode, log.read_text()[-3000:]))
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.time() > deadline:
                pytest.fail("The Connect server did not listen on %d in 180 s:\n%s" % (port, log.read_text()[-3000:]))
            time.sleep(0.5)
        yield "sc://127.0.0.1:%d" % port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_a_client_process_without_a_jvm_fits_scores_saves_and_loads(
        connect_server: str, spark: Any, tmp_path: Path) -> None:
    # a model saved by classic PySpark, for the client to load over Connect
    saved = str(tmp_path / "classic-model")
    model = spark_dl.NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=2).fit(blobs(spark, n=90))
    model.write().overwrite().save(saved)
    test = blobs(spark, n=20, seed=6)
    test.write.mode("overwrite").parquet(saved + "-input")
    expected = [list(r[0].toArray()) for r in model.transform(spark.read.parquet(saved + "-input"))
                .select("rawPrediction").collect()]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]), SPARK_DL_PROGRESS="0")
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)

    done = subprocess.run([sys.executable, str(HERE / "connect_client.py"), connect_server, saved],
                          capture_output=True, text=True, env=env, timeout=300)

    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-5000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["remote"] == "pyspark.sql.connect.session"
    assert out["epochs"] == 2 and out["hasSummary"] and out["numClasses"] == 3
    assert "dense" in out["layers"]
    assert out["same_after_load"]
    assert out["pipeline_stages"] == ["StandardScalerModel", "NeuralNetworkClassificationModel"]
    np.testing.assert_array_equal(np.array(out["classic_raw"]), np.array(expected))
    assert "Spark Connect client cannot reach" in out["describe_error"]
