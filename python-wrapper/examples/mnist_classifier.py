# Databricks notebook source
# MNIST with spark-dl from PySpark, notebook style: paste the cells into a Databricks or EMR notebook,
# or run the whole file with `python mnist_classifier.py` (or spark-submit, see below).
#
# Attaching the library (it must be on the driver's classpath before the JVM starts):
#   * Databricks: install the spark-dl wheel AND spark-dl-assembly-<version>.jar as cluster libraries
#     (Compute > your cluster > Libraries), then restart the cluster. The notebook's `spark` has the jar.
#   * EMR: upload the jar to S3 and add it to the step (--jars s3://bucket/spark-dl-assembly-<version>.jar)
#     or to spark-defaults (spark.jars); pip install the wheel in a bootstrap action.
#   * spark-submit / pyspark anywhere: --jars "$(python -m spark_dl --jar)"
#   * Plain Python (this file): spark_dl.session_builder() adds the jar the wheel carries.
#
# Data: spark_dl.datasets.mnist reads the 10,000-digit MNIST sample the wheel carries (IDX files, MIT
# licence) on the driver and hands it to Spark through Arrow; nothing to download or copy.

# COMMAND ----------

import os

import pandas as pd
from pyspark.sql import SparkSession

import spark_dl
from spark_dl import Network, NeuralNetworkClassificationModel, NeuralNetworkClassifier

# COMMAND ----------

# The session. In a notebook `spark` already exists (with the jar attached to the cluster), and
# that one is used; run as a script, this starts a local one with the jar of the wheel.
spark = SparkSession.getActiveSession() or spark_dl.session_builder().appName("spark-dl MNIST").getOrCreate()
spark_dl.check_session()  # a clear error here if the jar is missing or of another version
print("spark-dl", spark_dl.__version__, "on Spark", spark.version)

# COMMAND ----------

# The sample's convention: the first 8000 rows train, the last 2000 test (label double, features vector:
# the columns the estimator reads by default).
train = spark_dl.datasets.mnist(spark, "train").repartition(2).cache()
test = spark_dl.datasets.mnist(spark, "test").cache()
print(train.count(), "training rows,", test.count(), "test rows")

# COMMAND ----------

# A 784-128-10 MLP, Adam, trained data-parallel: one Spark barrier stage whose tasks, one per partition,
# sum their gradients every step and all apply the same optimizer step.
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
