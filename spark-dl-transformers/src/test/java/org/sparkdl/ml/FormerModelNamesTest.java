package org.sparkdl.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.testkit.SharedSpark;

/**
 * The models now live beside the estimators in {@code org.sparkdl.ml}; what was saved under their
 * former names ({@code org.sparkdl.ml.scoring.*}) still loads, alone and inside a pipeline. The
 * fixture is a PipelineModel (StringIndexer, VectorAssembler, a fitted classifier, IndexToString)
 * saved by the code before the move.
 */
@ExtendWith(SharedSpark.class)
class FormerModelNamesTest {
  private static final Path FIXTURE = Path.of("src/test/resources/models/pipeline-0.1.0");

  private static Dataset<Row> animals(SparkSession spark) {
    StructType schema = new StructType().add("animal", DataTypes.StringType).add("x1", DataTypes.DoubleType)
        .add("x2", DataTypes.DoubleType);
    return spark.createDataFrame(List.of(RowFactory.create("cat", 0.0, 1.0), RowFactory.create("dog", 1.1, 0.0),
        RowFactory.create("cat", 0.2, 1.0), RowFactory.create("dog", 1.0, 0.0)), schema);
  }

  private static Path stageDir(Path pipeline, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(pipeline.resolve("stages"))) {
      return s.filter(p -> p.getFileName().toString().contains(suffix)).findFirst().orElseThrow();
    }
  }

  private static String metadataClass(Path stage) throws IOException {
    try (Stream<Path> s = Files.list(stage.resolve("metadata"))) {
      Path part = s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      return new ObjectMapper().readTree(Files.readString(part)).path("class").asText();
    }
  }

  @Test
  void aPipelineSavedUnderTheFormerNamesLoadsAndScores(SparkSession spark, @TempDir Path dir) throws IOException {
    Path stage = stageDir(FIXTURE, "NeuralNetworkClassifier");
    assertEquals("org.sparkdl.ml.scoring.NeuralNetworkClassificationModel", metadataClass(stage), "the fixture");
    PipelineModel pipeline = PipelineModel.load(FIXTURE.toString());
    Transformer model = pipeline.stages()[2];
    NeuralNetworkClassificationModel loaded = assertInstanceOf(NeuralNetworkClassificationModel.class, model);
    List<Row> out = pipeline.transform(animals(spark)).select("animal", "predictedAnimal").collectAsList();
    assertEquals(4, out.size());
    for (Row r : out) {
      assertEquals(r.getString(0), r.getString(1), "the fixture separates cats from dogs: " + out);
    }

    // the model alone, by today's name and by the former one, which is kept for such saves
    assertArrayEquals(loaded.weights(), NeuralNetworkClassificationModel.load(stage.toString()).weights());
    @SuppressWarnings("deprecation")
    NeuralNetworkClassificationModel former = org.sparkdl.ml.scoring.NeuralNetworkClassificationModel.load(stage.toString());
    assertArrayEquals(loaded.weights(), former.weights());

    // saved again, it records today's name
    Path again = dir.resolve("again");
    pipeline.write().save(again.toString());
    assertEquals(NeuralNetworkClassificationModel.class.getName(), metadataClass(stageDir(again, "NeuralNetworkClassifier")));
    assertArrayEquals(loaded.weights(), ((NeuralNetworkClassificationModel) PipelineModel.load(again.toString())
        .stages()[2]).weights());
  }
}
