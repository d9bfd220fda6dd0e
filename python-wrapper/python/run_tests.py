"""Runs the spark_dl pytest suite for Maven's integration-test phase (``mvn verify``).

Usage: ``python3 run_tests.py [pytest arguments...]``.

The suite needs PySpark 4.0.x, pytest, numpy, pandas, pyarrow and the Spark Connect client's gRPC
libraries (grpcio, grpcio-status, googleapis-common-protos). Where one is missing, a developer's
build skips the suite with a message saying what to install; a CI build (``CI=true``) fails instead,
so that a green CI always means the Python suite ran.
"""

import importlib.util
import os
import sys

REQUIRED = ("pytest", "pyspark", "numpy", "pandas", "pyarrow", "grpc", "grpc_status", "google.rpc")
SPARK_LINE = "4.0."
INSTALL = ("python3 -m pip install 'pyspark==4.0.1' pytest pandas pyarrow numpy "
           "'grpcio==1.85.4' 'grpcio-status==1.85.3' 'googleapis-common-protos==1.76.0'")


def unavailable(reason: str) -> None:
    """Skips the suite, or fails it under CI."""
    if os.environ.get("CI", "").strip().lower() == "true":
        print("[spark-dl python tests] FAILED: %s. CI=true requires the Python suite; install with: %s"
              % (reason, INSTALL), file=sys.stderr)
        sys.exit(1)
    print("[spark-dl python tests] SKIPPED: %s. To run them: %s  (or pass -DskipPythonTests to silence this)."
          % (reason, INSTALL))
    sys.exit(0)


def main(argv: list) -> int:
    if sys.version_info < (3, 9):
        unavailable("Python %d.%d is too old (PySpark 4.0 needs 3.9+)" % sys.version_info[:2])
    missing = [m for m in REQUIRED if importlib.util.find_spec(m) is None]
    if missing:
        unavailable("Python module(s) %s not installed for %s" % (", ".join(missing), sys.executable))
    import pyspark

    if not pyspark.__version__.startswith(SPARK_LINE):
        unavailable("pyspark %s is installed; spark-dl is built for Spark %sx" % (pyspark.__version__, SPARK_LINE))
    jar = os.environ.get("SPARKDL_JAR")
    if jar and not os.path.isfile(jar):
        print("[spark-dl python tests] FAILED: the assembly jar %s is missing; run `mvn package` first." % jar,
              file=sys.stderr)
        return 1
    import pytest

    print("[spark-dl python tests] Python %s, pyspark %s, jar %s"
          % (sys.version.split()[0], pyspark.__version__, jar or "(from the package)"))
    # No .pytest_cache in the source tree.
    return int(pytest.main(["-p", "no:cacheprovider", *argv]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
