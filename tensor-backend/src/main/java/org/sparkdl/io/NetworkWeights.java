package org.sparkdl.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkdl.backend.Backend;
import org.sparkdl.nn.Network;
import org.sparkdl.nn.Parameter;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * A network's parameters, and optionally its optimizer's state, as one safetensors file.
 *
 * <p>Layout: each parameter under its own name ({@code dense_1.weight}, shaped as in the layer);
 * then each non-trainable buffer of the network ({@link Network#buffers()}, e.g. {@code
 * bn_1.running_mean}) under its own name; optimizer state buffers as flat tensors {@code
 * optimizer.<name>} over all parameters in order; metadata {@code format=spark-dl-weights}, {@code
 * format_version=1}, {@code parameters}, {@code buffers} (only when there are any), and for
 * optimizer state {@code optimizer} (its kind) and {@code optimizer_steps}. Callers may add their
 * own metadata (provenance).
 *
 * <p>Loading checks that the file holds exactly the network's parameters and buffers with their
 * shapes (F32 or F64, converted to the network's dtype) before copying anything in.
 */
public final class NetworkWeights {
  public static final String FORMAT = "spark-dl-weights";
  public static final String FORMAT_VERSION = "1";
  private static final String OPTIMIZER_PREFIX = "optimizer.";

  private NetworkWeights() {}

  /** Writes the parameters, and the optimizer's state when {@code optimizer} is not null. */
  public static long write(OutputStream out, Network network, Optimizer optimizer, Map<String, String> metadata)
      throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("format_version", FORMAT_VERSION);
    meta.put("parameters", Integer.toString(network.parameters().size()));
    if (network.buffers().size() > 0) {
      meta.put("buffers", Integer.toString(network.buffers().size()));
    }
    if (optimizer != null) {
      meta.put("optimizer", optimizer.spec().kind());
      meta.put("optimizer_steps", Long.toString(optimizer.steps()));
    }
    meta.putAll(metadata);
    List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
    for (Parameter p : network.parameters().parameters()) {
      entries.add(entry(p.name(), p.value()));
    }
    for (Parameter b : network.buffers().parameters()) {
      entries.add(entry(b.name(), b.value()));
    }
    if (optimizer != null) {
      for (Map.Entry<String, Tensor> e : new java.util.TreeMap<>(optimizer.state()).entrySet()) {
        entries.add(entry(OPTIMIZER_PREFIX + e.getKey(), e.getValue()));
      }
    }
    return SafeTensorsWriter.write(out, entries, meta);
  }

  private static SafeTensorsWriter.Entry entry(String name, Tensor t) {
    long[] shape = t.shape().rank() == 0 ? new long[0] : java.util.Arrays.stream(t.shape().toArray()).asLongStream().toArray();
    return SafeTensorsWriter.Entry.of(name, t.dtype(), shape, hostBytes(t));
  }

  /** The tensor's bytes: a view of host memory when possible, else a copy. */
  private static ByteBuffer hostBytes(Tensor t) {
    int bytes = t.size() * t.dtype().byteSize();
    if (Backend.of(t).isHost() && t.isContiguous()) {
      ByteBuffer b = t.storage().hostBuffer().duplicate();
      int start = (int) (t.offset() * t.dtype().byteSize());
      b.position(start).limit(start + bytes);
      return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer copy = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try (Scope tmp = Backend.of(t).openScope("weights-out")) {
      Backend.of(t).copyOut(t.contiguous(tmp), copy.duplicate());
    }
    return copy;
  }

  /**
   * Reads a file written by {@link #write} into {@code network}'s parameters and buffers (and
   * {@code optimizer}'s state when not null); returns the file's metadata.
   *
   * @throws ModelFileException naming the file and the first parameter that is missing, extra, or
   *     of the wrong shape or dtype; nothing is copied in that case
   */
  public static Map<String, String> read(SeekableByteChannel channel, String fileName, Network network,
      Optimizer optimizer) throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(channel, fileName)) {
      Map<String, String> meta = r.metadata();
      if (!FORMAT.equals(meta.get("format"))) {
        throw new ModelFileException(fileName, "metadata 'format' is " + quote(meta.get("format")) + "; expected '" + FORMAT + "'.");
      }
      if (!FORMAT_VERSION.equals(meta.get("format_version"))) {
        throw new ModelFileException(fileName, "format_version " + quote(meta.get("format_version"))
            + " is not supported; this library reads version " + FORMAT_VERSION + ".");
      }
      Set<String> expected = new LinkedHashSet<>();
      Map<String, Tensor> targets = new LinkedHashMap<>();
      for (Parameter p : network.parameters().parameters()) {
        targets.put(p.name(), p.value());
      }
      for (Parameter b : network.buffers().parameters()) {
        targets.put(b.name(), b.value());
      }
      long steps = 0;
      if (optimizer != null) {
        if (!optimizer.spec().kind().equals(meta.get("optimizer"))) {
          throw new ModelFileException(fileName, "holds " + quote(meta.get("optimizer")) + " optimizer state; the optimizer is '"
              + optimizer.spec().kind() + "'.");
        }
        steps = parseSteps(fileName, meta.get("optimizer_steps"));
        for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
          targets.put(OPTIMIZER_PREFIX + e.getKey(), e.getValue());
        }
      }
      expected.addAll(targets.keySet());
      for (TensorInfo info : r.tensors()) {
        if (!targets.containsKey(info.name()) && !(optimizer == null && info.name().startsWith(OPTIMIZER_PREFIX))) {
          throw new ModelFileException(fileName, "holds '" + info.name() + "', which the network does not have; its parameters are "
              + abbreviate(targets.keySet()) + ".");
        }
      }
      for (Map.Entry<String, Tensor> e : targets.entrySet()) {
        checkShape(r, fileName, e.getKey(), e.getValue());
      }
      for (Map.Entry<String, Tensor> e : targets.entrySet()) {
        readInto(r, e.getKey(), e.getValue());
      }
      if (optimizer != null) {
        optimizer.setSteps(steps);
      }
      return meta;
    }
  }

  private static void checkShape(SafeTensorsReader r, String fileName, String name, Tensor target) throws ModelFileException {
    if (!r.contains(name)) {
      throw new ModelFileException(fileName, "lacks '" + name + "' " + target.shape() + ".");
    }
    TensorInfo info = r.tensor(name);
    long[] want = java.util.Arrays.stream(target.shape().toArray()).asLongStream().toArray();
    if (!java.util.Arrays.equals(info.shape(), want)) {
      throw new ModelFileException(fileName, "'" + name + "' has shape " + java.util.Arrays.toString(info.shape())
          + "; the network expects " + target.shape() + ".");
    }
    if (!info.dtype().equals("F32") && !info.dtype().equals("F64")) {
      throw new ModelFileException(fileName, "'" + name + "' has dtype " + info.dtype() + "; expected F32 or F64.");
    }
  }

  private static void readInto(SafeTensorsReader r, String name, Tensor target) throws IOException {
    TensorInfo info = r.tensor(name);
    DType fileType = info.dtype().equals("F32") ? DType.FLOAT32 : DType.FLOAT64;
    try (Scope tmp = Backend.of(target).openScope("weights-in")) {
      Tensor staging = tmp.allocate(fileType, target.shape());
      ByteBuffer dest = ByteBuffer.allocate((int) info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
      r.read(name, dest.duplicate());
      Backend.of(target).copyIn(staging, dest.order(ByteOrder.nativeOrder()));
      Backend.of(target).copy(staging, target);
    }
  }

  private static long parseSteps(String fileName, String s) throws ModelFileException {
    try {
      long v = Long.parseLong(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelFileException(fileName, "metadata 'optimizer_steps' is " + quote(s) + "; expected a count >= 0.");
  }

  private static String quote(String s) {
    return s == null ? "missing" : "'" + s + "'";
  }

  private static String abbreviate(Set<String> names) {
    List<String> l = new ArrayList<>(names);
    return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " and " + (l.size() - 8) + " more";
  }
}
