package org.sparkdl.tensor;

/**
 * Element type of a {@link Tensor}. Training and scoring run in {@link #FLOAT32}; {@link #FLOAT64}
 * exists on the CPU backend so that gradient checks against finite differences are exact.
 */
public enum DType {
  FLOAT32(4, "F32"),
  FLOAT64(8, "F64");

  private final int byteSize;
  private final String safetensorsName;

  DType(int byteSize, String safetensorsName) {
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The dtype string the safetensors format uses for this type ({@code F32}, {@code F64}). */
  public String safetensorsName() {
    return safetensorsName;
  }
}
