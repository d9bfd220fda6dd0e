"""spark_dl.datasets: the bundled MNIST sample as a DataFrame, split as the Java examples split it."""

import gzip
from typing import Any

import numpy as np
import pytest

import spark_dl
from spark_dl import SparkDLValueError, datasets

CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]  # data/mnist10k/README.md


@pytest.fixture(scope="module")
def mnist_all(spark: Any) -> Any:
    return datasets.mnist(spark, "all").cache()


def test_mnist_has_the_estimators_columns_and_the_documented_rows(spark: Any, mnist_all: Any) -> None:
    assert [(f.name, f.dataType.typeName()) for f in mnist_all.schema.fields] == [("label", "double"),
                                                                                  ("features", "vectorudt")]
    counts = mnist_all.groupBy("label").count().orderBy("label").collect()
    assert [r["label"] for r in counts] == [float(k) for k in range(10)]
    assert [r["count"] for r in counts] == CLASS_COUNTS
    assert datasets.mnist(spark, "train").count() == 8000
    assert datasets.mnist(spark, "test").count() == 2000


def test_mnist_pixels_are_the_idx_bytes_over_255_in_file_order(spark: Any, mnist_all: Any) -> None:
    with gzip.open(datasets.mnist_dir() / "images-idx3-ubyte.gz", "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    all_rows = mnist_all.take(8001)
    first = all_rows[0].features.toArray()
    assert first.shape == (784,) and first.min() == 0.0 and first.max() == 1.0
    # pixel / 255 in float32, then widened, as Java's MnistIdx computes (raw[i] & 0xFF) / 255f
    assert first[raw[0].argmax()] == 1.0
    k = int(np.flatnonzero((raw[0] > 0) & (raw[0] < 255))[0])
    assert first[k] == float(np.float32(raw[0][k]) / np.float32(255))
    np.testing.assert_array_equal(first, raw[0].astype(np.float32) / np.float32(255))
    # the train split is the first 8000 rows, the test split the last 2000
    assert datasets.mnist(spark, "train").first() == all_rows[0]
    assert datasets.mnist(spark, "test").first() == all_rows[8000]


def test_mnist_names_the_splits_and_leaves_the_session_conf_alone(spark: Any) -> None:
    with pytest.raises(SparkDLValueError, match=r"^split must be 'train', 'test' or 'all'; found 'validation'\.$"):
        datasets.mnist(spark, "validation")
    key = "spark.sql.execution.arrow.pyspark.enabled"
    spark.conf.set(key, "false")
    try:
        assert datasets.mnist(spark, "test").count() == 2000
        assert spark.conf.get(key) == "false"
    finally:
        spark.conf.set(key, "true")


def test_the_package_carries_the_data_with_its_licence() -> None:
    folder = datasets.mnist_dir()
    assert folder == datasets._PACKAGE_DATA / "mnist10k", "Maven copies data/mnist10k into the package"
    assert "MIT License" in (folder / "LICENSE").read_text()
    assert spark_dl.datasets is datasets
