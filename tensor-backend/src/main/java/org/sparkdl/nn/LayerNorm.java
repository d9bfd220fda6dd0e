package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.autograd.NormOps;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * Layer normalisation over the trailing axes of each sample, as PyTorch's {@code LayerNorm}:
 *
 * <pre>
 *   y = (x - mean) / sqrt(var + eps) * weight + bias
 * </pre>
 *
 * where {@code mean} and the biased {@code var} are taken over the last {@code
 * normalizedShape.rank()} axes, separately for every sample (and every leading position), and
 * {@code weight} and {@code bias} apply elementwise. Training and inference behave the same.
 *
 * <p><b>Arguments:</b> {@code normalizedShape}, the trailing dimensions normalised together (e.g.
 * {@code [features]} for {@code [N, features]}); {@code eps} (default 1e-5).
 *
 * <p><b>Shapes:</b> output shape equals input shape {@code [N, ..., *normalizedShape]}.
 * Parameters: {@code <name>.weight} and {@code <name>.bias}, both shaped {@code normalizedShape},
 * starting at 1 and 0.
 *
 * <pre>{@code new LayerNorm("layer_norm_1", Shape.of(128), 1e-5)}</pre>
 */
public final class LayerNorm implements Layer {
  private final String name;
  private final Shape normalizedShape;
  private final double eps;
  private final Parameter weight;
  private final Parameter bias;

  public LayerNorm(String name, Shape normalizedShape, double eps) {
    if (!(eps > 0)) {
      throw new IllegalArgumentException("Layer '" + name + "': eps must be > 0; found " + eps + ".");
    }
    this.name = name;
    this.normalizedShape = normalizedShape;
    this.eps = eps;
    this.weight = new Parameter(name + ".weight", normalizedShape, Init.ONES, 1, 1);
    this.bias = new Parameter(name + ".bias", normalizedShape, Init.ZEROS, 1, 1);
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
  public Var forward(List<Var> inputs) {
    Var x = inputs.get(0);
    return NormOps.layerNorm(x, normalizedShape.rank(), weight.on(x.tape()), bias.on(x.tape()), eps);
  }
}
