package org.sparkdl.train;

import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.nn.Network;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/** Inference-mode forward passes over heap data, batch by batch, nothing kept between batches. */
public final class Inference {
  private Inference() {}

  /** Runs the single-output network over {@code features} (rows of {@code sampleShape}); returns outputs row-major. */
  public static float[] predict(Network network, float[] features, Shape sampleShape, int batchSize) {
    Backend be = Backend.of(network.parameters().values());
    DType dt = network.parameters().values().dtype();
    int per = sampleShape.size();
    int rows = features.length / per;
    int outPer = network.outputShape().size();
    float[] out = new float[rows * outPer];
    float[] xb = new float[Math.min(batchSize, Math.max(rows, 1)) * per];
    for (int start = 0; start < rows; start += batchSize) {
      int n = Math.min(batchSize, rows - start);
      try (Scope s = be.openScope("predict")) {
        float[] chunk = n * per == xb.length ? xb : new float[n * per];
        System.arraycopy(features, start * per, chunk, 0, n * per);
        Tensor x = s.of(dt, sampleShape.prepend(n), chunk);
        Tape tape = Tape.inference(s);
        Var y = network.forward(tape.constant(x));
        float[] yb = y.value().toFloatArray();
        System.arraycopy(yb, 0, out, start * outPer, yb.length);
      }
    }
    return out;
  }

  /** Index of the largest value in each row of {@code scores} ({@code rows x classes}). */
  public static int[] argmax(float[] scores, int classes) {
    int rows = scores.length / classes;
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = argmax(scores, r * classes, classes);
    }
    return out;
  }

  /** Index of the largest of {@code scores[at .. at + width)}, the first of equal ones. */
  public static int argmax(float[] scores, int at, int width) {
    int best = 0;
    for (int c = 1; c < width; c++) {
      if (scores[at + c] > scores[at + best]) {
        best = c;
      }
    }
    return best;
  }
}
