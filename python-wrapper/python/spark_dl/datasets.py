"""Small datasets to start from, as Spark DataFrames in the columns the estimators read by default.

The wheel carries them (``spark_dl/data``), so they load on a machine with nothing but the package::

    train = spark_dl.datasets.mnist(spark, "train")     # 8,000 digits: label double, features Vector(784)
    test = spark_dl.datasets.mnist(spark, "test")       # the other 2,000
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING, Tuple

import numpy as np

from spark_dl.errors import SparkDLSetupError, SparkDLValueError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["mnist", "mnist_dir"]

_PACKAGE_DATA = Path(__file__).resolve().parent / "data"
_MNIST_FILES = ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz")
_MNIST_SPLITS = {"train": slice(0, 8000), "test": slice(8000, 10000), "all": slice(0, 10000)}


def mnist_dir() -> Path:
    """The folder holding the MNIST sample's IDX files: the package's own copy, else (in a source
    checkout not yet built with Maven) ``data/mnist10k`` of the repository.

    Raises:
        SparkDLSetupError: neither has the files.
    """
    candidates = [_PACKAGE_DATA / "mnist10k"]
    candidates += [p / "data" / "mnist10k" for p in Path(__file__).resolve().parents]
    for folder in candidates:
        if all((folder / f).is_file() for f in _MNIST_FILES):
            return folder
    raise SparkDLSetupError(
        "The MNIST sample (%s) is not in %s. In a source checkout, build the package with "
        "`mvn -B package -pl python-wrapper -am -DskipTests` (Maven copies data/mnist10k there); "
        "otherwise reinstall the spark-dl wheel." % (", ".join(_MNIST_FILES), _PACKAGE_DATA / "mnist10k")
    )


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """A gzipped IDX file: a big-endian magic number (2051 images, 2049 labels), one int32 size per
    dimension, then one unsigned byte per value."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise SparkDLSetupError("%s: magic number %d, expected %d (not an IDX file of this kind)." % (path, found, magic))
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _mnist_arrays() -> Tuple[np.ndarray, np.ndarray]:
    """Pixels ``[10000, 784]`` as float32 ``pixel / 255`` (as the Java examples compute them) and
    labels ``[10000]`` as float64."""
    folder = mnist_dir()
    images = _read_idx(folder / _MNIST_FILES[0], 2051).reshape(-1, 784)
    labels = _read_idx(folder / _MNIST_FILES[1], 2049)
    return images.astype(np.float32) / np.float32(255), labels.astype(np.float64)


def mnist(spark: "SparkSession", split: str = "train") -> "DataFrame":
    """The bundled MNIST sample: 10,000 real handwritten digits, 28 x 28 grey-scale, labels 0-9.

    The rows are shuffled once, with a fixed seed; by the convention of the project's examples,
    tests and benchmarks (and Java's ``MnistIdx``) the first 8,000 are the training set and the
    last 2,000 the test set. Source: the ``mnist`` npm package 1.1.0, MIT License (the ``LICENSE``
    file beside the data, in ``mnist_dir()``).

    Args:
        spark: the session to create the DataFrame in.
        split: ``"train"`` (8,000 rows), ``"test"`` (2,000) or ``"all"`` (10,000), in file order.

    Returns:
        A DataFrame ``label double, features vector``: the class 0-9, and the 784 pixels row by row,
        each ``pixel / 255`` in ``[0, 1]`` computed in float32 as the Java reader computes it. The
        rows travel to the JVM as one Arrow stream of float32 (31 MB for all), split into
        ``spark.defaultParallelism`` partitions; nothing is added to task closures.

    Raises:
        SparkDLValueError: an unknown ``split``.
        SparkDLSetupError: the data files are missing.
    """
    if split not in _MNIST_SPLITS:
        raise SparkDLValueError("split must be 'train', 'test' or 'all'; found %r." % (split,))
    import pandas as pd
    from pyspark.ml.functions import array_to_vector

    pixels, labels = _mnist_arrays()
    rows = _MNIST_SPLITS[split]
    frame = pd.DataFrame({"label": labels[rows], "pixels": list(pixels[rows])})
    # Arrow moves the numpy rows in bulk; without it PySpark would pickle 784 floats a row.
    key = "spark.sql.execution.arrow.pyspark.enabled"
    before = spark.conf.get(key, None)
    spark.conf.set(key, "true")
    try:
        created = spark.createDataFrame(frame)
    finally:
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)
    return created.select("label", array_to_vector("pixels").alias("features"))
