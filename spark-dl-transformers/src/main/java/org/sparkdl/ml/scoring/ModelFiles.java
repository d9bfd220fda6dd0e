package org.sparkdl.ml.scoring;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparkdl.hadoop.AtomicDirectoryWriter;
import org.sparkdl.hadoop.HadoopFiles;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.NetworkWeights;
import org.sparkdl.ml.executor.ExecutorBackends;
import org.sparkdl.ml.param.ParamsMetadata;
import org.sparkdl.nn.Network;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.SpecException;
import org.sparkdl.tensor.DType;

/**
 * The on-disk form of a model, a directory on any Hadoop file system:
 *
 * <ul>
 *   <li>{@code metadata/part-00000}: Spark ML's params metadata (so {@code Pipeline.load} finds the
 *       stage), with provenance under {@code sparkdl};
 *   <li>{@code network.json}: the network spec;
 *   <li>{@code weights.safetensors}: the parameters and buffers (batch normalisation's running
 *       statistics), by name.
 * </ul>
 *
 * <p>Saving is atomic: everything is written to a hidden sibling directory and renamed into place,
 * so a failed save leaves nothing (or the previous model, when overwriting). Loading validates the
 * metadata, the spec and every weight against the spec before building the model. No Java
 * serialization is involved anywhere.
 */
final class ModelFiles {
  static final String METADATA = "metadata";
  static final String NETWORK = "network.json";
  static final String WEIGHTS = "weights.safetensors";
  private static final long MAX_TEXT_BYTES = 16L << 20;

  private ModelFiles() {}

  /** Writes a model's directory. */
  static final class Writer extends MLWriter {
    private final Params stage;
    private final ModelData data;
    private final Map<String, Object> provenance;

    Writer(Params stage, ModelData data, Map<String, Object> provenance) {
      this.stage = stage;
      this.data = data;
      this.provenance = provenance;
    }

    /** Saves atomically; an existing path needs {@code overwrite()}, and is kept if the save fails. */
    @Override
    public void save(String path) throws IOException {
      Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
      String version = sparkSession().version();
      AtomicDirectoryWriter.write(conf, path, shouldOverwrite(), (fs, dir) -> writeTo(fs, dir, version));
    }

    @Override
    public void saveImpl(String path) {
      throw new UnsupportedOperationException("ModelFiles.Writer saves through save(path), which is atomic.");
    }

    private void writeTo(FileSystem fs, Path dir, String sparkVersion) throws IOException {
      Map<String, Object> meta = new LinkedHashMap<>(provenance);
      meta.put("library", "spark-dl");
      meta.put("libraryVersion", ModelFiles.class.getPackage().getImplementationVersion() == null
          ? "dev" : ModelFiles.class.getPackage().getImplementationVersion());
      ParamsMetadata.write(fs, new Path(dir, METADATA), ParamsMetadata.toJson(stage, sparkVersion, meta));
      HadoopFiles.writeUtf8(fs, new Path(dir, NETWORK), data.specJson());
      try (Network net = build(data.spec());
          OutputStream out = fs.create(new Path(dir, WEIGHTS))) {
        data.loadInto(net);
        Map<String, String> weightMeta = new LinkedHashMap<>();
        weightMeta.put("uid", stage.uid());
        NetworkWeights.write(out, net, null, weightMeta);
      }
    }
  }

  /** What a saved model records about how it was made (Tribuo-style provenance). */
  static Map<String, Object> provenance(org.sparkdl.ml.param.NeuralNetworkParams p, TrainingSummary summary) {
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
    }
    return m;
  }

  private static Network build(NetworkSpec spec) {
    return Network.uninitialised(spec, ExecutorBackends.host(), DType.FLOAT32);
  }

  /** Reads a model's directory into a model of class {@code T}. */
  static final class Reader<T extends Params> extends MLReader<T> {
    private final Class<T> type;
    private final BiFunction<String, ModelData, T> constructor;

    Reader(Class<T> type, BiFunction<String, ModelData, T> constructor) {
      this.type = type;
      this.constructor = constructor;
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
      if (!fs.exists(root)) {
        throw new ModelFileException(path, "does not exist.");
      }
      String metadataJson = ParamsMetadata.read(fs, new Path(root, METADATA));
      ParamsMetadata.Loaded meta = ParamsMetadata.parse(metadataJson, METADATA, type);
      NetworkSpec spec;
      try {
        spec = NetworkSpec.fromJson(HadoopFiles.readUtf8(fs, new Path(root, NETWORK), MAX_TEXT_BYTES));
      } catch (SpecException e) {
        throw new ModelFileException(NETWORK, e.getMessage(), e);
      }
      float[] weights;
      float[] buffers;
      try (Network net = build(spec); SeekableByteChannel ch = HadoopFiles.openChannel(fs, new Path(root, WEIGHTS))) {
        NetworkWeights.read(ch, WEIGHTS, net, null);
        weights = net.parameters().values().toFloatArray();
        buffers = net.buffers().size() == 0 ? new float[0] : net.buffers().values().toFloatArray();
      }
      T model = constructor.apply(meta.uid(), ModelData.of(spec, weights, buffers));
      ParamsMetadata.apply(meta, model, METADATA);
      return model;
    }
  }
}
