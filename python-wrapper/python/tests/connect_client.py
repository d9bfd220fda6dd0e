"""A Spark Connect client run in its own Python process by ``test_connect.py``: it never starts a JVM,
so everything it does goes through the Connect server named by its argument. Prints one JSON line of
what it saw."""

import json
import sys
import tempfile

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import StandardScaler
from pyspark.sql import SparkSession

import spark_dl
from conftest import blobs


def main(url: str, saved_classic: str) -> None:
    spark = SparkSession.builder.remote(url).getOrCreate()
    out = {"remote": type(spark).__module__}
    frame = blobs(spark, n=90)
    model = spark_dl.NeuralNetworkClassifier(layers=[4, 8, 3], maxEpochs=2, batchSize=16, seed=5).fit(frame)
    out["epochs"] = model.summary.epochs
    out["hasSummary"] = model.hasSummary
    out["layers"] = model.describe()
    out["numClasses"] = model.numClasses
    raw = [list(r[0].toArray()) for r in model.transform(frame).select("rawPrediction").collect()]
    with tempfile.TemporaryDirectory() as tmp:
        model.write().overwrite().save(tmp + "/m")
        loaded = spark_dl.NeuralNetworkClassificationModel.load(tmp + "/m")
        out["same_after_load"] = raw == [list(r[0].toArray()) for r in loaded.transform(frame).select("rawPrediction").collect()]
        pipeline = Pipeline(stages=[StandardScaler(inputCol="features", outputCol="s"),
                                    spark_dl.NeuralNetworkClassifier(featuresCol="s", layers=[4, 4, 3], maxEpochs=1)])
        pipeline.fit(frame).write().overwrite().save(tmp + "/p")
        out["pipeline_stages"] = [type(s).__name__ for s in PipelineModel.load(tmp + "/p").stages]
    classic = spark_dl.NeuralNetworkClassificationModel.load(saved_classic)
    test = spark.read.parquet(saved_classic + "-input")
    out["classic_raw"] = [list(r[0].toArray()) for r in classic.transform(test).select("rawPrediction").collect()]
    try:
        spark_dl.Network.mlp([4, 8, 3]).describe()
    except spark_dl.SparkDLConnectError as e:
        out["describe_error"] = str(e)
    print("RESULT " + json.dumps(out))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
