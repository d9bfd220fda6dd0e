package org.sparkdl.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.TensorInfo;

/** Float32 tensors of a test fixture file (safetensors), flattened. */
public final class FixtureTensors {
  private FixtureTensors() {}

  /** Tensor {@code name} of {@code tensors}, a float32 tensor, as a flat array. */
  public static float[] floats(SafeTensorsReader tensors, String name) throws IOException {
    TensorInfo info = tensors.tensor(name);
    ByteBuffer bytes = ByteBuffer.allocate((int) info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    tensors.read(name, bytes.duplicate());
    float[] values = new float[(int) info.numElements()];
    bytes.asFloatBuffer().get(values);
    return values;
  }
}
