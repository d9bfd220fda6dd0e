package org.sparkdl.io;

import static org.sparkdl.io.ModelFileException.quote;
import static org.sparkdl.io.ModelFileException.shapeText;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed and validated safetensors header. Parsing walks the JSON with a streaming parser rather
 * than binding it to a tree, so that duplicate keys are caught (a tree keeps the last silently) and
 * every value is type-checked where it appears.
 */
final class SafeTensorsHeader {
  /** The reserved key under which a header keeps its string-to-string metadata. */
  static final String METADATA_KEY = "__metadata__";

  /**
   * Field-name canonicalization is off: it keeps a shared symbol table that a header full of
   * colliding names could flood, and it buys nothing for a one-shot parse.
   */
  static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .build();

  private static final int MAX_JSON_ERROR_CHARS = 200;
  private static final int MAX_TOKEN_CHARS = 40;

  private final Map<String, String> metadata;
  private final List<TensorInfo> tensors;
  private final Map<String, TensorInfo> byName;

  private SafeTensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors) {
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = Collections.unmodifiableList(tensors);
    Map<String, TensorInfo> index = new HashMap<>(tensors.size() * 2);
    for (TensorInfo t : tensors) {
      index.put(t.name(), t);
    }
    this.byName = index;
  }

  Map<String, String> metadata() {
    return metadata;
  }

  /** Tensors in the order of their data. */
  List<TensorInfo> tensors() {
    return tensors;
  }

  Optional<TensorInfo> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Parses {@code bytes} (the whole header, padding included) and checks every tensor against a data
   * section of {@code dataLength} bytes that starts at file offset {@code dataStart}.
   */
  static SafeTensorsHeader parse(byte[] bytes, String fileName, long dataStart, long dataLength)
      throws ModelFileException {
    Parse parse = new Parse(fileName, dataStart, dataLength);
    String text = decodeUtf8(bytes, fileName);
    try (JsonParser p = JSON.createParser(text)) {
      parse.header(p);
    } catch (ModelFileException e) {
      throw e;
    } catch (IOException e) {
      throw new ModelFileException(fileName, "header is not valid JSON (" + jsonError(e) + ").", e);
    }
    parse.checkTiling();
    return new SafeTensorsHeader(parse.metadata, parse.tensors);
  }

  private static String decodeUtf8(byte[] bytes, String fileName) throws ModelFileException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      CharBuffer chars = decoder.decode(in);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new ModelFileException(
          fileName, "header is not valid UTF-8 (bad byte sequence at header byte " + in.position() + ").", e);
    }
  }

  private static String jsonError(IOException e) {
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    message = String.valueOf(message).replaceAll("\\s+", " ").trim();
    if (message.length() > MAX_JSON_ERROR_CHARS) {
      message = message.substring(0, MAX_JSON_ERROR_CHARS) + "...";
    }
    if (e instanceof JsonProcessingException j && j.getLocation() != null) {
      JsonLocation at = j.getLocation();
      message += " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
    return message;
  }

  /** The state of one parse: what has been read so far and what it is checked against. */
  private static final class Parse {
    final String fileName;
    final long dataStart;
    final long dataLength;
    final Map<String, String> metadata = new LinkedHashMap<>();
    final List<TensorInfo> tensors = new ArrayList<>();
    final Set<String> keys = new HashSet<>();

    Parse(String fileName, long dataStart, long dataLength) {
      this.fileName = fileName;
      this.dataStart = dataStart;
      this.dataLength = dataLength;
    }

    ModelFileException fail(String detail) {
      return new ModelFileException(fileName, detail);
    }

    void header(JsonParser p) throws IOException {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw fail("header is empty.");
      }
      if (first != JsonToken.START_OBJECT) {
        throw fail("header is not a JSON object (it starts with " + describe(p) + ").");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!keys.add(key)) {
          throw fail("header has duplicate key " + quote(key) + ".");
        }
        p.nextToken();
        if (key.equals(METADATA_KEY)) {
          metadata(p);
        } else {
          tensors.add(tensor(p, key));
        }
      }
      if (p.nextToken() != null) {
        throw fail("header has content after the JSON object.");
      }
    }

    void metadata(JsonParser p) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        return;
      }
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw fail("'" + METADATA_KEY + "' is " + describe(p) + ", not a JSON object.");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (metadata.containsKey(key)) {
          throw fail("metadata has duplicate key " + quote(key) + ".");
        }
        if (p.nextToken() != JsonToken.VALUE_STRING) {
          throw fail("metadata " + quote(key) + " is " + describe(p) + ", not a string.");
        }
        metadata.put(key, p.getText());
      }
    }

    TensorInfo tensor(JsonParser p, String name) throws IOException {
      if (name.isEmpty()) {
        throw fail("header has a tensor with an empty name.");
      }
      String what = "tensor " + quote(name);
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw fail(what + " is " + describe(p) + ", not a JSON object.");
      }
      String dtype = null;
      long[] shape = null;
      long[] offsets = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        boolean seen;
        switch (field) {
          case "dtype" -> {
            seen = dtype != null;
            if (p.currentToken() != JsonToken.VALUE_STRING) {
              throw fail(what + " has dtype " + describe(p) + ", not a string.");
            }
            dtype = p.getText();
          }
          case "shape" -> {
            seen = shape != null;
            shape = integers(p, what, "shape");
          }
          case "data_offsets" -> {
            seen = offsets != null;
            offsets = integers(p, what, "data_offsets");
            if (offsets.length != 2) {
              throw fail(what + " has " + offsets.length + " data_offsets; it needs [begin, end].");
            }
          }
          default -> {
            // Other fields are ignored, as the reference implementation does; skip nested values whole.
            seen = false;
            p.skipChildren();
          }
        }
        if (seen) {
          throw fail(what + " has duplicate field " + quote(field) + ".");
        }
      }
      if (dtype == null || shape == null || offsets == null) {
        String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
        throw fail(what + " lacks '" + missing + "'.");
      }
      return checked(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Reads an array of non-negative integers that fit in a {@code long}. */
    long[] integers(JsonParser p, String what, String field) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw fail(what + " has " + field + " " + describe(p) + ", not an array of integers.");
      }
      long[] values = new long[4];
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        boolean integer =
            p.currentToken() == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
        if (!integer || p.getLongValue() < 0) {
          throw fail(what + " has " + field + " entry " + describe(p)
              + ", which is not a non-negative 64-bit integer.");
        }
        if (n == values.length) {
          values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = p.getLongValue();
      }
      return Arrays.copyOf(values, n);
    }

    /** Applies the per-tensor rules; the order of checks puts the most specific fact first. */
    TensorInfo checked(String name, String dtypeName, long[] shape, long begin, long end)
        throws ModelFileException {
      String what = "tensor " + quote(name);
      SafeTensorsDType dtype =
          SafeTensorsDType.byName(dtypeName)
              .orElseThrow(() -> fail(what + " has unknown dtype " + quote(dtypeName) + "."));
      long needed = dtype.byteLengthOrMinusOne(shape);
      if (needed < 0) {
        throw fail(what + " has shape " + shapeText(shape) + " of " + dtypeName
            + ", whose byte count does not fit in 64 bits.");
      }
      if (end < begin) {
        throw fail(what + " has data_offsets [" + begin + ", " + end + "], which end before they begin.");
      }
      if (end - begin != needed) {
        throw fail(what + " is " + dtypeName + " " + shapeText(shape) + " = " + needed
            + " bytes, but its data_offsets [" + begin + ", " + end + "] span " + (end - begin) + ".");
      }
      if (end > dataLength) {
        BigInteger at = BigInteger.valueOf(dataStart).add(BigInteger.valueOf(begin));
        throw fail(quote(name) + " declares " + needed + " bytes at offset " + at + "; the file has "
            + (dataStart + dataLength) + " bytes.");
      }
      return new TensorInfo(name, dtypeName, shape, begin, end);
    }

    /** Sorts by offset and checks that the regions cover the data section exactly once. */
    void checkTiling() throws ModelFileException {
      tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
      long covered = 0;
      TensorInfo last = null;
      for (TensorInfo t : tensors) {
        if (t.begin() > covered) {
          throw fail("data bytes [" + covered + ", " + t.begin() + ") belong to no tensor (the gap is before "
              + quote(t.name()) + ").");
        }
        if (t.begin() < covered) {
          throw fail(quote(last.name()) + " [" + last.begin() + ", " + last.end() + ") and " + quote(t.name())
              + " [" + t.begin() + ", " + t.end() + ") overlap.");
        }
        covered = t.end();
        last = t;
      }
      if (covered != dataLength) {
        throw fail("the data section has " + dataLength + " bytes but the tensors cover only " + covered
            + "; the rest belongs to no tensor.");
      }
    }

    /** A short description of the current token for messages. */
    static String describe(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t == null) {
        return "nothing";
      }
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        case VALUE_NULL -> "null";
        case VALUE_STRING -> "the string " + quote(p.getText());
        default -> {
          // Numbers and literals: no quotes needed, but a number may be a thousand digits long.
          String text = p.getText();
          yield text.length() <= MAX_TOKEN_CHARS
              ? text
              : text.substring(0, MAX_TOKEN_CHARS) + "... (" + text.length() + " characters)";
        }
      };
    }
  }
}
