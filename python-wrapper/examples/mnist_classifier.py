# Databricks notebook source
# MNIST with spark-dl from PySpark, notebook style: paste the cells into a Databricks or EMR notebook,
# or run the whole file with `python mnist_classifier.py [DATA_DIR]` (or spark-submit, see below).
#
# Attaching the library (it must be on the driver's classpath before the JVM starts):
#   * Databricks: install the spark-dl wheel AND spark-dl-assembly-<version>.jar as cluster libraries
#     (Compute > your cluster > Libraries), then restart the cluster. The notebook's `spark` has the jar.
#   * EMR: upload the jar to S3 and add it to the step (--jars s3://bucket/spark-dl-assembly-<version>.jar)
#     or to spark-defaults (spark.jars); pip install the wheel in a bootstrap action.
#   * spark-submit / pyspark anywhere: --jars "$(python -m spark_dl --jar)"
#   * Plain Python (this file): spark_dl.session_builder() adds the jar the wheel carries.
#
# Data: the IDX files of MNIST (images-idx3-ubyte.gz, labels-idx1-ubyte.gz) in DATA_DIR/mnist10k;
# the repository ships a 10,000-digit sample in data/mnist10k. On Databricks, copy them to a volume
# or DBFS and set DATA_DIR to a local path of it (/Volumes/... or /dbfs/...).

# COMMAND ----------

import gzip
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark.ml.functions import array_to_vector
from pyspark.sql import SparkSession

import spark_dl
from spark_dl import Network, NeuralNetworkClassificationModel, NeuralNetworkClassifier


def default_data_dir() -> str:
    """DATA_DIR from the command line or the environment, else data/ of the repository."""
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("SPARKDL_DATA_DIR"):
        return os.environ["SPARKDL_DATA_DIR"]
    here = Path(__file__).resolve() if "__file__" in globals() else Path.cwd()
    for folder in [here, *here.parents]:
        if (folder / "data" / "mnist10k").is_dir():
            return str(folder / "data")
    return "data"


DATA_DIR = default_data_dir()

# COMMAND ----------

# The session. In a notebook `spark` already exists (with the jar attached to the cluster), and
# that one is used; run as a script, this starts a local one with the jar of the wheel.
spark = SparkSession.getActiveSession() or spark_dl.session_builder().appName("spark-dl MNIST").getOrCreate()
spark_dl.check_session()  # a clear error here if the jar is missing or of another version
print("spark-dl", spark_dl.__version__, "on Spark", spark.version)

# COMMAND ----------


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (optionally gzipped) as a numpy array."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


folder = Path(DATA_DIR) / "mnist10k"
pixels = read_idx(folder / "images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
labels = read_idx(folder / "labels-idx1-ubyte.gz").astype(np.float64)


# Arrow moves the numpy rows to the JVM in bulk (Databricks turns it on by default).
spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")


def to_frame(x: np.ndarray, y: np.ndarray):
    """label double, features vector: the columns the estimator reads by default."""
    pdf = pd.DataFrame({"label": y, "pixels": list(x.astype(np.float64))})
    return spark.createDataFrame(pdf).select("label", array_to_vector("pixels").alias("features"))


# The sample's convention: the first 8000 rows train, the last 2000 test.
train = to_frame(pixels[:8000], labels[:8000]).repartition(2).cache()
test = to_frame(pixels[8000:], labels[8000:]).cache()
print(train.count(), "training rows,", test.count(), "test rows")

# COMMAND ----------

# A 784-128-10 MLP, Adam, trained data-parallel: each round the executors compute gradients on their
# partitions, Spark sums them with treeAggregate, and the driver takes one optimizer step.
clf = NeuralNetworkClassifier(layers=[784, 128, 10], maxEpochs=20, batchSize=64, learningRate=1e-3, seed=42)
model = clf.fit(train)
print(model)
print(model.summary)

# COMMAND ----------

scored = model.transform(test).select("label", "probability", "prediction").toPandas()
accuracy = (scored["label"] == scored["prediction"]).mean()
print("test accuracy: %.2f%%" % (100 * accuracy))
print(pd.crosstab(scored["label"].astype(int), scored["prediction"].astype(int), rownames=["label"],
                  colnames=["predicted"]))

# COMMAND ----------

# The loss per epoch (a list), and a plot of it when matplotlib is installed (in a notebook, the
# figure shows under the cell; as a script it is written to a PNG).
print("loss per epoch:", [round(v, 4) for v in model.summary.lossHistory])
try:
    ax = model.summary.plot()
    ax.figure.savefig("mnist_loss.png", dpi=100)
    print("wrote mnist_loss.png")
except ImportError as e:
    print(e)

# COMMAND ----------

# Any network the spec can describe: here a wider hidden layer with dropout, built in Python. The JSON
# it produces is the one the Java and Scala APIs read.
net = (Network.builder()
       .input("features", 784)
       .dense(256, init="he_uniform").relu().dropout(0.2)
       .dense(10)
       .build())
print(net.to_json())
dropout_model = NeuralNetworkClassifier(network=net, maxEpochs=5, learningRate=1e-3).fit(train)
print("dropout network, 5 epochs: %.2f%%" % (
    100 * dropout_model.transform(test).where("label = prediction").count() / test.count()))

# COMMAND ----------

# Save to any Hadoop file system (dbfs:/, s3a://, hdfs://, a local path) and load it back; Java and
# Scala load the same directory with NeuralNetworkClassificationModel.load(path).
path = os.environ.get("SPARKDL_MODEL_PATH", "/tmp/spark-dl-mnist-model")
model.write().overwrite().save(path)
loaded = NeuralNetworkClassificationModel.load(path)
same = loaded.transform(test).where("label = prediction").count() / test.count()
print("reloaded from %s: %.2f%%" % (path, 100 * same))
