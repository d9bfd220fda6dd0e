package org.sparkdl.ml;

import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparkdl.hadoop.AtomicDirectoryWriter;
import org.sparkdl.ml.param.ParamsMetadata;

/**
 * Saved estimators: only Spark ML's params metadata ({@code metadata/part-00000}), written
 * atomically, so that estimators inside a saved {@code Pipeline} or {@code CrossValidator} load
 * back with their params.
 */
final class EstimatorFiles {
  private EstimatorFiles() {}

  static final class Writer extends MLWriter {
    private final Params stage;

    Writer(Params stage) {
      this.stage = stage;
    }

    @Override
    public void save(String path) throws IOException {
      String json = ParamsMetadata.toJson(stage, sparkSession().version(), Map.of("library", "spark-dl"));
      AtomicDirectoryWriter.write(sparkSession().sparkContext().hadoopConfiguration(), path, shouldOverwrite(), (fs, dir) -> {
        ParamsMetadata.write(fs, new Path(dir, "metadata"), json);
      });
    }

    @Override
    public void saveImpl(String path) {
      throw new UnsupportedOperationException("EstimatorFiles.Writer saves through save(path), which is atomic.");
    }
  }

  static final class Reader<T extends Params> extends MLReader<T> {
    private final Class<T> type;
    private final Function<String, T> constructor;

    Reader(Class<T> type, Function<String, T> constructor) {
      this.type = type;
      this.constructor = constructor;
    }

    /** Loads the estimator; throws {@code ModelFileException} (unchecked) for a malformed directory. */
    @Override
    public T load(String path) {
      try {
        Path root = new Path(path);
        FileSystem fs = root.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        String json = ParamsMetadata.read(fs, new Path(root, "metadata"));
        ParamsMetadata.Loaded meta = ParamsMetadata.parse(json, "metadata", type);
        T stage = constructor.apply(meta.uid());
        ParamsMetadata.apply(meta, stage, "metadata");
        return stage;
      } catch (IOException e) {
        throw ParamsMetadata.<RuntimeException>sneaky(e);
      }
    }
  }
}
