package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.NormOps;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * Batch normalisation over the channel axis (axis 1) of {@code [N, C]}, {@code [N, C, L]} or
 * {@code [N, C, H, W]} inputs, as PyTorch's {@code BatchNorm1d/2d}:
 *
 * <pre>
 *   y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]
 * </pre>
 *
 * <p><b>Training vs inference.</b> On a training tape, {@code mean} and {@code var} are the batch's
 * statistics over every axis but the channel's (biased variance), and the running statistics move
 * towards them: {@code running = (1 - momentum) running + momentum stat}, the variance unbiased (as
 * PyTorch; Keras' {@code momentum = 0.99} is PyTorch's {@code 0.01}). On an inference tape the
 * running statistics are used and left unchanged.
 *
 * <p><b>Arguments:</b> {@code channels} C; {@code momentum} (default 0.1); {@code eps} (default
 * 1e-5).
 *
 * <p><b>Shapes:</b> output shape equals input shape. Parameters: {@code <name>.weight [C]} (gamma,
 * starts at 1) and {@code <name>.bias [C]} (beta, starts at 0). Buffers (saved with the model, never
 * trained): {@code <name>.running_mean [C]} (starts at 0) and {@code <name>.running_var [C]} (starts
 * at 1). Buffers are per-replica state: each network instance updates its own.
 *
 * <pre>{@code new BatchNorm("bn_1", 16, 0.1, 1e-5)}</pre>
 */
public final class BatchNorm implements Layer {
  private final String name;
  private final int channels;
  private final double momentum;
  private final double eps;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter runningMean;
  private final Parameter runningVar;

  public BatchNorm(String name, int channels, double momentum, double eps) {
    if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
      throw new IllegalArgumentException("Layer '" + name + "': momentum must be in [0, 1] and eps > 0; found "
          + momentum + " and " + eps + ".");
    }
    this.name = name;
    this.channels = channels;
    this.momentum = momentum;
    this.eps = eps;
    Shape c = Shape.of(channels);
    this.weight = new Parameter(name + ".weight", c, Init.ONES, 1, 1);
    this.bias = new Parameter(name + ".bias", c, Init.ZEROS, 1, 1);
    this.runningMean = Parameter.buffer(name + ".running_mean", c, Init.ZEROS);
    this.runningVar = Parameter.buffer(name + ".running_var", c, Init.ONES);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }

  @Override
  public List<Parameter> buffers() {
    return List.of(runningMean, runningVar);
  }

  /** This layer at inference as {@code y = x scale + shift}, with {@code scale} and {@code shift} {@code [C, 1]}. */
  Var[] inferenceAffine(Tape tape) {
    return NormOps.inferenceAffine(Ops.reshape(weight.on(tape), channels, 1), Ops.reshape(bias.on(tape), channels, 1),
        runningMean.value(), runningVar.value(), eps);
  }

  @Override
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    if (x.shape().rank() < 2 || x.shape().dim(1) != channels) {
      throw new IllegalArgumentException("Layer '" + name + "' expects input [batch, " + channels + ", ...]; found "
          + x.shape() + ".");
    }
    return NormOps.batchNorm(x, weight.on(x.tape()), bias.on(x.tape()), runningMean.value(), runningVar.value(),
        momentum, eps);
  }
}
