package org.sparkdl.it

import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._
import scala.util.Random

import org.apache.spark.ml.{Pipeline, PipelineModel}
import org.apache.spark.ml.feature.{StringIndexer, VectorAssembler}
import org.apache.spark.ml.param.ParamMap
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite
import org.sparkdl.ml.NeuralNetworkClassifier
import org.sparkdl.ml.NeuralNetworkClassificationModel

/** The estimators as a Scala user writes them: fluent setters, fit, transform, a Pipeline, save and load. */
class ScalaApiSuite extends AnyFunSuite with BeforeAndAfterAll {
  private var spark: SparkSession = _
  private val work = Paths.get(sys.props.getOrElse("it.work.dir", "target/it-work"), "scala-api").toAbsolutePath

  override def beforeAll(): Unit = {
    Files.createDirectories(work)
    spark = SparkSession.builder()
      .master("local[2]")
      .appName("scala-api-suite")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.shuffle.partitions", "4")
      .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString)
      .getOrCreate()
  }

  override def afterAll(): Unit = if (spark != null) spark.stop()

  /** Three Gaussian blobs in four numeric columns, labelled by name. */
  private def irisLike(n: Int): DataFrame = {
    val s = spark
    import s.implicits._
    val centres = Map("setosa" -> Seq(2.0, 0.0, 0.0, 1.0), "versicolor" -> Seq(0.0, 2.0, 1.0, 0.0),
      "virginica" -> Seq(-2.0, -2.0, 0.0, 0.0))
    val names = centres.keys.toIndexedSeq.sorted
    val r = new Random(7)
    (0 until n).map { i =>
      val c = centres(names(i % 3)).map(_ + 0.5 * r.nextGaussian())
      (names(i % 3), c(0), c(1), c(2), c(3))
    }.toDF("species", "a", "b", "c", "d").repartition(2)
  }

  private def classifier = new NeuralNetworkClassifier()
    .setLayers(4, 8, 3)
    .setMaxEpochs(3)
    .setBatchSize(16)
    .setLearningRate(0.05)

  private def features(df: DataFrame): DataFrame = {
    val indexed = new StringIndexer().setInputCol("species").setOutputCol("label").fit(df).transform(df)
    new VectorAssembler().setInputCols(Array("a", "b", "c", "d")).setOutputCol("features").transform(indexed)
  }

  test("fit and transform, with the setters' own type kept through the chain") {
    val data = features(irisLike(300)).cache()
    val model: NeuralNetworkClassificationModel = classifier.fit(data)
    assert(model.numClasses == 3 && model.numFeatures == 4)
    assert(model.summary.epochs == 3)
    val losses = model.summary.lossHistory.asScala.map(_.doubleValue)
    assert(losses.last < losses.head, s"losses $losses")

    val scored = model.transform(data)
    assert(scored.columns.toSeq.takeRight(3) == Seq("rawPrediction", "probability", "prediction"))
    val accuracy = scored.where("prediction = label").count().toDouble / scored.count()
    assert(accuracy > 0.9, s"accuracy $accuracy")
  }

  test("params: getters, explainParams, copy with a ParamMap") {
    val clf = classifier
    assert(clf.getMaxEpochs == 3)
    assert(clf.getLayers.toSeq == Seq(4, 8, 3))
    assert(clf.explainParams().contains("maxEpochs"))
    val copied = clf.copy(ParamMap(clf.maxEpochs -> 5))
    assert(copied.getMaxEpochs == 5 && clf.getMaxEpochs == 3 && copied.uid == clf.uid)
  }

  test("a Pipeline with the classifier fits, saves, loads and scores the same") {
    val df = irisLike(300)
    val pipeline = new Pipeline().setStages(Array(
      new StringIndexer().setInputCol("species").setOutputCol("label"),
      new VectorAssembler().setInputCols(Array("a", "b", "c", "d")).setOutputCol("features"),
      classifier))
    val fitted = pipeline.fit(df)
    val path = work.resolve("pipeline-model").toString
    fitted.write.overwrite().save(path)
    val loaded = PipelineModel.load(path)
    assert(loaded.stages.last.isInstanceOf[NeuralNetworkClassificationModel])
    val before = fitted.transform(df).select("prediction").collect().toSeq
    val after = loaded.transform(df).select("prediction").collect().toSeq
    assert(before == after)

    val unfitted = work.resolve("pipeline").toString
    pipeline.write.overwrite().save(unfitted)
    val again = Pipeline.load(unfitted)
    val clf = again.getStages.last.asInstanceOf[NeuralNetworkClassifier]
    assert(clf.getMaxEpochs == 3 && clf.getLayers.toSeq == Seq(4, 8, 3))
  }

  test("a fitted model saves and loads on its own") {
    val data = features(irisLike(150))
    val model = classifier.fit(data)
    val path = work.resolve("model").toString
    model.write.overwrite().save(path)
    val loaded = NeuralNetworkClassificationModel.load(path)
    assert(loaded.uid == model.uid)
    assert(loaded.weights.toSeq == model.weights.toSeq)
    assert(loaded.hasSummary && loaded.summary == model.summary)
  }
}
