package org.sparkdl.autograd;

import org.sparkdl.backend.Backend;
import org.sparkdl.backend.BinaryOp;
import org.sparkdl.backend.ReduceOp;
import org.sparkdl.backend.UnaryOp;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Batch and layer normalisation, composed from the elementwise and reduction ops of {@link Ops},
 * so that their gradients follow from those ops' backward rules.
 */
public final class NormOps {
  private NormOps() {}

  /**
   * Batch normalisation over axis 1 of {@code x [N, C, ...]}: {@code y = (x - mean) / sqrt(var +
   * eps) * gamma + beta} per channel, with {@code gamma}, {@code beta} of shape {@code [C]}.
   *
   * <p>On a training tape, mean and (biased) variance are those of the batch over every axis but
   * the channel's, and the running statistics are updated in place as PyTorch does: {@code running =
   * (1 - momentum) running + momentum stat}, with the unbiased variance. Otherwise the running
   * statistics normalise and are left as they are. The running statistics never get a gradient.
   *
   * @param runningMean {@code [C]}, updated in place when training
   * @param runningVar {@code [C]}, updated in place when training
   */
  public static Var batchNorm(Var x, Var gamma, Var beta, Tensor runningMean, Tensor runningVar, double momentum,
      double eps) {
    Shape s = x.shape();
    if (s.rank() < 2) {
      throw new IllegalArgumentException("batchNorm needs an input [batch, channels, ...]; found " + s + ".");
    }
    int n = s.dim(0);
    int c = s.dim(1);
    Shape channels = Shape.of(c);
    requireChannels(s, "gamma", gamma.shape(), channels);
    requireChannels(s, "beta", beta.shape(), channels);
    requireChannels(s, "the running mean", runningMean.shape(), channels);
    requireChannels(s, "the running variance", runningVar.shape(), channels);
    Tape tape = x.tape;
    int spatial = s.size() / Math.max(1, n * c);
    Var xr = Ops.reshape(x, n, c, spatial);
    Var g = Ops.reshape(gamma, c, 1);
    Var b = Ops.reshape(beta, c, 1);
    Var y;
    if (tape.isTraining()) {
      long count = (long) n * spatial;
      if (count < 2) {
        throw new IllegalArgumentException("batchNorm in training needs more than one value per channel; the input "
            + s + " has " + count + ".");
      }
      y = normalizeByBatch(xr, g, b, eps, runningMean, runningVar, momentum);
    } else {
      Var[] affine = inferenceAffine(g, b, runningMean, runningVar, eps);
      y = Ops.add(Ops.mul(xr, affine[0]), affine[1]);
    }
    return Ops.reshape(y, s.toArray());
  }

  /**
   * Batch normalisation at inference as a per-channel affine map {@code y = x scale + shift}:
   * {@code scale = gamma / sqrt(runningVar + eps)} and {@code shift = beta - runningMean scale}, each
   * {@code [C, 1]} for {@code gamma} and {@code beta} of {@code [C, 1]}, differentiable in them.
   */
  public static Var[] inferenceAffine(Var gamma, Var beta, Tensor runningMean, Tensor runningVar, double eps) {
    Tape tape = gamma.tape;
    Backend be = tape.backend();
    int c = gamma.shape().dim(0);
    Tensor std = tape.allocate(gamma.dtype(), Shape.of(c, 1));
    be.map(UnaryOp.ADD_SCALAR, runningVar.reshape(c, 1), std, eps);
    be.map(UnaryOp.SQRT, std, std, 0);
    Var scale = Ops.div(gamma, tape.constant(std));
    Var shift = Ops.sub(beta, Ops.mul(tape.constant(runningMean.reshape(c, 1)), scale));
    return new Var[] {scale, shift};
  }

