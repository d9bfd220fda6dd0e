package org.sparkdl.ml.scoring;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkdl.ml.NeuralNetworkClassificationModel;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.ml.param.ParamsMetadata;

/**
 * Batch scoring as a {@code spark-submit} application: reads a saved model and a dataset (Parquet,
 * CSV, or images through Spark's image source) from any Hadoop file system, scores it on the
 * executors, and writes Parquet through Spark's output committer. If the job fails, nothing is left
 * at an output path that did not exist before it.
 *
 * <p>The model is a saved {@code NeuralNetworkClassificationModel} or {@code
 * NeuralNetworkRegressionModel}, or a saved {@code PipelineModel} holding one of them, with any
 * Spark ML stages before it (e.g. {@code StringIndexer}, {@code VectorAssembler}, {@code
 * StandardScaler}) and after it (e.g. {@code IndexToString}). A pipeline transforms the rows with
 * all its stages; the written rows hold the input columns, the spark-dl model's prediction columns
 * and the columns that stages after it add (an {@code IndexToString}'s original labels), but not
 * the intermediate columns of the stages before it. A pipeline's stages name their own columns,
 * so {@code --features-col} and {@code --assemble}, which set the columns of a bare model, are
 * refused for a pipeline: put a {@code VectorAssembler} in the pipeline instead.
 *
 * <pre>
 * spark-submit --class org.sparkdl.ml.scoring.BatchScoringJob spark-dl-assembly.jar \
 *   --model hdfs:///models/mnist --input hdfs:///data/digits.parquet --output hdfs:///scores/digits
 * </pre>
 */
public final class BatchScoringJob {
  static final String USAGE = String.join("\n",
      "Usage: spark-submit --class org.sparkdl.ml.scoring.BatchScoringJob <spark-dl jar> [options]",
      "",
      "Scores a dataset with a saved spark-dl model and writes Parquet.",
      "",
      "Required:",
      "  --model PATH          saved NeuralNetworkClassificationModel or NeuralNetworkRegressionModel, or a",
      "                        saved PipelineModel holding one (its other stages run too; the output keeps",
      "                        the input columns, the predictions and what stages after the model add,",
      "                        e.g. IndexToString's labels), or an .onnx file (imported into spark-dl's",
      "                        layers; see --onnx-task)",
      "  --input PATH          the data to score",
      "  --output PATH         where to write the scored rows (Parquet)",
      "Options:",
      "  --format FMT          parquet (default), csv, or image (Spark's image source; each image is",
      "                        decoded to the model's [channels, height, width] input, RGB in [0, 1])",
      "  --features-col NAME   the features column (default: the model's featuresCol; not for a pipeline,",
      "                        whose stages name their own columns)",
      "  --assemble C1,C2,...  build the features vector from these numeric columns (e.g. for CSV; not for",
      "                        a pipeline: put a VectorAssembler in it)",
      "  --keep COLS           comma-separated input columns to keep in the output (default: all but",
      "                        the features)",
      "  --mode MODE           errorifexists (default) or overwrite",
      "  --partitions N        repartition the input to N partitions before scoring",
      "  --csv-header BOOL     whether CSV files have a header line (default true)",
      "  --onnx-task TASK      what an .onnx --model is: classification (default; rawPrediction,",
      "                        probability, prediction) or regression (prediction)",
      "  --verbose             keep Spark's INFO logs (by default only warnings and a one-line summary)",
      "  --help                print this message");

  private BatchScoringJob() {}

  public static void main(String[] args) {
    Map<String, String> opts;
    try {
      opts = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println();
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (opts.containsKey("help")) {
      System.out.println(USAGE);
      return;
    }
    SparkSession.Builder builder = SparkSession.builder().appName("spark-dl batch scoring");
    if (!opts.containsKey("verbose") && !new SparkConf().contains("spark.log.level")) {
      builder.config("spark.log.level", "WARN"); // from the context's start, unlike setLogLevel after it
    }
    SparkSession spark = builder.getOrCreate();
    long started = System.nanoTime();
    long rows = run(spark, opts, System.out);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT, "Scored %,d rows in %.1f s (%,.0f rows/s) into %s%n", rows, seconds,
        rows / Math.max(seconds, 1e-9), opts.get("output"));
  }

