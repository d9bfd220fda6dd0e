package org.sparkdl.ml.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.util.GeneralMLWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.hadoop.AtomicDirectoryWriter;
import org.sparkdl.hadoop.HadoopFiles;
import org.sparkdl.hadoop.VersionedDirectory;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.NetworkWeights;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.param.ParamsMetadata;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.Parameter;
import org.sparkdl.nn.ParameterStore;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;

/**
 * The on-disk form of a model, a directory on any Hadoop file system:
 *
 * <ul>
 *   <li>{@code metadata/part-00000}: Spark ML's params metadata, so that {@code Pipeline.load}
 *       finds the stage's class; a copy of the current version's;
 *   <li>{@code v-<stamp>-<id>/}: the current version, written whole by one save and committed by a
 *       rename ({@link VersionedDirectory}): its own {@code metadata/} (params, provenance under
 *       {@code sparkdl}, and under {@code sparkdl.files} the length and CRC32C of each data file),
 *       {@code network.json} (the network spec) and {@code weights.safetensors} (parameters and
 *       buffers by name).
 * </ul>
 *
 * <p>A save never disturbs a reader or a crash: the new version becomes visible whole, older ones
 * and interrupted saves' leftovers are removed after it. A load takes the newest version (again,
 * if a save removes it mid-read), checks every data file's length and checksum, the spec, every
 * weight against the spec, the rules a fit enforces on the network (a classifier outputs logits),
 * and that every weight is finite ({@value #ALLOW_NON_FINITE} allows otherwise), before building
 * the model. Only regular files are read. Directories written before versions existed (files at
 * the top, no checksums) still load, with a notice. No Java serialization is involved anywhere.
 *
 * <p>Public for the model classes in {@code org.sparkdl.ml}; not meant to be called by users, whose
 * entry points are the models' {@code write()}, {@code read()} and {@code load}.
 */
public final class ModelFiles {
  static final String METADATA = "metadata";
  static final String NETWORK = "network.json";
  static final String WEIGHTS = "weights.safetensors";
  /** Spark conf that lets a model with NaN or infinite weights load (for inspection). */
  static final String ALLOW_NON_FINITE = "spark.sparkdl.load.allowNonFiniteWeights";
  private static final List<String> UNVERSIONED = List.of(NETWORK, WEIGHTS);
  private static final long MAX_TEXT_BYTES = 16L << 20;
  private static final Logger LOG = LoggerFactory.getLogger(ModelFiles.class);

  private ModelFiles() {}

  /**
   * Writes a model's directory, or with {@code format("onnx")} one ONNX file ({@link OnnxFiles}):
   * Spark's {@code GeneralMLWriter}, which finds formats other than the default {@code "internal"}
   * through {@code META-INF/services/org.apache.spark.ml.util.MLFormatRegister} (as PMML does).
   */
  public static final class Writer extends GeneralMLWriter {
    private final Params stage;
    private final ModelData data;
    private final Map<String, Object> provenance;
    private String format = "internal";

    /** A writer of {@code stage}'s params, {@code data} and {@code provenance}. */
    public Writer(PipelineStage stage, ModelData data, Map<String, Object> provenance) {
      super(stage);
      this.stage = stage;
      this.data = data;
      this.provenance = provenance;
    }

    /** Chooses the format: {@code "internal"} (the default, a model directory) or {@code "onnx"}. */
    @Override
    public GeneralMLWriter format(String source) {
      this.format = source;
      return super.format(source);
    }

    /**
     * Saves a new version; an existing model needs {@code overwrite()}, and is kept if the save
     * fails. Other formats save through Spark's format lookup.
     */
    @Override
    public void save(String path) throws IOException {
      if (!format.equalsIgnoreCase("internal")) {
        super.save(path);
        return;
      }
      Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
      String version = sparkSession().version();
      VersionedDirectory.write(conf, path, shouldOverwrite(), UNVERSIONED, (fs, dir) -> {
        String metadata = writeTo(fs, dir, version);
        // the copy Pipeline.load reads, in place before the version is committed
        Path root = dir.getParent();
        for (FileStatus f : fs.listStatus(root)) {
          String n = f.getPath().getName();
          if (n.startsWith("." + METADATA + ".tmp-") || n.startsWith("." + METADATA + ".old-")) {
            fs.delete(f.getPath(), true);   // left by an interrupted save
          }
        }
        AtomicDirectoryWriter.write(conf, new Path(root, METADATA).toString(), true,
            (f, metadataDir) -> ParamsMetadata.write(f, metadataDir, metadata));
      });
    }

    @Override
    public void saveImpl(String path) {
      if (format.equalsIgnoreCase("internal")) {
        throw new UnsupportedOperationException("ModelFiles.Writer saves through save(path), which is atomic.");
      }
      try {
        super.saveImpl(path);
      } catch (Exception e) {
        // Spark's format writers throw what they like; a checked one passes through unchanged
        throw ParamsMetadata.<RuntimeException>sneaky(e);
      }
    }

