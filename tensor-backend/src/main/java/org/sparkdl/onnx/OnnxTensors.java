package org.sparkdl.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.onnx.proto.OnnxProto.StringStringEntryProto;
import org.sparkdl.onnx.proto.OnnxProto.TensorProto;

/**
 * Decodes ONNX {@code TensorProto}s into {@link Const}s, checking every declared size against the
 * bytes actually present (in the message or in the external file) before allocating anything, and
 * external-data locations against escaping the model's folder.
 */
final class OnnxTensors {
  /** Largest tensor read, in elements: as many as a network's parameter store may hold. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE / 2;

  /**
   * Reads the bytes of a tensor stored outside the model file, in a file of the model's folder.
   * Implementations check that {@code offset + length} lies inside the file before allocating.
   */
  @FunctionalInterface
  public interface ExternalData {
    /**
     * The {@code length} bytes at {@code offset} of the file {@code location}, a plain relative path
     * inside the model's folder (already checked: no {@code ..}, no absolute path).
     *
     * @throws ModelFileException when the file is missing or shorter than {@code offset + length}
     */
    ByteBuffer read(String location, long offset, long length) throws IOException;

    /** Refuses every external tensor: for models that arrive as bytes with no folder. */
    ExternalData NONE = (location, offset, length) -> {
      throw new ModelFileException(location, "the model keeps tensors in external files, but it was given without its"
          + " folder; read it from its file.");
    };
  }

  private OnnxTensors() {}

  static Const decode(String file, TensorProto t, ExternalData external) throws IOException {
    String name = t.getName();
    long[] dims = new long[t.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.getDims(i);
    }
    long n = Const.count(dims, MAX_ELEMENTS);
    if (n < 0) {
      throw new ModelFileException(file, "tensor '" + clip(name) + "' declares dims " + java.util.Arrays.toString(dims)
          + ", negative or more than " + MAX_ELEMENTS + " elements.");
    }
    int type = t.getDataType();
    int width = switch (type) {
      case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE -> 4;
      case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE -> 8;
      default -> throw new ModelFileException(file, "tensor '" + clip(name) + "' has data type "
          + TensorProto.DataType.forNumber(type) + "; float, double, int32 and int64 tensors are read.");
    };
    ByteBuffer raw = null;
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      raw = external(file, t, n * width, external);
    } else if (t.hasRawData()) {
      if (t.getRawData().size() != n * width) {
        throw new ModelFileException(file, "tensor '" + clip(name) + "' of dims " + java.util.Arrays.toString(dims)
            + " needs " + n * width + " bytes; its raw_data has " + t.getRawData().size() + ".");
      }
      raw = t.getRawData().asReadOnlyByteBuffer();
    }
    if (raw != null) {
      raw.order(ByteOrder.LITTLE_ENDIAN);
      return switch (type) {
        case TensorProto.DataType.FLOAT_VALUE -> {
          float[] v = new float[(int) n];
          raw.asFloatBuffer().get(v);
          yield Const.ofFloats(dims, v);
        }
        case TensorProto.DataType.DOUBLE_VALUE -> {
          float[] v = new float[(int) n];
          for (int i = 0; i < n; i++) {
            v[i] = (float) raw.getDouble(i * 8);
          }
          yield Const.ofFloats(dims, v);
        }
        case TensorProto.DataType.INT32_VALUE -> {
          long[] v = new long[(int) n];
          for (int i = 0; i < n; i++) {
            v[i] = raw.getInt(i * 4);
          }
          yield Const.ofLongs(dims, v);
        }
        default -> {
          long[] v = new long[(int) n];
          raw.asLongBuffer().get(v);
          yield Const.ofLongs(dims, v);
        }
      };
    }
    int count = switch (type) {
      case TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
      case TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataCount();
      case TensorProto.DataType.INT32_VALUE -> t.getInt32DataCount();
      default -> t.getInt64DataCount();
    };
    if (count != n) {
      throw new ModelFileException(file, "tensor '" + clip(name) + "' of dims " + java.util.Arrays.toString(dims)
          + " needs " + n + " values; it holds " + count + ".");
    }
    return switch (type) {
      case TensorProto.DataType.FLOAT_VALUE -> {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
          v[i] = t.getFloatData(i);
        }
        yield Const.ofFloats(dims, v);
      }
      case TensorProto.DataType.DOUBLE_VALUE -> {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
          v[i] = (float) t.getDoubleData(i);
        }
        yield Const.ofFloats(dims, v);
      }
      case TensorProto.DataType.INT32_VALUE -> {
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
          v[i] = t.getInt32Data(i);
        }
        yield Const.ofLongs(dims, v);
      }
      default -> {
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
          v[i] = t.getInt64Data(i);
        }
        yield Const.ofLongs(dims, v);
      }
    };
  }

  private static ByteBuffer external(String file, TensorProto t, long bytes, ExternalData external) throws IOException {
    Map<String, String> keys = new HashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      keys.put(e.getKey(), e.getValue());
    }
    String location = keys.get("location");
    String name = clip(t.getName());
    if (location == null || location.isEmpty()) {
      throw new ModelFileException(file, "tensor '" + name + "' is stored externally but names no location.");
    }
    checkLocation(file, name, location);
    long offset = parse(file, name, keys, "offset", 0);
    long length = parse(file, name, keys, "length", bytes);
    if (length != bytes) {
      throw new ModelFileException(file, "tensor '" + name + "' needs " + bytes + " bytes; its external data declares "
          + length + ".");
    }
    ByteBuffer b = external.read(location, offset, length);
    if (b.remaining() != bytes) {
      throw new ModelFileException(file, "tensor '" + name + "': " + clip(location) + " gave " + b.remaining()
          + " bytes; " + bytes + " are needed.");
    }
    return b;
  }

  /**
   * Refuses external-data locations that could read outside the model's folder: absolute paths,
   * drive letters, URIs, {@code ..} segments, backslashes and control characters.
   */
  static void checkLocation(String file, String tensor, String location) throws ModelFileException {
    boolean bad = location.startsWith("/") || location.contains("\\") || location.contains(":")
        || location.chars().anyMatch(c -> c < 0x20);
    for (String part : location.split("/", -1)) {
      bad |= part.equals("..") || part.isEmpty() || part.equals(".");
    }
    if (bad) {
      throw new ModelFileException(file, "tensor '" + tensor + "' names external data '" + clip(location)
          + "', which is not a plain relative path inside the model's folder.");
    }
  }

  private static long parse(String file, String tensor, Map<String, String> keys, String key, long absent)
      throws ModelFileException {
    String v = keys.get(key);
    if (v == null) {
      return absent;
    }
    try {
      long l = Long.parseLong(v);
      if (l >= 0) {
        return l;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelFileException(file, "tensor '" + tensor + "' has external data " + key + " '" + clip(v)
        + "'; expected a byte count >= 0.");
  }

  /** A name from the file, cut for messages: a hostile file may hold megabytes in one. */
  static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
