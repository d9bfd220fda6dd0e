package org.sparkdl.ml.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.testkit.SharedSpark;

/** Saving and loading models: exact round trips, atomic overwrites, and clear errors for damaged directories. */
@ExtendWith(SharedSpark.class)
class ModelFilesTest {

  static String uri(Path p) {
    return p.toUri().toString();
  }

  /** A classifier with some params set, so a round trip has something to keep. */
  static NeuralNetworkClassificationModel configured() {
    NeuralNetworkClassificationModel m = ScoringFixtures.classifier("nnClf_saved", 4, 8, 3);
    ParamMap extra = new ParamMap().put(m.seed(), 7L).put(m.backend(), "cpu").put(m.layers(), new int[] {4, 8, 3})
        .put(m.learningRate(), 0.05);
    return m.copy(extra).setPredictionCol("pred").setThresholds(new double[] {0.3, 0.3, 0.4});
  }

  /** The files under {@code dir} that Hadoop's listings show (no checksums, no hidden names), relative. */
  static List<String> visibleFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
          .filter(p -> Stream.of(p.split("/")).noneMatch(part -> part.startsWith("."))).sorted().toList();
    }
  }

  /** Replaces a saved file's content as a hand edit would, dropping Hadoop's checksum of it. */
  static void edit(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  /** The one committed version folder of a saved model. */
  static Path version(Path model) throws IOException {
    try (Stream<Path> s = Files.list(model)) {
      List<Path> versions = s.filter(p -> p.getFileName().toString().startsWith("v-")).toList();
      assertEquals(1, versions.size(), "versions in " + model + ": " + versions);
      return versions.get(0);
    }
  }

  /** A copy of the model saved by spark-dl before saves were versioned (files at the top, no checksums). */
  static Path legacyCopy(Path dir) throws IOException {
    Path from = Path.of("src/test/resources/models/classifier-0.1.0");
    Path to = dir.resolve("legacy");
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
    return to;
  }

  static List<String> siblings(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.getParent())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void assertSameParams(org.apache.spark.ml.param.Params expected, org.apache.spark.ml.param.Params actual) {
    for (Param<?> p : expected.params()) {
      Param<Object> q = actual.getParam(p.name());
      assertEquals(expected.isSet(p), actual.isSet(q), "whether " + p.name() + " is set");
      assertEquals(expected.isDefined(p), actual.isDefined(q), "whether " + p.name() + " is defined");
      if (expected.isDefined(p)) {
        assertTrue(Objects.deepEquals(expected.getOrDefault(p), actual.getOrDefault(q)), p.name());
      }
    }
  }

  @Test
  void aClassifierLoadsBackWithItsUidParamsAndBitIdenticalPredictions(SparkSession spark, @TempDir Path dir)
      throws IOException {
    NeuralNetworkClassificationModel model = configured();
    Path path = dir.resolve("model");
    model.write().save(uri(path));
    String v = version(path).getFileName().toString();
    assertEquals(List.of("metadata/_SUCCESS", "metadata/part-00000", v + "/metadata/_SUCCESS", v + "/metadata/part-00000",
        v + "/network.json", v + "/weights.safetensors"), visibleFiles(path));
    assertEquals(List.of("model"), siblings(path), "no temporary directory is left behind");

    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(uri(path));
    assertEquals("nnClf_saved", loaded.uid());
    assertSameParams(model, loaded);
    assertArrayEquals(model.weights(), loaded.weights());
    assertEquals(model.spec(), loaded.spec());
    assertFalse(loaded.hasSummary());

    Dataset<Row> data = ScoringFixtures.frame(spark, 150, 4, 2);
    List<Row> before = model.transform(data).orderBy("id").collectAsList();
    List<Row> after = loaded.transform(data).orderBy("id").collectAsList();
    assertEquals(before, after);
    assertEquals(List.of("id", "features", "rawPrediction", "probability", "pred"), List.of(loaded.transform(data).columns()));
  }

  @Test
  void aRegressorWithVectorOutputLoadsBack(SparkSession spark, @TempDir Path dir) throws IOException {
    NeuralNetworkRegressionModel model = ScoringFixtures.regressor("nnReg_saved", 4, 6, 2).setFeaturesCol("x");
    model.write().save(uri(dir.resolve("reg")));
    NeuralNetworkRegressionModel loaded = NeuralNetworkRegressionModel.load(uri(dir.resolve("reg")));
    assertEquals("nnReg_saved", loaded.uid());
    assertEquals("x", loaded.getFeaturesCol());
    assertEquals(2, loaded.numOutputs());
    Dataset<Row> data = ScoringFixtures.frame(spark, 40, 4, 2).withColumnRenamed("features", "x");
    assertEquals(model.transform(data).orderBy("id").collectAsList(), loaded.transform(data).orderBy("id").collectAsList());
  }

  @Test
  void overwriteReplacesTheSavedModel(@TempDir Path dir) throws IOException {
    String path = uri(dir.resolve("m"));
    ScoringFixtures.classifier("first", 4, 8, 3).write().save(path);
    NeuralNetworkClassificationModel second = new NeuralNetworkClassificationModel("second", NetworkSpec.mlp(new int[] {4, 5, 2}, "tanh"),
        ScoringFixtures.weights(NetworkSpec.mlp(new int[] {4, 5, 2}, "tanh"), 3));
    second.write().overwrite().save(path);
    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(path);
    assertEquals("second", loaded.uid());
    assertEquals(2, loaded.numClasses());
    assertArrayEquals(second.weights(), loaded.weights());
    assertEquals(List.of("m"), siblings(dir.resolve("m")));
  }

  @Test
  void savingOverAnExistingModelWithoutOverwriteFailsAndKeepsIt(@TempDir Path dir) throws IOException {
    String path = uri(dir.resolve("m"));
    NeuralNetworkClassificationModel first = ScoringFixtures.classifier("first", 4, 8, 3);
    first.write().save(path);
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> ScoringFixtures.classifier("second", 4, 8, 3).write().save(path));
    assertEquals("Path " + path + " already exists. To overwrite it, please use write.overwrite().save(path) for Scala"
        + " and use write().overwrite().save(path) for Java and Python.", e.getMessage());
    NeuralNetworkClassificationModel kept = NeuralNetworkClassificationModel.load(path);
    assertEquals("first", kept.uid());
    assertArrayEquals(first.weights(), kept.weights());
  }

  @Test
  void aSaveThatFailsHalfWayLeavesNothingOrThePreviousModel(@TempDir Path dir) throws IOException {
    // weights that do not fit the network fail the save after metadata and network.json are written
    NeuralNetworkClassificationModel broken = new NeuralNetworkClassificationModel("broken",
        NetworkSpec.mlp(new int[] {4, 8, 3}, "relu"), new float[5]);
    Path fresh = dir.resolve("fresh");
    assertThrows(RuntimeException.class, () -> broken.write().save(uri(fresh)));
    assertEquals(List.of(), siblings(fresh), "nothing at the destination, no temporary directory");

    Path existing = dir.resolve("existing");
    NeuralNetworkClassificationModel good = ScoringFixtures.classifier("good", 4, 8, 3);
    good.write().save(uri(existing));
    assertThrows(RuntimeException.class, () -> broken.write().overwrite().save(uri(existing)));
    assertEquals(List.of("existing"), siblings(existing));
    assertArrayEquals(good.weights(), NeuralNetworkClassificationModel.load(uri(existing)).weights());
  }

  @Test
  void aTruncatedOrFlippedWeightsFileFailsItsChecksum(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("m");
    ScoringFixtures.classifier("m", 4, 8, 3).write().save(uri(path));
    Path weights = version(path).resolve("weights.safetensors");
    Files.deleteIfExists(weights.resolveSibling(".weights.safetensors.crc"));
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 20] ^= 0x01;   // one bit of one weight
    Files.write(weights, bytes);
    ModelFileException e = assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path)));
    assertEquals("weights.safetensors", e.fileName());
    assertTrue(e.getMessage().startsWith("weights.safetensors: does not match the checksum saved with it (" + bytes.length
        + " bytes, CRC32C "), e.getMessage());
    assertTrue(e.getMessage().endsWith("): the file was changed or damaged after the save."), e.getMessage());
    try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
      ch.truncate(bytes.length - 40);
    }
    assertTrue(assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage()
        .startsWith("weights.safetensors: does not match the checksum saved with it (" + (bytes.length - 40) + " bytes"));
  }

  @Test
  void theTrainingSummaryIsSavedWithTheModelAndLoadsBackEqual(@TempDir Path dir) throws IOException {
    TrainingSummary summary = new TrainingSummary(List.of(0.9, 0.4), List.of(1.0, 0.5), List.of(0.5, 0.75), "accuracy", 6, 90,
        List.of(0.5, 1.0), 1.25, 2, false, List.of("a warning"), List.of(Double.NaN, 0.8),
        org.apache.spark.ml.linalg.Matrices.dense(3, 3, new double[] {3, 0, 1, 1, 2, 0, 0, 1, 4}), "validation");
    NeuralNetworkClassificationModel model = configured().setSummary(summary);
    Path path = dir.resolve("model");
    model.write().save(uri(path));
    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(uri(path));
    assertEquals(summary, loaded.summary(), "NaN (an accuracy a resumed fit lacks) is saved as null and read back as NaN");
    assertEquals(1, loaded.summary().confusionMatrix().apply(0, 1), 0);

    Path metadata = version(path).resolve("metadata/part-00000");
    edit(metadata, Files.readString(metadata).replace("\"rows\":3", "\"rows\":2"));
    assertEquals("metadata: its training summary (sparkdl.summary) is malformed: sparkdl.summary.confusionMatrix declares 2"
        + " x 3 but holds 9 values.", assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(
            uri(path))).getMessage());
  }

  @Test
  void aModelSavedBeforeVersionsLoadsWithIdenticalPredictionsAndIsStillChecked(SparkSession spark, @TempDir Path dir)
      throws IOException {
    Path legacy = legacyCopy(dir);
    NeuralNetworkClassificationModel loaded = NeuralNetworkClassificationModel.load(uri(legacy));
    NeuralNetworkClassificationModel expected = configured();
    assertEquals("nnClf_saved", loaded.uid());
    assertSameParams(expected, loaded);
    assertArrayEquals(expected.weights(), loaded.weights());
    assertFalse(loaded.hasSummary(), "saved before training summaries were saved");
    Dataset<Row> data = ScoringFixtures.frame(spark, 60, 4, 2);
    assertEquals(expected.transform(data).orderBy("id").collectAsList(), loaded.transform(data).orderBy("id").collectAsList());

    // saving over it needs overwrite, then replaces its files with a version
    assertThrows(FileAlreadyExistsException.class, () -> loaded.write().save(uri(legacy)));
    loaded.write().overwrite().save(uri(legacy));
    String v = version(legacy).getFileName().toString();
    assertEquals(List.of("metadata/_SUCCESS", "metadata/part-00000", v + "/metadata/_SUCCESS", v + "/metadata/part-00000",
        v + "/network.json", v + "/weights.safetensors"), visibleFiles(legacy));
    assertArrayEquals(expected.weights(), NeuralNetworkClassificationModel.load(uri(legacy)).weights());
  }

  @Test
  void aClassifierNetworkEditedToEndInSoftmaxIsRefusedAsTheFitRefusesIt(@TempDir Path dir) throws IOException {
    Path legacy = legacyCopy(dir);
    Path network = legacy.resolve("network.json");
    String json = Files.readString(network);
    String softmax = json.replaceFirst("\\]\\s*,\\s*\"outputs\"", ", {\"type\": \"activation\", \"name\": \"sm\","
        + " \"function\": \"softmax\"} ], \"outputs\"").replaceFirst("\"outputs\" : \\[ \"dense_2\" \\]",
        "\"outputs\" : [ \"sm\" ]");
    assertTrue(softmax.contains("\"sm\""), softmax);
    edit(network, softmax);
    assertEquals("network.json: The network ends in softmax (layer 'sm'); a classifier's network must output logits. Remove"
        + " that layer: the classifier applies softmax itself.", assertThrows(ModelFileException.class,
            () -> NeuralNetworkClassificationModel.load(uri(legacy))).getMessage());
  }

  @Test
  void nonFiniteWeightsAreRefusedNamingTheTensorUnlessAllowed(SparkSession spark, @TempDir Path dir) throws IOException {
    NetworkSpec spec = NetworkSpec.mlp(new int[] {4, 8, 3}, "relu");
    float[] w = ScoringFixtures.weights(spec, 11);
    w[4 * 8 + 3] = Float.NaN;   // dense_1's bias, index 3
    Path path = dir.resolve("nan");
    new NeuralNetworkClassificationModel("nan", spec, w).write().save(uri(path));
    ModelFileException e = assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path)));
    assertEquals("weights.safetensors: tensor 'dense_1.bias' holds NaN at index 3; a model's weights must be finite (set"
        + " spark.sparkdl.load.allowNonFiniteWeights=true to load it anyway).", e.getMessage());
    spark.conf().set(ModelFiles.ALLOW_NON_FINITE, "true");
    try {
      assertTrue(Float.isNaN(NeuralNetworkClassificationModel.load(uri(path)).weights()[4 * 8 + 3]));
    } finally {
      spark.conf().unset(ModelFiles.ALLOW_NON_FINITE);
    }
  }

  @Test
  void aPipeInPlaceOfAFileIsRefusedAtOnce(@TempDir Path dir) throws Exception {
    Path legacy = legacyCopy(dir);
    Files.delete(legacy.resolve("network.json"));
    Process mkfifo = new ProcessBuilder("mkfifo", legacy.resolve("network.json").toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is available");
    ModelFileException e = assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(legacy)));
    assertEquals("file:" + legacy + "/network.json: is not a regular file (a pipe, device or socket); refusing to read it.",
        e.getMessage());
  }

  @Test
  void theNextSaveRemovesOlderVersionsAndInterruptedSaves(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("m");
    ScoringFixtures.classifier("first", 4, 8, 3).write().save(uri(path));
    Path first = version(path);
    // what a save killed before its commit leaves: a hidden version folder, and an older metadata swap
    Files.createDirectories(path.resolve(".tmp-v-000000000000001-dead0000/metadata"));
    Files.createDirectories(path.resolve(".metadata.old-1234"));
    ScoringFixtures.classifier("second", 4, 8, 3).write().overwrite().save(uri(path));
    Path second = version(path);
    assertTrue(second.getFileName().toString().compareTo(first.getFileName().toString()) > 0);
    try (Stream<Path> s = Files.list(path)) {
      assertEquals(List.of("metadata", second.getFileName().toString()),
          s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList());
    }
    assertEquals("second", NeuralNetworkClassificationModel.load(uri(path)).uid());
  }

  @Test
  void readersDuringOverwritesSeeOneWholeSaveEveryTime(@TempDir Path dir) throws Exception {
    String path = uri(dir.resolve("m"));
    NeuralNetworkClassificationModel a = ScoringFixtures.classifier("a", 4, 8, 3);
    NetworkSpec other = NetworkSpec.mlp(new int[] {4, 8, 3}, "relu");
    NeuralNetworkClassificationModel b = new NeuralNetworkClassificationModel("b", other, ScoringFixtures.weights(other, 99));
    a.write().save(path);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> writerFailure = new java.util.concurrent.atomic.AtomicReference<>();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 40; i++) {
          (i % 2 == 0 ? b : a).write().overwrite().save(path);
        }
      } catch (Throwable t) {
        writerFailure.set(t);
      } finally {
        done.set(true);
      }
    });
    writer.start();
    int loads = 0;
    while (!done.get() || loads == 0) {
      NeuralNetworkClassificationModel m = NeuralNetworkClassificationModel.load(path);
      float[] expected = m.uid().equals("a") ? a.weights() : b.weights();
      assertArrayEquals(expected, m.weights(), "load " + loads + " mixes saves: uid " + m.uid());
      loads++;
    }
    writer.join();
    assertEquals(null, writerFailure.get());
    assertTrue(loads > 5, "loads during the overwrites: " + loads);
  }

  @Test
  void aNetworkEditedToAnotherWidthIsReportedByName(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("m");
    ScoringFixtures.classifier("m", 4, 8, 3).write().save(uri(path));
    Path network = version(path).resolve("network.json");
    String json = Files.readString(network);
    assertTrue(json.contains("\"units\" : 8"), json);
    edit(network, json.replace("\"units\" : 8", "\"units\" : 9"));
    assertTrue(assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage()
        .startsWith("network.json: does not match the checksum saved with it"));
    // without checksums (a model saved before they were recorded), the weights' shapes catch it
    Path legacy = legacyCopy(dir);
    Path legacyNetwork = legacy.resolve("network.json");
    edit(legacyNetwork, Files.readString(legacyNetwork).replace("\"units\" : 8", "\"units\" : 9"));
    assertEquals("weights.safetensors: 'dense_1.weight' has shape [8, 4]; the network expects [9, 4].",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(legacy))).getMessage());
  }

  @Test
  void aMissingOrDamagedMetadataDirectoryIsReportedByName(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("m");
    ScoringFixtures.classifier("m", 4, 8, 3).write().save(uri(path));
    Path part = version(path).resolve("metadata/part-00000");
    String metadata = Files.readString(part);

    edit(part, "{\"class\": \"org.sparkdl.ml.NeuralNetworkClassificationModel\", \"uid\": ");
    assertEquals("metadata: is not valid JSON (Unexpected end-of-input within/between Object entries).",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage());

    edit(part, metadata.replace("\"learningRate\":0.003", "\"learningRate\":0.004"));
    assertEquals("metadata: its uid or params do not match the checksum saved with them (sparkdl.paramsCrc32c): the file"
        + " was changed or damaged after the save.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage());

    // without checksums (saved before they were recorded) each param is still checked
    Path legacyPart = legacyCopy(dir).resolve("metadata/part-00000");
    String legacyMetadata = Files.readString(legacyPart);
    edit(legacyPart, legacyMetadata.replace("\"learningRate\":0.003", "\"learningRate\":-1.0"));
    assertEquals("metadata: param 'learningRate' has the invalid value -1.0.", assertThrows(ModelFileException.class,
        () -> NeuralNetworkClassificationModel.load(uri(legacyPart.getParent().getParent()))).getMessage());
    edit(legacyPart, legacyMetadata.replace("\"defaultParamMap\":{", "\"defaultParamMap\":{\"dropout\":0.5,"));
    assertEquals("metadata: sets param 'dropout', which NeuralNetworkClassificationModel does not have.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(legacyPart.getParent()
            .getParent()))).getMessage());

    assertEquals("metadata: describes a org.sparkdl.ml.NeuralNetworkClassificationModel; expected"
        + " org.sparkdl.ml.NeuralNetworkRegressionModel.", assertThrows(ModelFileException.class, () -> {
          edit(part, metadata);
          NeuralNetworkRegressionModel.load(uri(path));
        }).getMessage());

    try (Stream<Path> files = Files.walk(version(path).resolve("metadata"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertEquals("file:" + version(path) + "/metadata: does not exist; a saved stage directory holds metadata/.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage());
  }

  @Test
  void aMissingNetworkOrDirectoryIsReportedByName(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("m");
    ScoringFixtures.classifier("m", 4, 8, 3).write().save(uri(path));
    Path v = version(path);
    Files.delete(v.resolve("network.json"));
    Files.deleteIfExists(v.resolve(".network.json.crc"));
    assertEquals("file:" + v + "/network.json: does not exist.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(uri(path))).getMessage());
    String nowhere = uri(dir.resolve("nowhere"));
    assertEquals(nowhere + ": does not exist.",
        assertThrows(ModelFileException.class, () -> NeuralNetworkClassificationModel.load(nowhere)).getMessage());
  }
}