    /** Writes one version into {@code dir}; returns its metadata JSON. */
    private String writeTo(FileSystem fs, Path dir, String sparkVersion) throws IOException {
      HadoopFiles.writeUtf8(fs, new Path(dir, NETWORK), data.specJson());
      try (Network net = build(data.spec());
          OutputStream out = fs.create(new Path(dir, WEIGHTS))) {
        data.loadInto(net);
        Map<String, String> weightMeta = new LinkedHashMap<>();
        weightMeta.put("uid", stage.uid());
        NetworkWeights.write(out, net, null, weightMeta);
      }
      Map<String, Object> files = new LinkedHashMap<>();
      for (String name : UNVERSIONED) {
        // read back from the file system: what is recorded is what a reader will find
        HadoopFiles.Checksum c = HadoopFiles.checksum(fs, new Path(dir, name));
        files.put(name, Map.of("bytes", c.bytes(), "crc32c", c.crc32c()));
      }
      Map<String, Object> meta = new LinkedHashMap<>(provenance);
      meta.put("library", "spark-dl");
      meta.put("libraryVersion", ModelFiles.class.getPackage().getImplementationVersion() == null
          ? "dev" : ModelFiles.class.getPackage().getImplementationVersion());
      meta.put("files", files);
      meta.put("paramsCrc32c", paramsChecksum(ParamsMetadata.parse(ParamsMetadata.toJson(stage, sparkVersion, Map.of()),
          METADATA, stage.getClass())));
      String json = ParamsMetadata.toJson(stage, sparkVersion, meta);
      ParamsMetadata.write(fs, new Path(dir, METADATA), json);
      return json;
    }
  }

