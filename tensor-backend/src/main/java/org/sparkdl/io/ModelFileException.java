package org.sparkdl.io;

import java.io.IOException;

/**
 * A model file is malformed, truncated, changed while in use, or lacks what was asked of it.
 *
 * <p>The message always starts with the file name and a colon, followed by the specific facts:
 * tensor names, byte counts and offsets, for example {@code weights.safetensors: 'dense_1.weight'
 * declares 4194304 bytes at offset 812; the file has 1000000 bytes.}
 */
public class ModelFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Names and values quoted in messages are cut to this many characters; a hostile file may hold megabytes. */
  private static final int MAX_QUOTED_CHARS = 80;

  /** Shapes in messages list at most this many dimensions. */
  private static final int MAX_SHOWN_DIMS = 8;

  /** The name the message starts with. */
  private final String fileName;

  /**
   * Creates an exception whose message is {@code fileName + ": " + detail}.
   *
   * @param fileName the file's name, which starts the message
   * @param detail what is wrong, as a sentence
   */
  public ModelFileException(String fileName, String detail) {
    super(fileName + ": " + detail);
    this.fileName = fileName;
  }

  /**
   * Creates an exception whose message is {@code fileName + ": " + detail}, caused by {@code cause}.
   *
   * @param fileName the file's name, which starts the message
   * @param detail what is wrong, as a sentence
   * @param cause the lower-level failure (for example a JSON syntax error)
   */
  public ModelFileException(String fileName, String detail, Throwable cause) {
    super(fileName + ": " + detail, cause);
    this.fileName = fileName;
  }

  /** The name of the file the message is about. */
  public String fileName() {
    return fileName;
  }

  /**
   * Single-quotes {@code text} for a message: control characters are escaped so the message stays on
   * one line, and long text is cut with its full length noted.
   */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED_CHARS) + 24).append('\'');
    int shown = Math.min(text.length(), MAX_QUOTED_CHARS);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('\'');
    if (shown < text.length()) {
      out.insert(out.length() - 1, "...").append(" (").append(text.length()).append(" characters)");
    }
    return out.toString();
  }

  /** Formats a shape as {@code [2, 3]}, eliding dimensions past the first few. */
  static String shapeText(long[] shape) {
    StringBuilder out = new StringBuilder("[");
    int shown = Math.min(shape.length, MAX_SHOWN_DIMS);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(shape[i]);
    }
    if (shown < shape.length) {
      out.append(", ... (").append(shape.length).append(" dimensions)");
    }
    return out.append(']').toString();
  }
}