  /**
   * Batch normalisation in training of {@code x [N, C, S]} with {@code gamma}, {@code beta} {@code
   * [C, 1]}, as one op with its backward in closed form: {@code xhat = (x - mean) / std}, {@code y
   * = gamma xhat + beta}, and {@code gx = gamma / std (gy - mean(gy) - xhat mean(gy xhat))} with
   * the means per channel. Five passes over the activations forward and seven backward, where the
   * same formula composed of elementwise ops takes seven and fifteen.
   */
  private static Var normalizeByBatch(Var x, Var gamma, Var beta, double eps, Tensor runningMean, Tensor runningVar,
      double momentum) {
    Tape tape = x.tape;
    Backend be = tape.backend();
    Shape s = x.shape();
    int c = s.dim(1);
    long count = (long) s.dim(0) * s.dim(2);
    Shape channels = Shape.of(c, 1);
    Tensor mean = tape.allocate(x.dtype(), channels);
    be.reduce(ReduceOp.MEAN, x.value, mean);
    Tensor centred = tape.allocate(x.dtype(), s);
    be.zip(BinaryOp.SUB, x.value, mean, centred);
    Tensor var = tape.allocate(x.dtype(), channels);
    be.reduce(ReduceOp.SUM_SQUARES, centred, var);
    be.map(UnaryOp.SCALE, var, var, 1.0 / count);
    Tensor std = tape.allocate(x.dtype(), channels);
    be.map(UnaryOp.ADD_SCALAR, var, std, eps);
    be.map(UnaryOp.SQRT, std, std, 0);
    Tensor scale = tape.allocate(x.dtype(), channels);
    be.zip(BinaryOp.DIV, gamma.value, std, scale);
    Tensor out = tape.allocate(x.dtype(), s);
    be.zip(BinaryOp.MUL, centred, scale, out);
    be.zip(BinaryOp.ADD, out, beta.value, out);
    updateRunning(be, tape.scope(), runningMean, mean.reshape(c), momentum, 1);
    updateRunning(be, tape.scope(), runningVar, var.reshape(c), momentum, (double) count / (count - 1));
    return tape.record(out, gy -> {
      Tensor sumG = tape.allocate(gy.dtype(), channels);
      be.reduce(ReduceOp.SUM, gy, sumG);
      Tensor gyC = tape.allocate(gy.dtype(), s);
      be.zip(BinaryOp.MUL, gy, centred, gyC);
      Tensor sumGC = tape.allocate(gy.dtype(), channels);
      be.reduce(ReduceOp.SUM, gyC, sumGC);
      if (beta.requiresGrad) {
        tape.accumulate(beta, sumG, false);
      }
      if (gamma.requiresGrad) {
        Tensor gg = tape.allocate(gy.dtype(), channels);
        be.zip(BinaryOp.DIV, sumGC, std, gg);
        tape.accumulate(gamma, gg, false);
      }
      if (x.requiresGrad) {
        // gx = scale gy + k centred + b, with per channel k = -scale sumGC / (count std^2), b = -scale sumG / count
        Tensor k = tape.allocate(gy.dtype(), channels);
        be.zip(BinaryOp.DIV, sumGC, std, k);
        be.zip(BinaryOp.DIV, k, std, k);
        be.zip(BinaryOp.MUL, k, scale, k);
        be.map(UnaryOp.SCALE, k, k, -1.0 / count);
        Tensor shift = tape.allocate(gy.dtype(), channels);
        be.zip(BinaryOp.MUL, sumG, scale, shift);
        be.map(UnaryOp.SCALE, shift, shift, -1.0 / count);
        Tensor gx = tape.allocate(gy.dtype(), s);
        be.zip(BinaryOp.MUL, gy, scale, gx);
        be.zip(BinaryOp.MUL, centred, k, gyC);
        be.zip(BinaryOp.ADD, gx, gyC, gx);
        be.zip(BinaryOp.ADD, gx, shift, gx);
        tape.accumulate(x, gx, false);
      }
    }, x, gamma, beta);
  }

  private static void requireChannels(Shape input, String what, Shape found, Shape expected) {
    if (!found.equals(expected)) {
      throw new IllegalArgumentException("batchNorm of " + input + ": " + what + " has shape " + found + "; expected "
          + expected + ".");
    }
  }

  /** {@code running = (1 - momentum) running + momentum factor stat}, off the tape. */
  private static void updateRunning(Backend be, Scope scope, Tensor running, Tensor stat, double momentum,
      double factor) {
    try (Scope tmp = scope.child("running-stats")) {
      Tensor t = tmp.allocate(running.dtype(), running.shape());
      be.map(UnaryOp.SCALE, stat, t, momentum * factor);
      be.map(UnaryOp.SCALE, running, running, 1 - momentum);
      be.zip(BinaryOp.ADD, running, t, running);
    }
  }

  /**
   * Layer normalisation over the last {@code axes} axes of {@code x}: each sample's group of {@code
   * K} values (the product of those axes) is normalised by its own mean and biased variance, then
   * scaled and shifted elementwise: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, with
   * {@code gamma}, {@code beta} shaped as those axes. Training and inference behave the same.
   */
  public static Var layerNorm(Var x, int axes, Var gamma, Var beta, double eps) {
    Shape s = x.shape();
    if (axes < 1 || axes >= s.rank()) {
      throw new IllegalArgumentException("layerNorm over the last " + axes + " axes of " + s
          + ": needs 1 to " + (s.rank() - 1) + " axes (the batch axis is never normalised).");
    }
    int[] dims = s.toArray();
    Shape normalized = Shape.of(java.util.Arrays.copyOfRange(dims, dims.length - axes, dims.length));
    if (!gamma.shape().equals(normalized) || !beta.shape().equals(normalized)) {
      throw new IllegalArgumentException("layerNorm of " + s + " over " + normalized + ": gamma " + gamma.shape()
          + " and beta " + beta.shape() + " must both have shape " + normalized + ".");
    }
    int k = normalized.size();
    int rows = s.size() / Math.max(1, k);
    Var xr = Ops.reshape(x, rows, k);
    Var mean = Ops.scale(Ops.sumTo(xr, Shape.of(rows, 1)), 1.0 / k);
    Var centred = Ops.sub(xr, mean);
    Var var = Ops.scale(Ops.sumTo(Ops.map(UnaryOp.SQUARE, centred, 0), Shape.of(rows, 1)), 1.0 / k);
    Var std = Ops.map(UnaryOp.SQRT, Ops.map(UnaryOp.ADD_SCALAR, var, eps), 0);
    Var y = Ops.add(Ops.mul(Ops.div(centred, std), Ops.reshape(gamma, k)), Ops.reshape(beta, k));
    return Ops.reshape(y, dims);
  }
}