  /** What a saved model records about how it was made (Tribuo-style provenance). */
  public static Map<String, Object> provenance(org.sparkdl.ml.param.NeuralNetworkParams p, TrainingSummary summary) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backend", p.getBackend());
    m.put("seed", p.getSeed());
    m.put("optimizer", p.getOptimizer());
    if (summary != null) {
      m.put("trainingRows", summary.trainingRows());
      m.put("epochs", summary.epochs());
      m.put("rounds", summary.rounds());
      m.put("finalLoss", summary.lossHistory().isEmpty() ? null : summary.lossHistory().get(summary.epochs() - 1));
      m.put("seconds", summary.seconds());
      m.put(SummaryJson.FIELD, SummaryJson.toMap(summary));
    }
    return m;
  }

  private static Network build(NetworkSpec spec) {
    return Network.uninitialised(spec, ExecutorBackends.host(), DType.FLOAT32);
  }

  /** Reads a model's directory into a model of class {@code T}. */
  public static final class Reader<T extends Params> extends MLReader<T> {
    private final Class<T> type;
    private final BiFunction<String, ModelData, T> constructor;
    private final Consumer<NetworkSpec> specCheck;
    private final java.util.function.BiConsumer<T, TrainingSummary> summarySetter;

    /**
     * @param specCheck the rules a fit of this model's kind enforces on its network; throws {@link
     *     IllegalArgumentException} for a network the fit would refuse
     * @param summarySetter attaches the training summary saved with the model, when there is one
     */
    public Reader(Class<T> type, BiFunction<String, ModelData, T> constructor, Consumer<NetworkSpec> specCheck,
        java.util.function.BiConsumer<T, TrainingSummary> summarySetter) {
      this.type = type;
      this.constructor = constructor;
      this.specCheck = specCheck;
      this.summarySetter = summarySetter;
    }

    /**
     * Loads the model at {@code path}.
     *
     * @throws ModelFileException (an {@link IOException}, thrown unchecked) naming the file and
     *     what is wrong when the directory is incomplete, hand-edited or corrupted
     */
    @Override
    public T load(String path) {
      try {
        return loadChecked(path);
      } catch (IOException e) {
        throw ParamsMetadata.<RuntimeException>sneaky(e);
      }
    }

    private T loadChecked(String path) throws IOException {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
      FileStatus status;
      try {
        status = fs.getFileStatus(root);
      } catch (FileNotFoundException e) {
        throw new ModelFileException(path, "does not exist.");
      }
      if (!status.isDirectory()) {
        throw new ModelFileException(path, "is a file; a saved model is a directory.");
      }
      boolean allowNonFinite = Boolean.parseBoolean(sparkSession().conf().get(ALLOW_NON_FINITE, "false"));
      for (int attempt = 0; ; attempt++) {
        Path version = VersionedDirectory.newest(fs, root);
        if (version == null) {
          if (!fs.exists(new Path(root, NETWORK))) {
            if (attempt < 3) {
              // a listing taken while a save renames its version in and removes the previous one may show neither
              pause(attempt);
              continue;
            }
            if (fs.exists(new Path(root, METADATA))) {
              // another stage's directory (an estimator's, say) is named by its class
              ParamsMetadata.parse(ParamsMetadata.read(fs, new Path(root, METADATA)), METADATA, type);
            }
            throw new ModelFileException(path, "holds no complete save (a first save was interrupted?); save the model"
                + " again.");
          }
          LOG.info("{} was saved by an earlier spark-dl, without checksums of its files; saving it again records them.", path);
          return read(fs, root, false, allowNonFinite);
        }
        try {
          return read(fs, version, true, allowNonFinite);
        } catch (IOException e) {
          if (attempt < 3 && !version.equals(VersionedDirectory.newest(fs, root))) {
            pause(attempt);
            LOG.debug("{}: {} was replaced by a newer save while being read; reading that one", path, version.getName());
            continue;
          }
          throw e;
        }
      }
    }

    private T read(FileSystem fs, Path dir, boolean checksums, boolean allowNonFinite) throws IOException {
      String metadataJson = ParamsMetadata.read(fs, new Path(dir, METADATA));
      ParamsMetadata.Loaded meta = ParamsMetadata.parse(metadataJson, METADATA, type);
      JsonNode files = meta.provenance().path("files");
      if (checksums && !files.isObject()) {
        throw new ModelFileException(METADATA, "lacks the lengths and checksums of the model's files (sparkdl.files).");
      }
      if (checksums && !paramsChecksum(meta).equals(meta.provenance().path("paramsCrc32c").asText())) {
        throw new ModelFileException(METADATA, "its uid or params do not match the checksum saved with them"
            + " (sparkdl.paramsCrc32c): the file was changed or damaged after the save.");
      }
      String specText = HadoopFiles.readUtf8(fs, new Path(dir, NETWORK), MAX_TEXT_BYTES);
      if (checksums) {
        verify(files, NETWORK, HadoopFiles.checksum(specText.getBytes(StandardCharsets.UTF_8)));
      }
      NetworkSpec spec;
      try {
        spec = NetworkSpec.fromJson(specText);
        specCheck.accept(spec);
      } catch (IllegalArgumentException e) {
        throw new ModelFileException(NETWORK, e.getMessage(), e);
      }
      if (checksums) {
        verify(files, WEIGHTS, HadoopFiles.checksum(fs, new Path(dir, WEIGHTS)));
      }
      float[] weights;
      float[] buffers;
      try (Network net = build(spec); SeekableByteChannel ch = HadoopFiles.openChannel(fs, new Path(dir, WEIGHTS))) {
        NetworkWeights.read(ch, WEIGHTS, net, null);
        weights = net.parameters().values().toFloatArray();
        buffers = net.buffers().size() == 0 ? new float[0] : net.buffers().values().toFloatArray();
        if (!allowNonFinite) {
          checkFinite(weights, net.parameters());
          checkFinite(buffers, net.buffers());
        }
      }
      TrainingSummary summary = SummaryJson.read(meta.provenance(), METADATA);
      T model = constructor.apply(meta.uid(), ModelData.of(spec, weights, buffers));
      ParamsMetadata.apply(meta, model, METADATA);
      if (summary != null) {
        summarySetter.accept(model, summary);
      }
      return model;
    }
  }

  private static void pause(int attempt) throws java.io.InterruptedIOException {
    try {
      Thread.sleep(10L << attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while loading a model that a save was replacing.");
    }
  }

  /** The CRC32C of a metadata's class, uid and params, as its JSON writes them. */
  private static String paramsChecksum(ParamsMetadata.Loaded m) {
    String canonical = m.className() + "\n" + m.uid() + "\n" + m.paramMap() + "\n" + m.defaultParamMap();
    return HadoopFiles.checksum(canonical.getBytes(StandardCharsets.UTF_8)).crc32c();
  }

  /** Refuses a data file whose length or CRC32C differs from what the metadata recorded. */
  private static void verify(JsonNode files, String name, HadoopFiles.Checksum found) throws ModelFileException {
    JsonNode expected = files.path(name);
    if (!expected.path("bytes").canConvertToLong() || !expected.path("crc32c").isTextual()) {
      throw new ModelFileException(METADATA, "records no length and checksum for " + name + ".");
    }
    if (expected.path("bytes").asLong() != found.bytes() || !expected.path("crc32c").asText().equals(found.crc32c())) {
      throw new ModelFileException(name, "does not match the checksum saved with it (" + found.bytes() + " bytes, CRC32C "
          + found.crc32c() + "; saved: " + expected.path("bytes").asLong() + " bytes, CRC32C " + expected.path("crc32c")
          .asText() + "): the file was changed or damaged after the save.");
    }
  }

  /** Refuses NaN and infinite values, naming the tensor and the first bad index within it. */
  private static void checkFinite(float[] flat, ParameterStore store) throws ModelFileException {
    for (int i = 0; i < flat.length; i++) {
      if (!Float.isFinite(flat[i])) {
        for (Parameter p : store.parameters()) {
          int from = store.offset(p);
          if (i >= from && i < from + p.shape().size()) {
            throw new ModelFileException(WEIGHTS, "tensor '" + p.name() + "' holds " + flat[i] + " at index " + (i - from)
                + "; a model's weights must be finite (set " + ALLOW_NON_FINITE + "=true to load it anyway).");
          }
        }
        throw new ModelFileException(WEIGHTS, "holds " + flat[i] + " at flat index " + i + "; weights must be finite.");
      }
    }
  }
}
