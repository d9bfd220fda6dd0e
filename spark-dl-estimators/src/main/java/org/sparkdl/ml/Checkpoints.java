package org.sparkdl.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.hadoop.AtomicDirectoryWriter;
import org.sparkdl.hadoop.HadoopFiles;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.NetworkWeights;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.Optimizer;

/**
 * Training checkpoints in a directory on any Hadoop file system: {@code epoch-00005/} holds
 * {@code weights.safetensors} (parameters, buffers and optimizer state), {@code state.json} (epoch, rounds,
 * histories, early-stopping state and a fingerprint of the fit) and, with a validation split,
 * {@code best.safetensors}. Each checkpoint directory is written atomically, so one that exists is
 * complete; the two newest are kept.
 *
 * <p>Resuming restores everything the next epoch depends on. Shuffles and dropout masks are
 * derived from the seed, the epoch and the round, so a resumed fit ends with the same model as
 * an uninterrupted one (same seed and partitioning).
 */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "epoch-";
  private static final int KEEP = 2;

  private final Configuration conf;
  private final Path dir;
  private final String fingerprint;

  /**
   * Progress a checkpoint records besides the weights; {@code trainAccuracies} a classifier's (NaN
   * for the epochs of a checkpoint written before they were recorded; empty for a regressor);
   * {@code logRun} the folder of the fit's TensorBoard run under its {@code logDir} (empty for
   * none), which a resumed fit continues.
   */
  record Progress(int epoch, long rounds, List<Double> losses, List<Double> validationLosses, List<Double> metrics,
      List<Double> epochSeconds, int bestEpoch, double bestScore, int staleEpochs, List<Double> trainAccuracies,
      String logRun) {}

  Checkpoints(Configuration conf, String dir, String fingerprint) {
    this.conf = conf;
    this.dir = new Path(dir);
    this.fingerprint = fingerprint;
  }

  /** A digest of everything that must match for a checkpoint to be resumed. */
  static String fingerprint(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        md.update(p.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM.", e);
    }
  }

  /**
   * Writes the checkpoint of {@code p.epoch()}, then drops all but the newest ones. The network's
   * buffers go with its parameters; {@code best} (null: none) is written beside them.
   */
  void write(Progress p, Network network, Optimizer optimizer, FlatState.Weights best) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        writeOnce(p, network, optimizer, best);
        return;
      } catch (IOException e) {
        if (attempt == WRITE_ATTEMPTS) {
          throw new IOException("Writing the checkpoint of epoch " + p.epoch() + " to " + dir + " failed " + attempt
              + " times; the last error: " + e.getMessage(), e);
        }
        long wait = Long.getLong("sparkdl.checkpoint.retryMillis", 1000) << (2 * (attempt - 1));
        LOG.warn("Writing the checkpoint of epoch {} failed (attempt {} of {}), trying again in {} ms: {}", p.epoch(),
            attempt, WRITE_ATTEMPTS, wait, e.getMessage());
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("Interrupted while retrying the checkpoint of epoch " + p.epoch());
        }
      }
    }
  }

  /**
   * Attempts at writing one checkpoint before the fit fails, so that transient file-system errors
   * pass; the waits between them are 1 s and 4 s ({@code -Dsparkdl.checkpoint.retryMillis} sets the first).
   */
  static final int WRITE_ATTEMPTS = 3;

  private void writeOnce(Progress p, Network network, Optimizer optimizer, FlatState.Weights best) throws IOException {
    long t0 = System.nanoTime();
    String name = String.format("%s%05d", PREFIX, p.epoch());
    String dest = new Path(dir, name).toString();
    AtomicDirectoryWriter.write(conf, dest, true, (fs, tmp) -> {
      try (OutputStream out = fs.create(new Path(tmp, "weights.safetensors"))) {
        NetworkWeights.write(out, network, optimizer, Map.of("epoch", Integer.toString(p.epoch())));
      }
      if (best != null) {
        FlatState.Weights current = FlatState.Weights.of(network);
        best.loadInto(network);
        try (OutputStream out = fs.create(new Path(tmp, "best.safetensors"))) {
          NetworkWeights.write(out, network, null, Map.of("epoch", Integer.toString(p.bestEpoch())));
        } finally {
          current.loadInto(network);
        }
      }
      HadoopFiles.writeUtf8(fs, new Path(tmp, "state.json"), stateJson(p));
    });
    prune();
    LOG.info("Checkpoint of epoch {} written to {} in {} ms", p.epoch(), dest, (System.nanoTime() - t0) / 1_000_000);
  }

  private String stateJson(Progress p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", "spark-dl-checkpoint");
    n.put("format_version", 1);
    n.put("fingerprint", fingerprint);
    n.put("epoch", p.epoch());
    n.put("rounds", p.rounds());
    n.set("losses", JSON.valueToTree(p.losses()));
    n.set("validationLosses", JSON.valueToTree(p.validationLosses()));
    n.set("metrics", JSON.valueToTree(p.metrics()));
    n.set("epochSeconds", JSON.valueToTree(p.epochSeconds()));
    n.set("trainAccuracies", JSON.valueToTree(p.trainAccuracies().stream().map(a -> Double.isNaN(a) ? null : a).toList()));
    n.put("bestEpoch", p.bestEpoch());
    n.put("bestScore", p.bestScore());
    n.put("staleEpochs", p.staleEpochs());
    n.put("logRun", p.logRun());
    return n.toPrettyString();
  }

  private void prune() throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    List<Path> all = checkpoints(fs);
    for (int i = KEEP; i < all.size(); i++) {
      fs.delete(all.get(i), true);
    }
  }

  /** Complete checkpoint directories, newest first. */
  private List<Path> checkpoints(FileSystem fs) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!fs.exists(dir)) {
      return out;
    }
    for (FileStatus f : fs.listStatus(dir)) {
      if (f.isDirectory() && f.getPath().getName().startsWith(PREFIX) && fs.exists(new Path(f.getPath(), "state.json"))) {
        out.add(f.getPath());
      }
    }
    out.sort((a, b) -> b.getName().compareTo(a.getName()));
    return out;
  }

  /**
   * What {@link #restore} found: the progress, and the best epoch's weights when the checkpoint
   * holds them (else null).
   */
  record Restored(Progress progress, FlatState.Weights best) {}

  /**
   * Loads the newest checkpoint into {@code network} and {@code optimizer}, or returns null when
   * there is none.
   *
   * @throws IllegalArgumentException when the newest checkpoint belongs to a fit with other settings
   */
  Restored restore(Network network, Optimizer optimizer) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    List<Path> all = checkpoints(fs);
    if (all.isEmpty()) {
      return null;
    }
    Path latest = all.get(0);
    JsonNode s = JSON.readTree(HadoopFiles.readUtf8(fs, new Path(latest, "state.json"), 16L << 20));
    if (!fingerprint.equals(s.path("fingerprint").asText())) {
      throw new IllegalArgumentException("checkpointDir " + dir + " holds checkpoints of a fit with other settings, data or"
          + " partitioning (" + latest.getName() + "); use another directory or delete it to start over.");
    }
    try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, new Path(latest, "weights.safetensors"))) {
      NetworkWeights.read(ch, latest.getName() + "/weights.safetensors", network, optimizer);
    }
    FlatState.Weights best = null;
    Path bestFile = new Path(latest, "best.safetensors");
    if (fs.exists(bestFile)) {
      FlatState.Weights current = FlatState.Weights.of(network);
      try (SeekableByteChannel ch = HadoopFiles.openChannel(fs, bestFile)) {
        NetworkWeights.read(ch, latest.getName() + "/best.safetensors", network, null);
      }
      best = FlatState.Weights.of(network);
      current.loadInto(network);
    }
    Progress p = new Progress(s.path("epoch").asInt(), s.path("rounds").asLong(), doubles(s, "losses", latest),
        doubles(s, "validationLosses", latest), doubles(s, "metrics", latest), doubles(s, "epochSeconds", latest),
        s.path("bestEpoch").asInt(), s.path("bestScore").asDouble(), s.path("staleEpochs").asInt(0),
        trainAccuracies(s, latest), s.path("logRun").asText(""));
    if (p.epoch() < 1 || p.losses().size() != p.epoch()) {
      throw new ModelFileException(latest + "/state.json", "records epoch " + p.epoch() + " with " + p.losses().size()
          + " losses; the checkpoint is inconsistent.");
    }
    return new Restored(p, best);
  }

  /** The training accuracies, or NaN for each epoch of a checkpoint written before they were recorded. */
  private static List<Double> trainAccuracies(JsonNode s, Path where) throws ModelFileException {
    if (s.get("trainAccuracies") == null) {
      return java.util.Collections.nCopies(s.path("epoch").asInt(), Double.NaN);
    }
    List<Double> out = new ArrayList<>();
    s.get("trainAccuracies").forEach(v -> out.add(v.isNull() ? Double.NaN : v.asDouble()));
    return out;
  }

  private static List<Double> doubles(JsonNode s, String field, Path where) throws ModelFileException {
    JsonNode a = s.get(field);
    if (a == null || !a.isArray()) {
      throw new ModelFileException(where + "/state.json", "lacks the array '" + field + "'.");
    }
    List<Double> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asDouble()));
    return out;
  }
}