  /** Parses {@code --name value} options; {@code --help} takes no value. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> known = List.of("model", "input", "output", "format", "features-col", "assemble", "keep", "mode",
        "partitions", "csv-header", "verbose", "help", "onnx-task");
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'; options start with --.");
      }
      String name = args[i].substring(2);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("Unknown option --" + name + ".");
      }
      if (name.equals("help") || name.equals("verbose")) {
        m.put(name, "true");
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("Option --" + name + " needs a value.");
      }
      m.put(name, args[++i]);
    }
    if (!m.containsKey("help")) {
      for (String required : List.of("model", "input", "output")) {
        if (!m.containsKey(required)) {
          throw new IllegalArgumentException("Missing required option --" + required + ".");
        }
      }
      String mode = m.getOrDefault("mode", "errorifexists");
      if (!mode.equals("errorifexists") && !mode.equals("overwrite")) {
        throw new IllegalArgumentException("--mode must be errorifexists or overwrite; found '" + mode + "'.");
      }
      String format = m.getOrDefault("format", "parquet");
      if (!List.of("parquet", "csv", "image").contains(format)) {
        throw new IllegalArgumentException("--format must be parquet, csv or image; found '" + format + "'.");
      }
    }
    return m;
  }

  /** Scores and writes; returns the number of rows written. */
  static long run(SparkSession spark, Map<String, String> opts, PrintStream log) {
    String task = opts.getOrDefault("onnx-task", "classification");
    if (!task.equals("classification") && !task.equals("regression")) {
      throw new IllegalArgumentException("--onnx-task must be classification or regression; found '" + task + "'.");
    }
    SavedModel saved = SavedModel.load(spark, opts.get("model"), task.equals("regression"));
    saved.check(opts);
    String features = opts.getOrDefault("features-col", saved.featuresCol());
    Dataset<Row> input = read(spark, opts, features);
    if (opts.containsKey("assemble")) {
      input = new VectorAssembler().setInputCols(opts.get("assemble").split(",")).setOutputCol(features).transform(input);
    }
    if (opts.containsKey("partitions")) {
      input = input.repartition(Integer.parseInt(opts.get("partitions")));
    }
    if (!saved.isPipeline()) {
      saved.model().set(saved.model().getParam("featuresCol"), features);
    }
    Dataset<Row> scored = saved.transformer().transform(input);
    List<String> inputCols = Arrays.asList(input.columns());
    List<String> kept = opts.containsKey("keep") ? Arrays.asList(opts.get("keep").split(","))
        : inputCols.stream().filter(c -> !c.equals(features) && !c.equals("image")).toList();
    List<String> intermediate = saved.columnsAddedBeforeModel(input.schema());
    List<Column> keep = new ArrayList<>();
    kept.forEach(c -> keep.add(functions.col(c)));
    for (String c : scored.columns()) {
      if (!inputCols.contains(c) && !intermediate.contains(c)) {
        keep.add(functions.col(c));
      }
    }
    Dataset<Row> out = scored.select(keep.toArray(new Column[0]));
    write(spark, out, opts);
    long rows = spark.read().parquet(opts.get("output")).count();
    log.printf(Locale.ROOT, "Model %s (%s), input %s (%s)%n", opts.get("model"), saved.describe(), opts.get("input"),
        opts.getOrDefault("format", "parquet"));
    return rows;
  }

  /**
   * Writes through Spark's committer; if the write fails and the output path did not exist before,
   * removes what the failed job left there (Spark's committer removes its temporary files but may
   * leave the output folder itself).
   */
  private static void write(SparkSession spark, Dataset<Row> out, Map<String, String> opts) {
    Path output = new Path(opts.get("output"));
    FileSystem fs;
    boolean existed;
    try {
      fs = output.getFileSystem(spark.sparkContext().hadoopConfiguration());
      existed = fs.exists(output);
    } catch (IOException e) {
      throw ParamsMetadata.<RuntimeException>sneaky(e);
    }
    try {
      out.write().mode(opts.getOrDefault("mode", "errorifexists")).parquet(output.toString());
    } catch (Exception e) { // Spark throws its checked SparkException undeclared
      if (!existed) {
        try {
          fs.delete(output, true);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw ParamsMetadata.<RuntimeException>sneaky(e);
    }
  }

  private static Dataset<Row> read(SparkSession spark, Map<String, String> opts, String featuresCol) {
    String path = opts.get("input");
    return switch (opts.getOrDefault("format", "parquet")) {
      case "csv" -> spark.read().option("header", opts.getOrDefault("csv-header", "true")).option("inferSchema", "true").csv(path);
      case "image" -> ImageFeatures.toFeatures(spark.read().format("image").load(path), featuresCol);
      default -> spark.read().parquet(path);
    };
  }
}
