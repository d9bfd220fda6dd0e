package org.sparkdl.ml.scoring;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.util.MLFormatRegister;
import org.apache.spark.sql.SparkSession;
import org.sparkdl.hadoop.HadoopFiles;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.ml.NetworkModel;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.ml.param.NeuralNetworkParams;
import org.sparkdl.onnx.OnnxExporter;
import org.sparkdl.onnx.OnnxExporter.Kind;
import org.sparkdl.onnx.OnnxExporter.Output;
import org.sparkdl.onnx.OnnxImporter;
import org.sparkdl.onnx.OnnxNetwork;
import scala.collection.mutable.Map;

/**
 * Models as ONNX files on any Hadoop file system.
 *
 * <p>Writing ({@code model.write().format("onnx").save(path)}) puts one file at {@code path}: the
 * network as standard ONNX operators at opset {@value OnnxExporter#OPSET}, its input named after the
 * model's features column ({@code [N, width]} floats, normalised per channel inside the graph when
 * the model normalises its input), its outputs after the model's output columns: a classifier's
 * {@code rawPrediction} (logits), {@code probability} (their softmax) and {@code prediction} (the
 * most probable class, a double), each left out when its column name is empty; a regressor's {@code
 * prediction}. The file appears whole or not at all (written beside it, then renamed).
 *
 * <p>Reading ({@code NeuralNetworkClassificationModel.loadOnnx(path)}, or of the regressor) turns
 * an ONNX file into a network of this library's layers ({@link OnnxImporter}); tensors kept in
 * external files are read from files of the model's folder only.
 */
public final class OnnxFiles {
  /** Largest ONNX file read: protobuf messages stop at 2 GiB; bigger models keep their tensors outside. */
  static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

  private OnnxFiles() {}

  /** The ONNX model of {@code stage}, a spark-dl model. */
  static byte[] export(PipelineStage stage) {
    if (!(stage instanceof NetworkModel model) || !(stage instanceof NeuralNetworkParams params)) {
      throw new IllegalArgumentException("Only spark-dl models are written as ONNX here; found " + stage.getClass().getName()
          + ".");
    }
    model.modelData().requireNetwork(model.uid());
    List<Output> outputs = new ArrayList<>();
    if (stage instanceof NeuralNetworkClassificationModel c) {
      if (c.isDefined(c.thresholds())) {
        throw new IllegalArgumentException("Model " + c.uid() + " has thresholds set; the ONNX graph's prediction is the"
            + " most probable class. Clear thresholds (or set predictionCol to '') before writing it as ONNX.");
      }
      addIfNamed(outputs, c.getRawPredictionCol(), Kind.RAW);
      addIfNamed(outputs, c.getProbabilityCol(), Kind.SOFTMAX);
      addIfNamed(outputs, c.getPredictionCol(), Kind.ARGMAX);
    } else if (stage instanceof NeuralNetworkRegressionModel r) {
      addIfNamed(outputs, r.getPredictionCol(), r.numOutputs() == 1 ? Kind.SCALAR : Kind.RAW);
    }
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("Model " + model.uid() + " names no output column; nothing to write as ONNX.");
    }
    OnnxNetwork network = new OnnxNetwork(model.spec(), model.modelData().weights(), model.modelData().buffers());
    String version = OnnxFiles.class.getPackage().getImplementationVersion();
    return OnnxExporter.export(network, new OnnxExporter.Options((String) params.getOrDefault(params.getParam("featuresCol")), floats(params.getChannelMean()),
        floats(params.getChannelStd()), outputs), version == null ? "dev" : version).toByteArray();
  }

  private static void addIfNamed(List<Output> outputs, String column, Kind kind) {
    if (!column.isEmpty()) {
      outputs.add(new Output(column, kind));
    }
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /** Writes {@code bytes} to {@code path} whole: to a hidden file beside it, then renamed into place. */
  static void write(Configuration conf, String path, byte[] bytes) throws IOException {
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
    try {
      try (OutputStream out = fs.create(tmp, false)) {
        out.write(bytes);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("Could not rename " + tmp + " to " + target + ".");
      }
    } finally {
      fs.delete(tmp, false);
    }
  }

  /**
   * Imports the ONNX file at {@code path} (any Hadoop file system), with tensors kept in external
   * files read from its folder.
   *
   * @throws ModelFileException for a malformed file, or one holding nodes this library cannot express
   */
  public static OnnxImporter.Imported read(Configuration conf, String path, OnnxImporter.Options options)
      throws IOException {
    Path file = new Path(path);
    FileSystem fs = file.getFileSystem(conf);
    byte[] bytes;
    try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, file)) {
      bytes = readAll(ch, path, ch.size(), 0);
    }
    Path folder = file.getParent();
    return OnnxImporter.read(bytes, file.getName(), (location, offset, length) -> {
      Path data = new Path(folder, location);
      try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, data)) {
        if (offset > ch.size() || length > ch.size() - offset) {
          throw new ModelFileException(location, "has " + ch.size() + " bytes; the model reads " + length + " at offset "
              + offset + ".");
        }
        return ByteBuffer.wrap(readAll(ch, location, length, offset));
      }
    }, options);
  }

  private static byte[] readAll(SeekableByteChannel ch, String name, long length, long offset) throws IOException {
    if (length > MAX_MODEL_BYTES) {
      throw new ModelFileException(name, length + " bytes; at most " + MAX_MODEL_BYTES + " are read into one piece.");
    }
    ByteBuffer b = ByteBuffer.allocate((int) length);
    ch.position(offset);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new ModelFileException(name, "ended after " + b.position() + " of " + length + " bytes.");
      }
    }
    return b.array();
  }

  /**
   * The {@code "onnx"} format of {@code GeneralMLWriter} for one model class; registered under
   * {@code META-INF/services/org.apache.spark.ml.util.MLFormatRegister}.
   */
  abstract static class Format implements MLFormatRegister {
    @Override
    public String format() {
      return "onnx";
    }

    @Override
    public void write(String path, SparkSession session, Map<String, String> optionMap, PipelineStage stage) {
      try {
        OnnxFiles.write(session.sparkContext().hadoopConfiguration(), path, export(stage));
      } catch (IOException e) {
        throw org.sparkdl.ml.param.ParamsMetadata.<RuntimeException>sneaky(e);
      }
    }
  }

  /** {@code write().format("onnx")} of {@link NeuralNetworkClassificationModel}. */
  public static final class ClassificationFormat extends Format {
    @Override
    public String stageName() {
      return NeuralNetworkClassificationModel.class.getName();
    }
  }

  /** {@code write().format("onnx")} of {@link NeuralNetworkRegressionModel}. */
  public static final class RegressionFormat extends Format {
    @Override
    public String stageName() {
      return NeuralNetworkRegressionModel.class.getName();
    }
  }
}
