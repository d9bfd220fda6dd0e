package org.sparkdl.nn;

import java.util.Locale;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Var;
import org.sparkdl.tensor.Tensor;

/**
 * A training objective. {@link #perSample} gives one loss per row; training minimises the
 * weighted mean {@code sum(w_i l_i) / sum(w_i)}. Workers return the weighted sum and the weight
 * total separately, so that the mean over all partitions is exact.
 */
public interface Loss {
  /** The name used in params and files, e.g. {@code "softmax_cross_entropy"}. */
  String name();

  /** Loss per row, {@code [B]}, for predictions {@code [B, ...]} and targets as the loss expects. */
  Var perSample(Var prediction, Tensor target);

  /** {@code sum_i w_i l_i} (a scalar); {@code weights} may be {@code null} for all ones. */
  static Var weightedSum(Var perSample, Tensor weights) {
    if (weights == null) {
      return Ops.sum(perSample);
    }
    if (!weights.shape().equals(perSample.shape())) {
      throw new IllegalArgumentException("Weights " + weights.shape() + " do not match per-sample losses " + perSample.shape() + ".");
    }
    return Ops.sum(Ops.mul(perSample, perSample.tape().constant(weights)));
  }

  /**
   * The loss named {@code name}: {@code softmax_cross_entropy}, {@code binary_cross_entropy} (on
   * logits), {@code mse}, or {@code huber} (delta 1; {@code huber:0.5} for another delta).
   */
  static Loss of(String name) {
    String n = name.toLowerCase(Locale.ROOT).trim();
    if (n.startsWith("huber")) {
      double delta = 1.0;
      if (n.startsWith("huber:")) {
        try {
          delta = Double.parseDouble(n.substring(6));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Loss '" + name + "': the Huber delta must be a number, e.g. huber:0.5.", e);
        }
      } else if (!n.equals("huber")) {
        throw new IllegalArgumentException(unknown(name));
      }
      return new Huber(delta);
    }
    return switch (n) {
      case "softmax_cross_entropy", "cross_entropy" -> new SoftmaxCrossEntropy();
      case "binary_cross_entropy", "bce" -> new BinaryCrossEntropy();
      case "mse", "mean_squared_error" -> new MeanSquaredError();
      default -> throw new IllegalArgumentException(unknown(name));
    };
  }

  private static String unknown(String name) {
    return "Unknown loss '" + name + "'; known: softmax_cross_entropy, binary_cross_entropy, mse, huber[:delta].";
  }
}
